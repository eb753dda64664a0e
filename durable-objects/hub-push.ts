import { and, eq, exists } from "drizzle-orm";
import type { PushPayload } from "../worker/contract";
import type { Db } from "../worker/db/client";
import { blocks, pushSubscriptions, roomMembers } from "../worker/db/schema";
import { pushEnabled, sendPush } from "../worker/lib/push-sender";
import type { MessageNotice } from "./push-notifier";

/** The notification a notice becomes: a 1:1 room shows the sender, a group its title with the sender before the preview. */
export const payloadOf = (notice: MessageNotice): PushPayload => ({
  roomId: notice.roomId,
  title: notice.roomTitle ?? notice.senderName,
  body: notice.roomTitle === null ? notice.body : `${notice.senderName}: ${notice.body}`,
  url: `/rooms/${notice.roomId}`,
  tag: notice.roomId,
  seq: notice.seq,
});

/**
 * How long a room may skip telling this hub after it answered that the user has no subscribed
 * device (most users): a device subscribed meanwhile gets that room's pushes this much later.
 */
export const NO_DEVICE_MS = 60_000;

/**
 * The hub's decision on a room's notice (the room already left out the sender and members with a
 * socket open in it): no push to a user who muted the room, blocked the sender, is no longer a
 * member (D1 is the authority), or has no subscribed device. Read fresh from D1 on each notice
 * (one query, at most one per room per PUSH_WINDOW_MS), so a mute or block counts at once.
 * Answers how long the room may stop telling this hub (0: keep telling).
 */
export const pushNotice = async (env: Env, db: Db, userId: string, notice: MessageNotice): Promise<number> => {
  if (!pushEnabled(env)) return NO_DEVICE_MS;
  if (notice.senderId === userId) return 0;
  const row = await db
    .select({
      muted: roomMembers.muted,
      blocked: exists(db.select().from(blocks).where(and(eq(blocks.userId, userId), eq(blocks.blockedId, notice.senderId)))),
      subscribed: exists(db.select().from(pushSubscriptions).where(eq(pushSubscriptions.userId, userId))),
    })
    .from(roomMembers)
    .where(and(eq(roomMembers.roomId, notice.roomId), eq(roomMembers.userId, userId)))
    .get();
  if (row && !row.subscribed) return NO_DEVICE_MS;
  if (!row || row.muted || Boolean(row.blocked)) return 0;
  await sendPush(env, db, userId, payloadOf(notice));
  return 0;
};

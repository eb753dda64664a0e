import { type Member, type Room } from "../../worker/contract";
import { byDisplayName, chatListRow } from "../../worker/db/chat-list";
import { toIso } from "../../worker/db/views";
import type { RoomBlocks } from "../room-blocks";
import type { RoomLog } from "./room-log";

/**
 * The room with every member, as each member sees it (their unread count), from the log alone: the
 * room socket's `hello` and `room` frames, `GET /api/rooms/:id`, and the rows pushed to the
 * members' chat lists (their hubs take them instead of reading D1).
 */
export const roomForEach = (log: RoomLog, blocks?: RoomBlocks): ((userId: string) => Room) => {
  const room = log.room;
  const members: Member[] = log
    .members()
    .map((m) => ({ id: m.userId, username: m.username, displayName: m.displayName, lastReadSeq: m.lastReadSeq, joinedSeq: m.joinedSeq }))
    .sort(byDisplayName);
  const lastMessage = log.lastMessage();
  return (userId) => {
    const me = log.member(userId);
    // From just before joinedSeq when that is later (a 1:1 room's blocker after the unblock), as the D1 list counts (worker/db/blocked.ts).
    const cursor = me ? Math.max(me.lastReadSeq, me.joinedSeq - 1) : room.lastSeq;
    const fields = {
      id: room.id,
      members,
      memberCount: members.length,
      // None for a member who left a 1:1 chat, until the next message (room-settings.ts).
      lastMessage: me && room.lastSeq < me.joinedSeq ? null : lastMessage && blocks ? blocks.shape(userId, lastMessage) : lastMessage,
      lastSeq: room.lastSeq,
      unreadCount: Math.max(0, room.lastSeq - cursor - log.systemAbove(cursor) - (blocks?.hiddenAbove(userId, cursor) ?? 0)),
      version: room.version,
      muted: me?.muted ?? false,
      pinnedAt: toIso(me?.pinnedAt ?? null),
    };
    return room.kind === "group" ? { ...fields, kind: "group", title: room.title } : { ...fields, kind: "direct", title: null };
  };
};

/** A member's chat-list row (them and at most 4 others), as `GET /api/rooms` shows it. */
export const chatListRowsFor = (log: RoomLog, blocks?: RoomBlocks): ((userId: string) => Room) => {
  const roomFor = roomForEach(log, blocks);
  return (userId) => chatListRow(roomFor(userId), userId);
};

/**
 * Whether the room is in a member's chat list: it has a message they may read (a 1:1 room's
 * blocker starts reading after the unblock), and it is not a 1:1 room with someone they block.
 */
export const listsRoom = (log: RoomLog, blocks: RoomBlocks, userId: string): boolean => {
  const member = log.member(userId);
  if (!member || log.room.lastSeq < Math.max(1, member.joinedSeq)) return false;
  return log.room.kind === "group" || !log.memberIds().some((id) => id !== userId && blocks.standing(userId, id));
};

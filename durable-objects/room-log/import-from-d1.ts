import { and, asc, eq, gt } from "drizzle-orm";
import type { Db } from "../../worker/db/client";
import { messages, roomMembers, rooms, users } from "../../worker/db/schema";
import type { RoomLog } from "./room-log";

/** Messages read from D1 per statement while importing: D1 answers up to a few MB at a time. */
const IMPORT_PAGE = 1_000;

/**
 * Gives a room created before the room log (or created in D1 by the Worker: a 1:1 room) its log,
 * members and cursors from D1, the first time its object wakes. Safe to cut short at any point: the
 * messages go first, each page by seq and never twice, and the room row last, whose presence means
 * the log is whole; a cut import starts again from the last seq it wrote. False: D1 has no such room.
 */
export const importFromD1 = async (log: RoomLog, db: Db): Promise<boolean> => {
  const roomId = log.roomId;
  const [[room], members] = await db.batch([
    db.select({ kind: rooms.kind, title: rooms.title, lastSeq: rooms.lastSeq, version: rooms.version }).from(rooms).where(eq(rooms.id, roomId)),
    db
      .select({ userId: roomMembers.userId, username: users.username, displayName: users.displayName, lastReadSeq: roomMembers.lastReadSeq, joinedSeq: roomMembers.joinedSeq, muted: roomMembers.muted, pinnedAt: roomMembers.pinnedAt })
      .from(roomMembers)
      .innerJoin(users, eq(users.id, roomMembers.userId))
      .where(eq(roomMembers.roomId, roomId)),
  ]);
  if (!room) return false;
  let after = log.highestSeq();
  let imported = 0;
  while (after < room.lastSeq) {
    const page = await db
      .select({ seq: messages.seq, id: messages.id, senderId: messages.senderId, clientId: messages.clientId, body: messages.body, sentAt: messages.sentAt, kind: messages.kind, event: messages.event })
      .from(messages)
      .where(and(eq(messages.roomId, roomId), gt(messages.seq, after)))
      .orderBy(asc(messages.seq))
      .limit(IMPORT_PAGE);
    if (page.length === 0) break;
    log.importMessages(page);
    after = page.at(-1)!.seq;
    imported += page.length;
  }
  log.importRoom(
    { id: roomId, ...room, d1Seq: room.lastSeq },
    members.map((m) => ({ ...m, d1ReadSeq: m.lastReadSeq })),
  );
  console.log(JSON.stringify({ event: "d1_import", roomId, messages: imported, members: members.length }));
  return true;
};

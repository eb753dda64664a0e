import { and, eq } from "drizzle-orm";
import type { Room } from "../worker/contract";
import type { Db } from "../worker/db/client";
import { loadRooms } from "../worker/db/chat-list";
import { messages } from "../worker/db/schema";

/**
 * The room with every member, as each member sees it: two reads whatever the number of members (the
 * room through one member, and the seqs of its system messages), then each member's unread count in
 * memory (text messages above their cursor). For the room socket's `room` frames.
 */
export const loadRoomForEach = async (db: Db, roomId: string, anyMemberId: string): Promise<((userId: string) => Room) | undefined> => {
  const [[room], systemRows] = await Promise.all([
    loadRooms(db, anyMemberId, { roomId, allMembers: true }),
    db
      .select({ seq: messages.seq })
      .from(messages)
      .where(and(eq(messages.roomId, roomId), eq(messages.kind, "system"))),
  ]);
  if (!room) return undefined;
  const systemSeqs = systemRows.map((r) => r.seq);
  return (userId) => {
    const cursor = room.members.find((m) => m.id === userId)?.lastReadSeq ?? room.lastSeq;
    const systemAbove = systemSeqs.filter((seq) => seq > cursor).length;
    return { ...room, unreadCount: Math.max(0, room.lastSeq - cursor - systemAbove) };
  };
};

import { and, asc, desc, eq, gt, lt, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import type { Member, Message, Room, User } from "../contract";
import type { Db } from "./client";
import { messages, roomMembers, rooms, users } from "./schema";

/** The public columns of a user: selecting these, not the row, keeps password hashes out of reads. */
export const userColumns = { id: users.id, username: users.username, displayName: users.displayName };

export const toUser = (row: User): User => ({ id: row.id, username: row.username, displayName: row.displayName });

export const toMessage = (row: typeof messages.$inferSelect): Message => ({
  id: row.id,
  roomId: row.roomId,
  seq: row.seq,
  senderId: row.senderId,
  body: row.body,
  sentAt: new Date(row.sentAt).toISOString(),
  clientId: row.clientId,
});

const me = alias(roomMembers, "me");
const other = alias(roomMembers, "other");

/** Members of every room the user belongs to (optionally one room), with their read cursors. */
export const membersQuery = (db: Db, userId: string, roomId?: string) =>
  db
    .select({ roomId: other.roomId, lastReadSeq: other.lastReadSeq, user: userColumns })
    .from(me)
    .innerJoin(other, eq(other.roomId, me.roomId))
    .innerJoin(users, eq(users.id, other.userId))
    .where(and(eq(me.userId, userId), roomId === undefined ? undefined : eq(me.roomId, roomId)))
    .orderBy(asc(users.displayName));

/**
 * The rooms the user can see, newest activity first, built from two indexed queries run side by
 * side whatever the number of rooms (not db.batch: it maps joined rows by column name, and
 * rooms.id and messages.id collide). unreadCount is last_seq − the caller's cursor: sending
 * moves the sender's own cursor, so everything above it was written by others.
 */
export const loadRooms = async (db: Db, userId: string, filter: { roomId?: string; withMessagesOnly?: boolean } = {}): Promise<Room[]> => {
  const conditions: (SQL | undefined)[] = [eq(me.userId, userId)];
  if (filter.roomId !== undefined) conditions.push(eq(rooms.id, filter.roomId));
  if (filter.withMessagesOnly) conditions.push(gt(rooms.lastSeq, 0));
  const [roomRows, memberRows] = await Promise.all([
    db
      .select({ room: rooms, lastReadSeq: me.lastReadSeq, lastMessage: messages })
      .from(me)
      .innerJoin(rooms, eq(rooms.id, me.roomId))
      .leftJoin(messages, eq(messages.id, rooms.lastMessageId))
      .where(and(...conditions))
      .orderBy(desc(rooms.updatedAt), desc(rooms.id)),
    membersQuery(db, userId, filter.roomId),
  ]);
  const membersByRoom = new Map<string, Member[]>();
  for (const row of memberRows) {
    const list = membersByRoom.get(row.roomId) ?? [];
    list.push({ ...row.user, lastReadSeq: row.lastReadSeq });
    membersByRoom.set(row.roomId, list);
  }
  return roomRows.map(({ room, lastReadSeq, lastMessage }) => ({
    id: room.id,
    kind: room.kind,
    members: membersByRoom.get(room.id) ?? [],
    lastMessage: lastMessage ? toMessage(lastMessage) : null,
    lastSeq: room.lastSeq,
    unreadCount: Math.max(0, room.lastSeq - lastReadSeq),
  }));
};

export const isMember = async (db: Db, roomId: string, userId: string): Promise<boolean> =>
  (await db
    .select({ roomId: roomMembers.roomId })
    .from(roomMembers)
    .where(and(eq(roomMembers.roomId, roomId), eq(roomMembers.userId, userId)))
    .get()) !== undefined;

export const memberIds = async (db: Db, roomId: string): Promise<string[]> =>
  (await db.select({ userId: roomMembers.userId }).from(roomMembers).where(eq(roomMembers.roomId, roomId))).map((r) => r.userId);

/** A page of history, ascending by seq, and whether more lies beyond it. */
export const pageMessages = async (
  db: Db,
  roomId: string,
  page: { before?: number; after?: number; limit: number },
): Promise<{ messages: Message[]; hasMore: boolean }> => {
  const forward = page.after !== undefined;
  const bound = forward ? gt(messages.seq, page.after!) : page.before !== undefined ? lt(messages.seq, page.before) : undefined;
  const rows = await db
    .select()
    .from(messages)
    .where(and(eq(messages.roomId, roomId), bound))
    .orderBy(forward ? asc(messages.seq) : desc(messages.seq))
    .limit(page.limit + 1);
  const hasMore = rows.length > page.limit;
  const pageRows = rows.slice(0, page.limit);
  if (!forward) pageRows.reverse();
  return { messages: pageRows.map(toMessage), hasMore };
};

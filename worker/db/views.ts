import { and, asc, desc, eq, gt, lt, sql, type SQL } from "drizzle-orm";
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

/**
 * A room's members as one JSON array built inside SQLite: one row per room instead of a join row
 * per member, which is what a 1,000-room chat list spends its time moving and mapping.
 */
const membersJson = sql<string>`(
  select json_group_array(json_object('id', u.id, 'username', u.username, 'displayName', u.display_name, 'lastReadSeq', o.last_read_seq))
  from room_members o join users u on u.id = o.user_id
  where o.room_id = ${rooms.id})`;

const byDisplayName = (a: Member, b: Member) => a.displayName.localeCompare(b.displayName) || a.id.localeCompare(b.id);

/**
 * The rooms the user can see, newest activity first, in one indexed query whatever the number of
 * rooms. unreadCount is last_seq − the caller's cursor: sending moves the sender's own cursor, so
 * everything above it was written by others.
 */
export const loadRooms = async (db: Db, userId: string, filter: { roomId?: string; withMessagesOnly?: boolean } = {}): Promise<Room[]> => {
  const conditions: (SQL | undefined)[] = [eq(me.userId, userId)];
  if (filter.roomId !== undefined) conditions.push(eq(rooms.id, filter.roomId));
  if (filter.withMessagesOnly) conditions.push(gt(rooms.lastSeq, 0));
  const rows = await db
    .select({ room: rooms, lastReadSeq: me.lastReadSeq, lastMessage: messages, members: membersJson })
    .from(me)
    .innerJoin(rooms, eq(rooms.id, me.roomId))
    .leftJoin(messages, eq(messages.id, rooms.lastMessageId))
    .where(and(...conditions))
    .orderBy(desc(rooms.updatedAt), desc(rooms.id));
  return rows.map(({ room, lastReadSeq, lastMessage, members }) => ({
    id: room.id,
    kind: room.kind,
    members: (JSON.parse(members) as Member[]).sort(byDisplayName),
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

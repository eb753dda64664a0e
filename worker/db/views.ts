import { and, asc, desc, eq, gt, lt } from "drizzle-orm";
import type { Message, User } from "../contract";
import type { Db } from "./client";
import { messages, roomMembers, users } from "./schema";

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

import { type SQLWrapper, sql } from "drizzle-orm";

/**
 * The columns of a new `room_members` row, for `INSERT … SELECT` (drizzle wants every column, in
 * the table's order): the member reads from `joinedSeq` on and has read up to it; not muted, not pinned.
 */
export const newMemberRow = (roomId: SQLWrapper | string, userId: SQLWrapper | string, joinedSeq: number, now: number) => ({
  roomId: sql`${roomId}`.as("room_id"),
  userId: sql`${userId}`.as("user_id"),
  lastReadSeq: sql`${joinedSeq}`.as("last_read_seq"),
  joinedAt: sql`${now}`.as("joined_at"),
  joinedSeq: sql`${joinedSeq}`.as("joined_seq"),
  muted: sql`0`.as("muted"),
  pinnedAt: sql`null`.as("pinned_at"),
});

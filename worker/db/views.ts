import { type SQLWrapper, and, count, eq, gt, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import type { Message, SystemEvent, User } from "../contract";
import type { Db } from "./client";
import { messages, roomMembers, users } from "./schema";

/** The public columns of a user: selecting these, not the row, keeps password hashes out of reads. */
export const userColumns = { id: users.id, username: users.username, displayName: users.displayName };

export const toUser = (row: User): User => ({ id: row.id, username: row.username, displayName: row.displayName });

const systemMessage = alias(messages, "system_message");

/** An epoch-ms time as the contract writes times, or null. */
export const toIso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export const toMessage = (row: typeof messages.$inferSelect): Message => {
  const fields = {
    id: row.id,
    roomId: row.roomId,
    seq: row.seq,
    senderId: row.senderId,
    body: row.body,
    sentAt: new Date(row.sentAt).toISOString(),
    clientId: row.clientId,
  };
  return row.kind === "system" ? { ...fields, kind: "system", event: JSON.parse(row.event!) as SystemEvent } : { ...fields, kind: "text" };
};

/** The caller's membership of a room (their `joinedSeq`), or undefined: not a member, or no such room. */
export const membership = (db: Db, roomId: string, userId: string): Promise<{ joinedSeq: number } | undefined> =>
  db
    .select({ joinedSeq: roomMembers.joinedSeq })
    .from(roomMembers)
    .where(and(eq(roomMembers.roomId, roomId), eq(roomMembers.userId, userId)))
    .get();

/**
 * How many system messages of a room lie above a cursor: unread counts leave them out
 * (unread = last seq − cursor − these, since sending moves the sender's own cursor).
 */
export const systemAbove = (db: Db, roomId: SQLWrapper, cursor: SQLWrapper) =>
  sql<number>`(${db
    .select({ n: count() })
    .from(systemMessage)
    .where(and(eq(systemMessage.roomId, roomId), eq(systemMessage.kind, "system"), gt(systemMessage.seq, cursor)))})`;

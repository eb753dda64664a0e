import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * A room's own SQLite (its Durable Object's storage): the room's log, its members and their read
 * cursors, and how far D1 has caught up. The object is the only writer; D1 gets everything behind
 * it (d1-write-behind.ts). Times are epoch milliseconds, as in D1.
 */

/** The room's messages by seq: a send is acked once it is here. */
export const logMessages = sqliteTable(
  "messages",
  {
    seq: integer("seq").primaryKey(),
    id: text("id").notNull(),
    senderId: text("sender_id").notNull(),
    clientId: text("client_id").notNull(),
    body: text("body").notNull(),
    sentAt: integer("sent_at").notNull(),
    kind: text("kind", { enum: ["text", "system"] }).notNull(),
    /** A system message's event as JSON (contract `SystemEvent`); null for text. */
    event: text("event"),
  },
  (t) => [
    uniqueIndex("messages_sender_client_uq").on(t.senderId, t.clientId),
    // Unread counts subtract the system messages above a cursor: few per room, found through this.
    index("messages_system_idx").on(t.seq).where(sql`${t.kind} = 'system'`),
  ],
);

/** The current members, a mirror of D1's `room_members` (the authority) with the cursors, which live here. */
export const logMembers = sqliteTable("members", {
  userId: text("user_id").primaryKey(),
  username: text("username").notNull(),
  displayName: text("display_name").notNull(),
  lastReadSeq: integer("last_read_seq").notNull(),
  joinedSeq: integer("joined_seq").notNull(),
  /** The cursor D1 has: the write-behind sends the ones above it. */
  d1ReadSeq: integer("d1_read_seq").notNull(),
  /** The member's own flags, mirrored from D1 (`room_members.muted`, `pinned_at`) for the views. */
  muted: integer("muted", { mode: "boolean" }).notNull().default(false),
  pinnedAt: integer("pinned_at"),
});

/** One row: the room itself. Written last by the import, so its presence means the log is whole. */
export const logRoom = sqliteTable("room", {
  id: text("id").primaryKey(),
  kind: text("kind", { enum: ["direct", "group"] }).notNull(),
  title: text("title"),
  lastSeq: integer("last_seq").notNull(),
  /** The room's `version` (contract): D1's copy is set to it by the write-behind. */
  version: integer("version").notNull(),
  /** The highest seq D1 has: everything above it is still to be written there. */
  d1Seq: integer("d1_seq").notNull(),
});

import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** Times are epoch milliseconds; the API turns them into ISO-8601 strings. */
const createdAt = () => integer("created_at").notNull();

export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  username: text("username").notNull().unique(),
  displayName: text("display_name").notNull(),
  passwordHash: text("password_hash").notNull(),
  createdAt: createdAt(),
});

export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull().references(() => users.id),
    createdAt: createdAt(),
    expiresAt: integer("expires_at").notNull(),
    revokedAt: integer("revoked_at"),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);

/** One row per direction, so "my friends" is a primary-key prefix scan. */
export const friendships = sqliteTable(
  "friendships",
  {
    userId: text("user_id").notNull().references(() => users.id),
    friendId: text("friend_id").notNull().references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.friendId] })],
);

export const rooms = sqliteTable(
  "rooms",
  {
    id: text("id").primaryKey(),
    kind: text("kind", { enum: ["direct"] }).notNull(),
    /** The two member ids sorted and joined: makes "get or create the 1:1 room" race-free. */
    pairKey: text("pair_key").unique(),
    lastSeq: integer("last_seq").notNull().default(0),
    lastMessageId: text("last_message_id"),
    updatedAt: integer("updated_at").notNull(),
  },
);

export const roomMembers = sqliteTable(
  "room_members",
  {
    roomId: text("room_id").notNull().references(() => rooms.id),
    userId: text("user_id").notNull().references(() => users.id),
    lastReadSeq: integer("last_read_seq").notNull().default(0),
    joinedAt: integer("joined_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.roomId, t.userId] }), index("room_members_user_idx").on(t.userId, t.roomId)],
);

export const messages = sqliteTable(
  "messages",
  {
    id: text("id").primaryKey(),
    roomId: text("room_id").notNull().references(() => rooms.id),
    seq: integer("seq").notNull(),
    senderId: text("sender_id").notNull().references(() => users.id),
    clientId: text("client_id").notNull(),
    body: text("body").notNull(),
    sentAt: integer("sent_at").notNull(),
  },
  (t) => [
    uniqueIndex("messages_room_seq_uq").on(t.roomId, t.seq),
    uniqueIndex("messages_room_sender_client_uq").on(t.roomId, t.senderId, t.clientId),
  ],
);

/** Fixed-window counters for login and sign-up limits; one row per key. */
export const rateLimits = sqliteTable("rate_limits", {
  key: text("key").primaryKey(),
  windowStart: integer("window_start").notNull(),
  count: integer("count").notNull(),
});

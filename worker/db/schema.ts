import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** Times are epoch milliseconds; the API turns them into ISO-8601 strings. */
const createdAt = () => integer("created_at").notNull();

export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  username: text("username").notNull().unique(),
  displayName: text("display_name").notNull(),
  passwordHash: text("password_hash").notNull(),
  createdAt: createdAt(),
  /**
   * The versions of the rooms the user left, each as it was when they left, plus one per leave:
   * with the versions of their rooms it makes `unread.version`, which so never goes back.
   */
  leftRoomsVersion: integer("left_rooms_version").notNull().default(0),
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
    /** On top of the friends list (즐겨찾기). */
    favorite: integer("favorite", { mode: "boolean" }).notNull().default(false),
  },
  (t) => [primaryKey({ columns: [t.userId, t.friendId] })],
);

/** `user_id` blocked `blocked_id` (차단): one row per direction; nothing tells the blocked. */
export const blocks = sqliteTable(
  "blocks",
  {
    userId: text("user_id").notNull().references(() => users.id),
    blockedId: text("blocked_id").notNull().references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.blockedId] }), index("blocks_blocked_idx").on(t.blockedId, t.userId)],
);

export const rooms = sqliteTable(
  "rooms",
  {
    id: text("id").primaryKey(),
    kind: text("kind", { enum: ["direct", "group"] }).notNull(),
    /** The two member ids sorted and joined: makes "get or create the 1:1 room" race-free. */
    pairKey: text("pair_key").unique(),
    /** A group's name; null for direct rooms and unnamed groups. */
    title: text("title"),
    lastSeq: integer("last_seq").notNull().default(0),
    lastMessageId: text("last_message_id"),
    updatedAt: integer("updated_at").notNull(),
    /** Grows with every message and read-cursor move (triggers in migrations/0003): the room's `version`. */
    version: integer("version").notNull().default(0),
  },
);

export const roomMembers = sqliteTable(
  "room_members",
  {
    roomId: text("room_id").notNull().references(() => rooms.id),
    userId: text("user_id").notNull().references(() => users.id),
    lastReadSeq: integer("last_read_seq").notNull().default(0),
    joinedAt: integer("joined_at").notNull(),
    /** The seq of the system message that added the member (0 for a room's first members): they see seq >= this. */
    joinedSeq: integer("joined_seq").notNull().default(0),
    /** 알림 끄기: no push for this member; unread still counts. */
    muted: integer("muted", { mode: "boolean" }).notNull().default(false),
    /** 상단 고정: when the member pinned the room to the top of their list; null when not pinned. */
    pinnedAt: integer("pinned_at"),
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
    /** `system` for membership and title changes: never unread, never moves a cursor. */
    kind: text("kind", { enum: ["text", "system"] }).notNull().default("text"),
    /** A system message's event as JSON (contract `SystemEvent`); null for text. */
    event: text("event"),
  },
  (t) => [
    uniqueIndex("messages_room_seq_uq").on(t.roomId, t.seq),
    uniqueIndex("messages_room_sender_client_uq").on(t.roomId, t.senderId, t.clientId),
    // Unread counts subtract the system messages above a cursor: few per room, found through this.
    index("messages_room_system_idx").on(t.roomId, t.seq).where(sql`${t.kind} = 'system'`),
  ],
);

/** Fixed-window counters for login and sign-up limits; one row per key. */
export const rateLimits = sqliteTable("rate_limits", {
  key: text("key").primaryKey(),
  windowStart: integer("window_start").notNull(),
  count: integer("count").notNull(),
});

/**
 * A device's Web Push subscription, one row per endpoint (a push service issues one per browser
 * profile and site). It belongs to the session that registered it: a device logged out or expired
 * gets no one's notifications any more.
 */
export const pushSubscriptions = sqliteTable(
  "push_subscriptions",
  {
    endpoint: text("endpoint").primaryKey(),
    userId: text("user_id").notNull().references(() => users.id),
    sessionId: text("session_id").notNull().references(() => sessions.id),
    /** The browser's ECDH P-256 public key and auth secret (base64url), for RFC 8291 encryption. */
    p256dh: text("p256dh").notNull(),
    auth: text("auth").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("push_subscriptions_user_idx").on(t.userId, t.createdAt)],
);

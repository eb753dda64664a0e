/** Response shapes of docs/api.md. */
export interface User {
  id: string;
  username: string;
  displayName: string;
}

interface MessageFields {
  id: string;
  roomId: string;
  seq: number;
  senderId: string;
  body: string;
  sentAt: string;
  clientId: string;
}

/** What a system message records; clients render it as a centred line in the user's language. */
export type SystemEvent =
  | { type: "created"; actorId: string; userIds: string[]; title: string | null }
  | { type: "invited"; actorId: string; userIds: string[] }
  | { type: "left"; actorId: string }
  | { type: "renamed"; actorId: string; title: string | null };

export type SystemEventType = SystemEvent["type"];

export interface TextMessage extends MessageFields {
  kind: "text";
  /**
   * Sent by someone the reader blocked, while the block stood: a placeholder with `body` "" that
   * keeps the reader's seqs gap-free (docs/api.md, "Blocks"). Absent on every other message.
   */
  hidden?: true;
}

/**
 * A membership or title change, stored with the room's next seq. `body` is "", `senderId` is the
 * actor; never unread, never moves a read cursor.
 */
export interface SystemMessage extends MessageFields {
  kind: "system";
  event: SystemEvent;
}

export type Message = TextMessage | SystemMessage;
export type MessageKind = Message["kind"];

/** A row of `GET /api/friends`: the friend and whether the caller marked them 즐겨찾기. */
export interface Friend extends User {
  favorite: boolean;
}

export interface Member extends User {
  lastReadSeq: number;
  /** The seq of the system message that added the member (0 for the room's first members): they see `seq >= joinedSeq` only. */
  joinedSeq: number;
}

interface RoomFields {
  id: string;
  /**
   * Every current member in `GET /api/rooms/:id` and the room socket's `room` frame; in chat-list
   * rows (`GET /api/rooms`, events `room` frames) the caller plus at most `LIMITS.chatListOthers` others.
   */
  members: Member[];
  memberCount: number;
  lastMessage: Message | null;
  lastSeq: number;
  /** The caller's: `text` messages from others with seq above the caller's `lastReadSeq`. */
  unreadCount: number;
  /**
   * Grows with every change of the room (a message, a member's read cursor, members, title): of two
   * views of the same room, the one with the higher version is the newer, whichever way it arrived.
   */
  version: number;
  /** The caller's: 알림 끄기 (no push, no sound; unread still counts). */
  muted: boolean;
  /** The caller's: when they pinned the room to the top of their chat list (ISO time), or null. */
  pinnedAt: string | null;
}

export interface DirectRoom extends RoomFields {
  kind: "direct";
  title: null;
}

export interface GroupRoom extends RoomFields {
  kind: "group";
  /** The group's name, or null: clients then join the members' names with ", ". */
  title: string | null;
}

export type Room = DirectRoom | GroupRoom;
export type RoomKind = Room["kind"];

/**
 * The caller's unread messages over all their rooms. `version` only grows (the sum of the versions of
 * the caller's rooms and of the rooms they left, as each was when they left), so of two totals the
 * one with the higher version is the newer, whichever way they arrived.
 */
export interface UnreadTotal {
  total: number;
  version: number;
}

/** `GET /api/rooms`: a page of the chat list, the cursor to the next one, and the total unread. */
export interface RoomsPage {
  rooms: Room[];
  nextCursor: string | null;
  unread: UnreadTotal;
}

/** Codes of HTTP error answers (docs/api.md). */
export type ApiErrorCode =
  | "invalid"
  | "unauthenticated"
  | "invalid_credentials"
  | "username_taken"
  | "forbidden"
  | "bad_origin"
  | "not_found"
  | "user_not_found"
  | "room_not_found"
  | "method_not_allowed"
  | "upgrade_required"
  | "too_large"
  | "rate_limited"
  | "bad_request"
  | "internal"
  | "cannot_add_self"
  | "already_friends"
  | "cannot_chat_with_self"
  | "not_friends"
  | "out_of_order"
  | "store_failed"
  | "not_a_group"
  | "already_member"
  | "room_full"
  | "push_disabled"
  | "cannot_block_self";

export interface ApiErrorBody {
  /** `ids`: the user ids a `not_friends`, `already_member` or `user_not_found` answer is about. */
  error: { code: ApiErrorCode; message: string; fields?: Record<string, string>; ids?: string[] };
}

/**
 * The caller's send allowance in a room (every frame counts): `tokens` now, refilled at `perSecond`
 * up to `burst`. Clients pace their sends by it rather than be refused.
 */
export interface SendAllowance {
  tokens: number;
  burst: number;
  perSecond: number;
}

/** Codes of a room socket's `error` frames (docs/api.md, "Room socket details"). */
export type RoomErrorCode =
  | "bad_json"
  | "bad_frame"
  | "invalid"
  | "rate_limited"
  | "out_of_order"
  | "store_failed"
  | "sync_failed"
  | "read_failed";

/** Room socket, server → client. */
export type RoomServerFrame =
  | {
      type: "hello";
      roomId: string;
      kind: RoomKind;
      title: string | null;
      lastSeq: number;
      version: number;
      members: Member[];
      allowance: SendAllowance;
    }
  | { type: "message"; message: Message }
  | { type: "ack"; clientId: string; message: Message }
  | { type: "read"; userId: string; lastReadSeq: number }
  /** A big room's cursor moves, gathered: each member's latest, at most a few frames a second per room. */
  | { type: "reads"; reads: { userId: string; lastReadSeq: number }[] }
  /** After any change of members or title, after the system message's `message` frame: every member. */
  | { type: "room"; room: Room }
  | { type: "synced"; lastSeq: number; more?: true }
  | { type: "error"; code: RoomErrorCode; message: string; clientId?: string };

/** Events socket, server → client. */
export type EventFrame =
  | { type: "room"; room: Room; unread: UnreadTotal }
  /** The caller left the room (from another tab): drop it from the list and leave it if open. */
  | { type: "room_removed"; roomId: string; unread: UnreadTotal }
  | { type: "friend"; friend: User }
  | { type: "me"; user: User };

/** Response shapes of docs/api.md. */
export interface User {
  id: string;
  username: string;
  displayName: string;
}

export interface Message {
  id: string;
  roomId: string;
  seq: number;
  senderId: string;
  body: string;
  sentAt: string;
  clientId: string;
}

export interface Member extends User {
  lastReadSeq: number;
}

export interface Room {
  id: string;
  kind: "direct";
  members: Member[];
  lastMessage: Message | null;
  lastSeq: number;
  unreadCount: number;
}

/**
 * The caller's unread messages over all their rooms. `version` is the sum of every room's last seq
 * and the caller's cursor in it: both only grow, so of two totals the one with the higher version
 * is the newer, whichever way they arrived.
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

export interface ApiErrorBody {
  error: { code: string; message: string; fields?: Record<string, string> };
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
  | { type: "hello"; roomId: string; lastSeq: number; members: Member[]; allowance: SendAllowance }
  | { type: "message"; message: Message }
  | { type: "ack"; clientId: string; message: Message }
  | { type: "read"; userId: string; lastReadSeq: number }
  | { type: "synced"; lastSeq: number; more?: true }
  | { type: "error"; code: RoomErrorCode; message: string; clientId?: string };

/** Events socket, server → client. */
export type EventFrame = { type: "room"; room: Room; unread: UnreadTotal } | { type: "friend"; friend: User } | { type: "me"; user: User };

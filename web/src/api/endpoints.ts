import { LIMITS } from "../../../worker/contract/limits";
import type { Friend, Message, Room, RoomsPage, User } from "../../../worker/contract";
import { HttpError, request } from "./client";

/** One typed function per route of docs/api.md that the app uses. */
export const api = {
  me: () => request<{ user: User }>("GET", "/api/me").then((r) => r.user),
  updateMe: (displayName: string) => request<{ user: User }>("PATCH", "/api/me", { displayName }).then((r) => r.user),
  register: (username: string, password: string, displayName?: string) =>
    request<{ user: User }>("POST", "/api/auth/register", { username, password, ...(displayName ? { displayName } : {}) }).then((r) => r.user),
  login: (username: string, password: string) =>
    request<{ user: User }>("POST", "/api/auth/login", { username, password }).then((r) => r.user),
  logout: () => request<void>("POST", "/api/auth/logout"),

  friends: () => request<{ friends: Friend[] }>("GET", "/api/friends").then((r) => r.friends),
  setFavorite: (friendId: string, favorite: boolean) =>
    request<{ friend: Friend }>("PUT", `/api/friends/${encodeURIComponent(friendId)}`, { favorite }).then((r) => r.friend),
  addFriend: (username: string) => request<{ friend: User }>("POST", "/api/friends", { username }).then((r) => r.friend),
  blocked: () => request<{ blocked: User[] }>("GET", "/api/blocks").then((r) => r.blocked),
  block: (userId: string) => request<{ blocked: User }>("POST", "/api/blocks", { userId }).then((r) => r.blocked),
  unblock: (userId: string) => request<void>("DELETE", `/api/blocks/${encodeURIComponent(userId)}`),

  /** A page of the chat list: the first, or the one after `before` (an earlier answer's nextCursor). */
  roomsPage: (before?: string) =>
    request<RoomsPage>("GET", `/api/rooms?limit=${LIMITS.chatListPage}${before === undefined ? "" : `&before=${encodeURIComponent(before)}`}`),
  room: (id: string) => request<{ room: Room }>("GET", `/api/rooms/${encodeURIComponent(id)}`).then((r) => r.room),
  openDirect: (userId: string) => request<{ room: Room }>("POST", "/api/rooms/direct", { userId }).then((r) => r.room),
  /** A new group of me and `memberIds` (friends), optionally named. */
  createGroup: (memberIds: string[], title?: string) =>
    request<{ room: Room }>("POST", "/api/rooms/group", { memberIds, ...(title ? { title } : {}) }).then((r) => r.room),
  invite: (roomId: string, userIds: string[]) =>
    request<{ room: Room }>("POST", `/api/rooms/${encodeURIComponent(roomId)}/members`, { userIds }).then((r) => r.room),
  /** "" clears the group's name. */
  rename: (roomId: string, title: string) => request<{ room: Room }>("PATCH", `/api/rooms/${encodeURIComponent(roomId)}`, { title }).then((r) => r.room),
  /** My own 알림 끄기 / 상단 고정 of a room. */
  roomSettings: (roomId: string, settings: { muted?: boolean; pinned?: boolean }) =>
    request<{ room: Room }>("PUT", `/api/rooms/${encodeURIComponent(roomId)}/settings`, settings).then((r) => r.room),
  leave: (roomId: string) => request<void>("POST", `/api/rooms/${encodeURIComponent(roomId)}/leave`),
  /** A send without the room's socket (pending messages of a room that is not open). */
  send: (roomId: string, send: { clientId: string; body: string; after?: string }) =>
    request<{ message: Message }>("POST", `/api/rooms/${encodeURIComponent(roomId)}/messages`, send).then((r) => r.message),
  markRead: (roomId: string, seq: number) => request<void>("POST", `/api/rooms/${encodeURIComponent(roomId)}/read`, { seq }),
  /** The server's VAPID public key; null when push is not set up there (404 `push_disabled`). */
  pushKey: () =>
    request<{ publicKey: string }>("GET", "/api/push/key").then(
      (r) => r.publicKey,
      (err: unknown) => {
        if (err instanceof HttpError && err.code === "push_disabled") return null;
        throw err;
      },
    ),
  subscribePush: (subscription: { endpoint: string; keys: { p256dh: string; auth: string } }) =>
    request<void>("POST", "/api/push/subscriptions", subscription),
  unsubscribePush: (endpoint: string) => request<void>("DELETE", "/api/push/subscriptions", { endpoint }),
  messages: (roomId: string, before?: number) =>
    request<{ messages: Message[]; hasMore: boolean }>(
      "GET",
      `/api/rooms/${encodeURIComponent(roomId)}/messages?limit=50${before === undefined ? "" : `&before=${before}`}`,
    ),
};

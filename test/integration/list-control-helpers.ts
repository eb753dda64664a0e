/** Requests of the chat-list controls (mute, pin, leaving a 1:1 chat, favourites) as tests make them. */
import type { Message, Room } from "../../worker/contract";
import { body } from "./contract-helpers";
import { type Session, call } from "./harness";

export const post = (path: string, s: Session, json?: unknown) => call(path, { method: "POST", cookie: s.cookie, ...(json !== undefined && { json }) });

export const put = (path: string, s: Session | null, json: unknown) => call(path, { method: "PUT", ...(s && { cookie: s.cookie }), json });

/** A text message sent over HTTP, as stored. */
export const say = async (roomId: string, s: Session, text: string) =>
  (await body<{ message: Message }>(await post(`/api/rooms/${roomId}/messages`, s, { clientId: crypto.randomUUID(), body: text }), 201)).message;

/** `PUT /api/rooms/:id/settings`, answered 200: the caller's room. */
export const settle = async (roomId: string, s: Session, settings: { muted?: boolean; pinned?: boolean }) =>
  (await body<{ room: Room }>(await put(`/api/rooms/${roomId}/settings`, s, settings), 200)).room;

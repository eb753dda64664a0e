/**
 * Helpers shared by the contract tests (docs/api.md). Only assertions and fixtures live here; the
 * request plumbing is the shared harness.
 */
import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";
import type { Friend, Message, Room, RoomsPage, User } from "../../worker/contract";
import { d1CaughtUpFor, forgetRoomLog } from "./room-log-helpers";
import { ORIGIN, type Session, type TestSocket, befriend, call, directRoom, isAck, register } from "./harness";

export interface ErrorBody {
  error: { code: string; message: string; fields?: Record<string, string>; ids?: string[] };
}

const nonEmpty = () => expect.stringMatching(/\S/);

/**
 * Asserts the contract's error shape exactly: status, JSON content type, `{"error":{code,message}}`
 * with nothing else at the top level; `fields` (only allowed key besides code and message) must
 * name every field listed in `fields`.
 */
export const expectError = async (res: Response, status: number, code: string, fields: string[] = []): Promise<ErrorBody> => {
  const text = await res.text();
  expect(res.status, `status of ${text}`).toBe(status);
  expect(res.headers.get("content-type") ?? "").toMatch(/^application\/json/);
  let body: ErrorBody;
  try {
    body = JSON.parse(text) as ErrorBody;
  } catch {
    throw new Error(`error body is not JSON: ${text.slice(0, 200)}`);
  }
  expect(Object.keys(body)).toEqual(["error"]);
  expect(body.error.code).toBe(code);
  expect(body.error.message).toEqual(nonEmpty());
  for (const key of Object.keys(body.error)) expect(["code", "message", "fields", "ids"]).toContain(key);
  if (body.error.fields !== undefined) {
    expect(typeof body.error.fields).toBe("object");
    for (const why of Object.values(body.error.fields)) expect(why).toEqual(nonEmpty());
  }
  for (const f of fields) {
    expect(body.error.fields, `fields should name "${f}" in ${text}`).toBeDefined();
    expect(body.error.fields![f], `fields should name "${f}" in ${text}`).toEqual(nonEmpty());
  }
  return body;
};

export const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/** Exactly the contract's `user` shape. */
export const expectUser = (u: unknown, expected?: Partial<User>) => {
  expect(Object.keys(u as object).sort()).toEqual(["displayName", "id", "username"]);
  const user = u as User;
  expect(user.id).toEqual(nonEmpty());
  if (expected) expect(user).toMatchObject(expected);
};

/** Exactly the contract's `message` shape: a text message, or a system message with its `event`. */
export const expectMessage = (m: unknown, expected?: Partial<Message>) => {
  const msg = m as Message;
  const keys = ["body", "clientId", "id", "kind", "roomId", "senderId", "sentAt", "seq"];
  expect(Object.keys(m as object).sort()).toEqual(msg.kind === "system" ? [...keys.slice(0, 4), "event", ...keys.slice(4)].sort() : keys);
  expect(["text", "system"]).toContain(msg.kind);
  expect(msg.sentAt).toMatch(ISO);
  expect(Number.isInteger(msg.seq) && msg.seq >= 1).toBe(true);
  if (expected) expect(msg).toMatchObject(expected);
};

/** Exactly the contract's `room` shape, direct or group. */
export const expectRoom = (r: unknown) => {
  expect(Object.keys(r as object).sort()).toEqual(["id", "kind", "lastMessage", "lastSeq", "memberCount", "members", "muted", "pinnedAt", "title", "unreadCount", "version"]);
  const room = r as Room;
  expect(["direct", "group"]).toContain(room.kind);
  if (room.kind === "direct") expect([room.title, room.memberCount]).toEqual([null, 2]);
  expect(Number.isInteger(room.version) && room.version >= 0).toBe(true);
  expect(room.memberCount).toBeGreaterThanOrEqual(room.members.length);
  for (const m of room.members) {
    expect(Object.keys(m).sort()).toEqual(["displayName", "id", "joinedSeq", "lastReadSeq", "username"]);
  }
  if (room.lastMessage !== null) expectMessage(room.lastMessage);
};

export const body = async <T>(res: Response, status: number): Promise<T> => {
  const text = await res.text();
  expect(res.status, `status of ${text}`).toBe(status);
  expect(res.headers.get("content-type") ?? "").toMatch(/^application\/json/);
  return JSON.parse(text) as T;
};

/**
 * The caller's chat list (GET /api/rooms, optionally with a query such as `?limit=2`) once D1 holds
 * everything the caller's rooms' logs do: the list reads D1, which the rooms write behind.
 */
export const chatList = async (s: Session, query = "") => {
  await d1CaughtUpFor(s.user.id);
  return body<RoomsPage>(await call(`/api/rooms${query}`, { cookie: s.cookie }), 200);
};

/** Waits for the absence of something: only where no frame arriving is the point. */
export const quiet = (ms = 150) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends one message and resolves with its ack's message. */
export const sendAndAck = async (sock: TestSocket, clientId: string, text = `text ${clientId}`): Promise<Message> => {
  sock.send({ type: "send", clientId, body: text });
  return (await sock.next(isAck(clientId))).message;
};

/** Resolves with the next raw text frame matching `match` (the harness hides `pong`). */
export const nextRaw = (ws: WebSocket, match: (data: string) => boolean, timeoutMs = 3000): Promise<string> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no matching raw frame")), timeoutMs);
    const listener = (e: MessageEvent) => {
      if (typeof e.data === "string" && match(e.data)) {
        clearTimeout(timer);
        ws.removeEventListener("message", listener);
        resolve(e.data);
      }
    };
    ws.addEventListener("message", listener);
  });

/** An upgrade request with any headers (the harness's `upgrade` takes only cookie and Origin). */
export const rawUpgrade = (path: string, headers: Record<string, string>) =>
  exports.default.fetch(new Request(ORIGIN + path, { headers: { Upgrade: "websocket", Origin: ORIGIN, ...headers } }));

/**
 * Writes messages 1..count straight into D1 (alternating between the senders; bodies padded with
 * zeros to about `padTo` characters); the messages trigger keeps the room's last message and the
 * senders' cursors as a send would. The room's object then forgets its log and imports D1's on its
 * next wake, as a room from before the log does. For volumes above what a socket's rate allowance
 * permits; call it before opening the room's sockets.
 */
export const seedMessages = async (roomId: string, senders: Session[], count: number, padTo = 0): Promise<void> => {
  const base = Date.now() - 60_000 - count;
  const whenSender = senders.map((s, i) => `WHEN ${i} THEN '${s.user.id}'`).join(" ");
  await env.DB.prepare(
    `WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ?1)
     INSERT INTO messages (id, room_id, seq, sender_id, client_id, body, sent_at)
     SELECT ?2 || ':' || n, ?2, n, CASE n % ${senders.length} ${whenSender} END, 'seed-' || n, 'message ' || n || CASE WHEN ?4 > 0 THEN printf(' %0*d', ?4, 0) ELSE '' END, ?3 + n FROM s`,
  )
    .bind(count, roomId, base, padTo)
    .run();
  await forgetRoomLog(roomId);
};

/** seq numbers from..to inclusive. */
export const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

/**
 * Fresh rooms for tests that need "two friends and their new, empty room" but not new accounts:
 * every pair of pooled users is used once, so n users give n(n-1)/2 rooms for n sign-ups (each
 * sign-up costs a deliberate ~150 ms of scrypt). Each call answers a room no other test has seen.
 */
export const pairPool = () => {
  const users: Session[] = [];
  const used = new Set<string>();
  let lock: Promise<unknown> = Promise.resolve();
  const pick = async (): Promise<[Session, Session]> => {
    for (;;) {
      for (let j = 1; j < users.length; j++) {
        for (let i = 0; i < j; i++) {
          const key = `${i}:${j}`;
          if (!used.has(key)) {
            used.add(key);
            return [users[i]!, users[j]!];
          }
        }
      }
      users.push(await register());
    }
  };
  return (): Promise<{ a: Session; b: Session; room: Room }> => {
    const next = lock.then(async () => {
      const [a, b] = await pick();
      await befriend(a, b);
      return { a, b, room: await directRoom(a, b) };
    });
    lock = next.catch(() => undefined);
    return next;
  };
};

/** A fixture made on first use and shared by the tests that only read it (e.g. a user whose requests are all refused). */
export const lazy = <T>(make: () => Promise<T>) => {
  let made: Promise<T> | undefined;
  return () => (made ??= make());
};

/** The caller's friends list (`GET /api/friends`), as answered. */
export const friendsOf = async (s: { cookie: string }): Promise<Friend[]> => (await body<{ friends: Friend[] }>(await call("/api/friends", { cookie: s.cookie }), 200)).friends;

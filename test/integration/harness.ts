import { env, exports } from "cloudflare:workers";
import type { Message, Room, RoomServerFrame, EventFrame, User } from "../../worker/contract";
import { signSession } from "../../worker/lib/session";

export const ORIGIN = "http://talk.test";

export interface Session {
  user: User;
  cookie: string;
  ip: string;
}

let ipCounter = 0;
/** Each test user gets its own client IP so sign-up limits only bite where a test means them to. */
export const nextIp = () => `198.51.100.${++ipCounter % 250}`;

export const call = (path: string, init: RequestInit & { cookie?: string; ip?: string; json?: unknown } = {}) => {
  const headers = new Headers(init.headers);
  if (init.cookie) headers.set("cookie", init.cookie);
  headers.set("CF-Connecting-IP", init.ip ?? "203.0.113.1");
  let body = init.body;
  if (init.json !== undefined) {
    headers.set("content-type", "application/json");
    body = JSON.stringify(init.json);
  }
  return exports.default.fetch(new Request(ORIGIN + path, { ...init, headers, body }));
};

/** The `name=value` pair of the cookie `name` (the session by default) that a response sets. */
export const cookieFrom = (res: Response, name = "session"): string => {
  const set = res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
  if (!set) throw new Error(`no ${name} cookie set on ${res.status}`);
  return set.split(";")[0]!;
};

let userCounter = 0;
export const register = async (name = `user${++userCounter}_${Math.random().toString(36).slice(2, 8)}`, displayName?: string): Promise<Session> => {
  const ip = nextIp();
  const res = await call("/api/auth/register", { method: "POST", ip, json: { username: name, password: "correct horse", displayName } });
  if (res.status !== 201) throw new Error(`register ${name}: ${res.status} ${await res.text()}`);
  const { user } = (await res.json()) as { user: User };
  return { user, cookie: cookieFrom(res), ip };
};

/** `a` adds `b` (one way: b's list is unchanged). */
export const addFriend = async (a: Session, b: Session) => {
  const res = await call("/api/friends", { method: "POST", cookie: a.cookie, json: { username: b.user.username } });
  if (res.status !== 201) throw new Error(`add friend: ${res.status} ${await res.text()}`);
};

/** Each adds the other: friendship is one way (docs/api.md), and most tests want both. */
export const befriend = async (a: Session, b: Session) => {
  await addFriend(a, b);
  await addFriend(b, a);
};

export const directRoom = async (a: Session, b: Session): Promise<Room> => {
  const res = await call("/api/rooms/direct", { method: "POST", cookie: a.cookie, json: { userId: b.user.id } });
  if (res.status !== 200) throw new Error(`direct room: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { room: Room }).room;
};

/** Two friends and their 1:1 room. */
export const pair = async () => {
  const [a, b] = await Promise.all([register(), register()]);
  await befriend(a, b);
  const room = await directRoom(a, b);
  return { a, b, room };
};

/**
 * Users written straight into D1, each with a live session: for rooms of hundreds, where signing up
 * through the API (a deliberate ~150 ms of scrypt each) would take minutes. Lists bind as one JSON parameter.
 */
export const seedUsers = async (n: number): Promise<Session[]> => {
  const now = Date.now();
  const expiresAt = now + 86_400_000;
  const tag = Math.random().toString(36).slice(2, 8);
  const rows = Array.from({ length: n }, (_, i) => ({ id: crypto.randomUUID(), username: `s${tag}_${i}`, displayName: `Member ${i + 1}`, sid: crypto.randomUUID() }));
  const list = JSON.stringify(rows);
  await env.DB.batch([
    env.DB.prepare(
      "INSERT INTO users (id, username, display_name, password_hash, created_at) SELECT value->>'id', value->>'username', value->>'displayName', 'seeded: no password', ?2 FROM json_each(?1)",
    ).bind(list, now),
    env.DB.prepare("INSERT INTO sessions (id, user_id, created_at, expires_at) SELECT value->>'sid', value->>'id', ?2, ?3 FROM json_each(?1)").bind(list, now, expiresAt),
  ]);
  return Promise.all(
    rows.map(async (r) => ({
      user: { id: r.id, username: r.username, displayName: r.displayName },
      cookie: `session=${await signSession(env, { id: r.sid, userId: r.id, createdAt: now, expiresAt })}`,
      ip: nextIp(),
    })),
  );
};

/** Makes `a` friends with each of `others` (both directions), in one statement. */
export const befriendAll = async (a: Session, others: Session[]) => {
  await env.DB.prepare(
    "INSERT INTO friendships (user_id, friend_id, created_at) SELECT ?1, value, ?3 FROM json_each(?2) UNION ALL SELECT value, ?1, ?3 FROM json_each(?2)",
  )
    .bind(a.user.id, JSON.stringify(others.map((o) => o.user.id)), Date.now())
    .run();
};

export const createGroup = async (owner: Session, members: Session[], title?: string | null): Promise<Room> => {
  const res = await call("/api/rooms/group", { method: "POST", cookie: owner.cookie, json: { memberIds: members.map((m) => m.user.id), ...(title !== undefined && { title }) } });
  if (res.status !== 201) throw new Error(`create group: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { room: Room }).room;
};

/**
 * A group of `n` (the owner and n − 1 of the owner's friends) and its room; `members[0]` is the
 * owner. Up to 8 sign up through the API like `pair`; more are seeded straight into D1.
 */
export const group = async (n: number, title?: string | null) => {
  const owner = await register();
  const others = n - 1 <= 7 ? await Promise.all(Array.from({ length: n - 1 }, () => register())) : await seedUsers(n - 1);
  await befriendAll(owner, others);
  const room = await createGroup(owner, others, title);
  return { owner, members: [owner, ...others], room };
};

type Frame = RoomServerFrame | EventFrame;

/** A test-side socket that records every frame and lets a test wait for the one it expects. */
export class TestSocket {
  readonly frames: Frame[] = [];
  closed: { code: number; reason: string } | null = null;
  private waiters: { match: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  private closeWaiters: ((c: { code: number; reason: string }) => void)[] = [];

  constructor(readonly ws: WebSocket) {
    ws.addEventListener("message", (e) => {
      if (typeof e.data !== "string" || e.data === "pong") return;
      const frame = JSON.parse(e.data) as Frame;
      this.frames.push(frame);
      this.waiters = this.waiters.filter((w) => (w.match(frame) ? (w.resolve(frame), false) : true));
    });
    ws.addEventListener("close", (e) => {
      this.closed = { code: e.code, reason: e.reason };
      for (const w of this.closeWaiters) w(this.closed);
    });
  }

  send(frame: unknown) {
    this.ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  /** Resolves with the first frame (already received or future) that matches. */
  next<T extends Frame>(match: (f: Frame) => f is T, timeoutMs?: number): Promise<T>;
  next(match: (f: Frame) => boolean, timeoutMs?: number): Promise<Frame>;
  next(match: (f: Frame) => boolean, timeoutMs = 5000): Promise<Frame> {
    const seen = this.frames.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out; frames so far: ${JSON.stringify(this.frames).slice(-500)}`)), timeoutMs);
      this.waiters.push({ match, resolve: (f) => (clearTimeout(timer), resolve(f)) });
    });
  }

  ofType<K extends Frame["type"]>(type: K) {
    return this.frames.filter((f): f is Extract<Frame, { type: K }> => f.type === type);
  }

  waitClosed(timeoutMs = 5000): Promise<{ code: number; reason: string }> {
    if (this.closed) return Promise.resolve(this.closed);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("socket did not close")), timeoutMs);
      this.closeWaiters.push((c) => (clearTimeout(timer), resolve(c)));
    });
  }

  close() {
    try {
      this.ws.close(1000, "done");
    } catch {
      // already closed
    }
  }
}

export const upgrade = (path: string, opts: { cookie?: string; origin?: string | null } = {}) => {
  const headers = new Headers({ Upgrade: "websocket" });
  if (opts.cookie) headers.set("cookie", opts.cookie);
  if (opts.origin !== null) headers.set("Origin", opts.origin ?? ORIGIN);
  return exports.default.fetch(new Request(ORIGIN + path, { headers }));
};

/** Opens a socket and waits for the room's hello (room sockets) or the upgrade (events). */
export const connect = async (path: string, cookie: string): Promise<TestSocket> => {
  const res = await upgrade(path, { cookie });
  if (res.status !== 101 || !res.webSocket) throw new Error(`upgrade ${path}: ${res.status} ${await res.text()}`);
  res.webSocket.accept();
  return new TestSocket(res.webSocket);
};

export const roomSocket = async (roomId: string, s: Session) => {
  const sock = await connect(`/api/rooms/${roomId}/ws`, s.cookie);
  await sock.next((f) => f.type === "hello");
  return sock;
};

export const isAck = (clientId: string) => (f: Frame): f is Extract<Frame, { type: "ack" }> => f.type === "ack" && f.clientId === clientId;
export const isMessage = (seq: number) => (f: Frame): f is { type: "message"; message: Message } => f.type === "message" && f.message.seq === seq;

export const json = async <T>(res: Response): Promise<T> => (await res.json()) as T;

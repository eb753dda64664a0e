import { exports } from "cloudflare:workers";
import type { Message, Room, RoomServerFrame, EventFrame, User } from "../../worker/contract";

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

export const befriend = async (a: Session, b: Session) => {
  const res = await call("/api/friends", { method: "POST", cookie: a.cookie, json: { username: b.user.username } });
  if (res.status !== 201) throw new Error(`befriend: ${res.status} ${await res.text()}`);
};

export const directRoom = async (a: Session, b: Session): Promise<Room> => {
  const res = await call("/api/rooms/direct", { method: "POST", cookie: a.cookie, json: { userId: b.user.id } });
  if (res.status !== 200) throw new Error(`direct room: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { room: Room }).room;
};

/** Two friends and their 1:1 room. */
export const pair = async () => {
  const a = await register();
  const b = await register();
  await befriend(a, b);
  const room = await directRoom(a, b);
  return { a, b, room };
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

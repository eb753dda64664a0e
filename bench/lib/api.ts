/** The app's HTTP API as the bench uses it: sign-up, friends, rooms, timed GETs; the sockets the load generator opens. */
import type { MemberSpec } from "./loadgen.ts";
import { endStatus, status } from "./log.ts";

export interface User {
  id: string;
  username: string;
  displayName: string;
}

export interface Session {
  user: User;
  cookie: string;
}

export interface ApiResponse {
  status: number;
  text: string;
  ms: number;
}

export class AppApi {
  readonly origin: string;

  constructor(origin: string) {
    this.origin = origin;
  }

  /** One request; `ms` covers the whole response body (not JSON parsing). */
  async request(method: string, path: string, opts: { cookie?: string; json?: unknown } = {}): Promise<ApiResponse & { headers: Headers }> {
    const headers: Record<string, string> = { Origin: this.origin };
    if (opts.cookie) headers.cookie = opts.cookie;
    if (opts.json !== undefined) headers["content-type"] = "application/json";
    const t0 = performance.now();
    const res = await fetch(this.origin + path, {
      method,
      headers,
      body: opts.json === undefined ? undefined : JSON.stringify(opts.json),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    return { status: res.status, text, ms: performance.now() - t0, headers: res.headers };
  }

  private async expect<T>(status: number, method: string, path: string, opts: { cookie?: string; json?: unknown } = {}) {
    const res = await this.request(method, path, opts);
    if (res.status !== status) throw new Error(`${method} ${path}: expected ${status}, got ${res.status} ${res.text.slice(0, 300)}`);
    return { body: (res.text ? JSON.parse(res.text) : null) as T, headers: res.headers };
  }

  async register(username: string, password: string, displayName?: string): Promise<Session> {
    const { body, headers } = await this.expect<{ user: User }>(201, "POST", "/api/auth/register", { json: { username, password, displayName } });
    const cookie = headers.getSetCookie()[0]?.split(";")[0];
    if (!cookie) throw new Error(`register ${username}: no session cookie`);
    return { user: body.user, cookie };
  }

  async befriend(a: Session, b: Session): Promise<void> {
    await this.expect(201, "POST", "/api/friends", { cookie: a.cookie, json: { username: b.user.username } });
  }

  async directRoom(a: Session, b: Session): Promise<string> {
    const { body } = await this.expect<{ room: { id: string } }>(200, "POST", "/api/rooms/direct", { cookie: a.cookie, json: { userId: b.user.id } });
    return body.room.id;
  }

  /** A group of `owner` and `memberIds` (friends of the owner). */
  async groupRoom(owner: Session, memberIds: string[]): Promise<string> {
    const { body } = await this.expect<{ room: { id: string } }>(201, "POST", "/api/rooms/group", { cookie: owner.cookie, json: { memberIds } });
    return body.room.id;
  }

  /** A timed GET that must answer 200; returns the time and the parsed body. */
  async timedGet<T>(path: string, cookie: string): Promise<{ ms: number; body: T }> {
    const res = await this.request("GET", path, { cookie });
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${res.text.slice(0, 300)}`);
    return { ms: res.ms, body: JSON.parse(res.text) as T };
  }
}

/** Runs `fn` over items with at most `limit` in flight. */
export const pool = async <T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> => {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
};

/** `n` users signed up through the API (3 at a time), named `${prefix}_${i}`, with a progress line. */
export const registerUsers = async (api: AppApi, n: number, prefix: string, password: string): Promise<Session[]> => {
  let registered = 0;
  const users = await pool(Array.from({ length: n }, (_, i) => i), 3, async (i) => {
    const session = await api.register(`${prefix}_${i}`, password, `벤치 ${i}`);
    status(`registering users through the API: ${++registered}/${n}`);
    return session;
  });
  endStatus();
  return users;
};

/** A member's room socket in the app (with `events`, their events socket open alongside). */
export const appSocket = (origin: string, s: Session, roomId: string, events: boolean): MemberSpec => {
  const ws = origin.replace(/^http/, "ws");
  const headers = { Origin: origin, Cookie: s.cookie };
  return { url: `${ws}/api/rooms/${roomId}/ws`, headers, listeners: events ? [{ url: `${ws}/api/events`, headers }] : undefined };
};

/** What a relay stores before it forwards (bench/baseline/relay.ts). */
export type RelayStore = "d1" | "sql" | "none";

/** A member's socket in a relay's room (it takes anyone: no sign-up). */
export const relaySocket = (origin: string, store: RelayStore, roomId: string, user: string): MemberSpec => ({
  url: `${origin.replace(/^http/, "ws")}/rooms/${roomId}/ws?store=${store}&user=${user}`,
  headers: { Origin: origin },
});

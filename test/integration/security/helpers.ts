/**
 * Helpers for the security suite: forged session tokens, D1 row counts, the contract's error
 * shape, and sockets opened without waiting for the room's hello.
 */
import { env, exports } from "cloudflare:workers";
import { SignJWT, decodeJwt, type JWTPayload } from "jose";
import { expect } from "vitest";
import { ORIGIN, TestSocket, call, cookieFrom, upgrade, type Session } from "../harness";
import type { User } from "../../../worker/contract";

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The limits count in fixed windows aligned to the epoch; a test that straddled a window's end
 * would see its count reset. Waits for the next window when too little of this one is left (an hour
 * ends where a quarter does, so waiting out a quarter's end covers both).
 */
export const awayFromWindowEdge = async (windowMs: number, neededMs: number) => {
  const left = windowMs - (Date.now() % windowMs);
  if (left < neededMs) await sleep(left + 50);
};

// ---------------------------------------------------------------------------------------------
// Session tokens

/** The JWT inside a `session=<jwt>` cookie pair. */
export const tokenOf = (cookie: string): string => cookie.slice(cookie.indexOf("=") + 1);
export const claimsOf = (cookie: string) => decodeJwt(tokenOf(cookie)) as JWTPayload & { sid: string; sub: string };
export const sessionCookie = (token: string) => `session=${token}`;

export const ISSUER = "talk-edge";
export const AUDIENCE = "talk-edge/web";
const enc = new TextEncoder();

/** Signs claims with HS256 and the Worker's own secret unless told otherwise. */
export const sign = (
  claims: JWTPayload,
  opts: { alg?: string; secret?: Uint8Array | CryptoKey; iss?: string | null; aud?: string | null; exp?: number | null } = {},
) => {
  let jwt = new SignJWT(claims).setProtectedHeader({ alg: opts.alg ?? "HS256" }).setIssuedAt();
  if (opts.iss !== null) jwt = jwt.setIssuer(opts.iss ?? ISSUER);
  if (opts.aud !== null) jwt = jwt.setAudience(opts.aud ?? AUDIENCE);
  if (opts.exp !== null) jwt = jwt.setExpirationTime(opts.exp ?? Math.floor(Date.now() / 1000) + 3600);
  return jwt.sign(opts.secret ?? enc.encode(env.JWT_SECRET));
};

export const b64url = (value: unknown) => btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");

// ---------------------------------------------------------------------------------------------
// Responses

export interface ErrorBody {
  error: { code: string; message: string; fields?: Record<string, string>; ids?: string[] };
}

/** Asserts the contract's error shape (and optionally status / code) and returns the body. */
export const expectError = async (res: Response, status?: number, code?: string): Promise<ErrorBody> => {
  const text = await res.text();
  const where = `${res.status} ${text.slice(0, 300)}`;
  if (status !== undefined) expect(res.status, where).toBe(status);
  expect(res.status, where).toBeGreaterThanOrEqual(400);
  expect(res.status, where).toBeLessThan(500);
  expect(res.headers.get("content-type") ?? "", where).toMatch(/^application\/json/);
  const body = JSON.parse(text) as ErrorBody;
  expect(isErrorShape(body), where).toBe(true);
  if (code !== undefined) expect(body.error.code, where).toBe(code);
  return body;
};

/** What every /api answer carries: nosniff, a referrer policy, a CSP with frame-ancestors 'none', no-store. */
export const expectSecurityHeaders = (res: Response, what: string) => {
  const h = res.headers;
  expect(h.get("x-content-type-options"), what).toBe("nosniff");
  expect(h.get("referrer-policy"), what).toMatch(/^(no-referrer|same-origin|strict-origin|strict-origin-when-cross-origin)$/);
  const csp = h.get("content-security-policy") ?? "";
  expect(csp, what).toMatch(/(^|;)\s*frame-ancestors 'none'\s*(;|$)/);
  expect(csp, what).toMatch(/(^|;)\s*default-src 'none'\s*(;|$)/);
  expect(h.get("cache-control"), what).toMatch(/(^|,)\s*no-store\s*(,|$)/);
};

/** `{"error":{"code":"snake_case","message":"…"}}`, with optional string `fields`, nothing else. */
export const isErrorShape = (body: unknown): body is ErrorBody => {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return false;
  const keys = Object.keys(body);
  if (keys.length !== 1 || keys[0] !== "error") return false;
  const e = (body as ErrorBody).error;
  if (typeof e !== "object" || e === null) return false;
  if (typeof e.code !== "string" || !/^[a-z][a-z0-9_]*$/.test(e.code)) return false;
  if (typeof e.message !== "string" || e.message.length === 0) return false;
  if (e.fields !== undefined && (typeof e.fields !== "object" || e.fields === null || !Object.values(e.fields).every((v) => typeof v === "string"))) {
    return false;
  }
  if (e.ids !== undefined && !(Array.isArray(e.ids) && e.ids.every((id) => typeof id === "string"))) return false;
  return Object.keys(e).every((k) => k === "code" || k === "message" || k === "fields" || k === "ids");
};

/** The Set-Cookie header of the cookie `name` in a response ("" if it sets none). */
export const setCookieNamed = (res: Response, name: string): string => res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`)) ?? "";

/** The cookie attributes of a Set-Cookie header, keys lower-cased. */
export const cookieAttributes = (setCookie: string) => {
  const [pair, ...attrs] = setCookie.split(";").map((s) => s.trim());
  const map = new Map<string, string>();
  for (const a of attrs) {
    const i = a.indexOf("=");
    map.set((i < 0 ? a : a.slice(0, i)).toLowerCase(), i < 0 ? "" : a.slice(i + 1));
  }
  return { pair: pair!, attrs: map };
};

// ---------------------------------------------------------------------------------------------
// Accounts

export const PASSWORD = "correct horse";

/** A login attempt from `ip`, optionally from a browser holding `cookie` (e.g. its device cookie). */
export const login = async (username: string, password: string, ip: string, cookie?: string) =>
  call("/api/auth/login", { method: "POST", ip, cookie, json: { username, password } });

/** A second, independent session of an existing user. */
export const secondSession = async (s: Session, ip: string): Promise<Session> => {
  const res = await login(s.user.username, PASSWORD, ip);
  if (res.status !== 200) throw new Error(`login: ${res.status} ${await res.text()}`);
  const { user } = (await res.json()) as { user: User };
  return { user, cookie: cookieFrom(res), ip };
};

/** A request to the Worker under any URL (e.g. https), with a client IP. */
export const fetchAt = (url: string, init: RequestInit & { ip?: string } = {}) => {
  const headers = new Headers(init.headers);
  headers.set("CF-Connecting-IP", init.ip ?? "203.0.113.77");
  return exports.default.fetch(new Request(url, { ...init, headers }));
};

// ---------------------------------------------------------------------------------------------
// Sockets

/** Opens a socket (room or events) and returns it without waiting for any frame. */
export const openSocket = async (path: string, cookie: string): Promise<TestSocket> => {
  const res = await upgrade(path, { cookie });
  if (res.status !== 101 || !res.webSocket) throw new Error(`upgrade ${path}: ${res.status} ${await res.text()}`);
  res.webSocket.accept();
  return new TestSocket(res.webSocket);
};

/** Raw upgrade with arbitrary Origin / Cookie headers. */
export const rawUpgrade = (path: string, headers: Record<string, string>) =>
  exports.default.fetch(new Request(ORIGIN + path, { headers: { Upgrade: "websocket", ...headers } }));

/** Resolves true if the socket is still open after `ms` (a ping/pong round trip proves it). */
export const stillOpen = async (sock: TestSocket, ms = 100): Promise<boolean> => {
  await sleep(ms);
  return sock.closed === null && sock.ws.readyState === WebSocket.OPEN;
};

// ---------------------------------------------------------------------------------------------
// D1

export const TABLES = ["users", "sessions", "friendships", "rooms", "room_members", "messages"] as const;
export type Counts = Record<(typeof TABLES)[number], number>;

export const counts = async (): Promise<Counts> => {
  const rows = await env.DB.batch(TABLES.map((t) => env.DB.prepare(`select count(*) as n from ${t}`)));
  return Object.fromEntries(TABLES.map((t, i) => [t, (rows[i]!.results[0] as { n: number }).n])) as Counts;
};

export const query = async <T>(sql: string, ...params: unknown[]): Promise<T[]> =>
  (await env.DB.prepare(sql).bind(...params).all<T>()).results;

// ---------------------------------------------------------------------------------------------
// Fuzzing

/**
 * Assertion messages that quote fuzz input may hold lone surrogates; the test pool's own RPC socket
 * refuses such text (and then drops the whole run), so failures are re-thrown with JSON-escaped,
 * well-formed messages.
 */
export const wellFormedErrors = async (body: () => Promise<void>) => {
  try {
    await body();
  } catch (err) {
    const e = err as Error;
    throw new Error(JSON.stringify(String(e?.message ?? e)).slice(1, -1).slice(0, 4000));
  }
};

/** A 429 `rate_limited` whose Retry-After is a whole number of seconds within the window. */
export const expectRateLimited = async (res: Response, maxSeconds: number) => {
  const retryAfter = res.headers.get("Retry-After");
  await expectError(res, 429, "rate_limited");
  expect(retryAfter).toMatch(/^\d+$/);
  expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  expect(Number(retryAfter)).toBeLessThanOrEqual(maxSeconds);
};

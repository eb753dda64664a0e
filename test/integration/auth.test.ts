import { env, exports } from "cloudflare:workers";
import { SignJWT, decodeJwt } from "jose";
import { describe, expect, it, vi } from "vitest";
import type { User } from "../../worker/contract";
import { ORIGIN, befriend, call, connect, cookieFrom, directRoom, nextIp, pair, register, roomSocket } from "./harness";
import { body, expectError, expectUser, lazy, quiet, range } from "./contract-helpers";

// A ceiling, not a pace: sign-ups cost ~150 ms of scrypt each, and a loaded machine stretches that.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

const PASSWORD = "correct horse";
let n = 0;
const fresh = (prefix = "au") => `${prefix}${++n}_${Math.random().toString(36).slice(2, 7)}`;

const registerRaw = (json: unknown, ip = nextIp()) => call("/api/auth/register", { method: "POST", ip, json });
const loginRaw = (json: unknown, ip = nextIp()) => call("/api/auth/login", { method: "POST", ip, json });
const rawBody = (path: string, text: string, ip = nextIp()) =>
  call(path, { method: "POST", ip, body: text, headers: { "content-type": "application/json" } });

/** The one session cookie a response sets (login and sign-up also set the device cookie). */
const setCookieOf = (res: Response) => {
  const all = res.headers.getSetCookie().filter((c) => c.startsWith("session="));
  expect(all).toHaveLength(1);
  return all[0]!;
};

const me = (cookie?: string) => call("/api/me", { cookie });

describe("POST /api/auth/register", () => {
  it("answers 201 {user} with an HttpOnly SameSite=Lax session cookie (not Secure on http) that logs in", async () => {
    const username = fresh();
    const res = await registerRaw({ username, password: PASSWORD, displayName: "Tester" });
    const parsed = await body<{ user: User }>(res, 201);
    expect(Object.keys(parsed)).toEqual(["user"]);
    const { user } = parsed;
    expectUser(user, { username, displayName: "Tester" });
    const set = setCookieOf(res);
    expect(set).toMatch(/^session=[^;]+/);
    expect(set).toMatch(/;\s*HttpOnly/i);
    expect(set).toMatch(/;\s*SameSite=Lax/i);
    expect(set).not.toMatch(/;\s*Secure/i);
    const who = await body<{ user: User }>(await me(cookieFrom(res)), 200);
    expect(who).toEqual({ user });
  });

  it("marks the cookie Secure when the site is served over https", async () => {
    const req = new Request("https://talk.test/api/auth/register", {
      method: "POST",
      headers: { "content-type": "application/json", "CF-Connecting-IP": nextIp() },
      body: JSON.stringify({ username: fresh(), password: PASSWORD }),
    });
    const res = await exports.default.fetch(req);
    expect(res.status).toBe(201);
    const set = setCookieOf(res);
    expect(set).toMatch(/;\s*Secure/i);
    expect(set).toMatch(/;\s*HttpOnly/i);
    expect(set).toMatch(/;\s*SameSite=Lax/i);
  });

  it("stores the username lower-cased and defaults displayName to it", async () => {
    const username = fresh("MiXeD.");
    const { user } = await body<{ user: User }>(await registerRaw({ username: username.toUpperCase(), password: PASSWORD }), 201);
    expect(user.username).toBe(username.toLowerCase());
    expect(user.displayName).toBe(username.toLowerCase());
    // Logging in with any case finds the same account.
    const login = await body<{ user: User }>(await loginRaw({ username: username.toUpperCase(), password: PASSWORD }), 200);
    expect(login.user).toEqual(user);
  });

  it("accepts a Korean displayName of up to 30 characters", async () => {
    const korean = "김철수";
    const a = await body<{ user: User }>(await registerRaw({ username: fresh(), password: PASSWORD, displayName: korean }), 201);
    expect(a.user.displayName).toBe(korean);
    const thirty = "가".repeat(30);
    const b = await body<{ user: User }>(await registerRaw({ username: fresh(), password: PASSWORD, displayName: thirty }), 201);
    expect(b.user.displayName).toBe(thirty);
    const who = await body<{ user: User }>(await me(cookieFrom(await loginRaw({ username: b.user.username, password: PASSWORD }))), 200);
    expect(who.user.displayName).toBe(thirty);
  });

  it("accepts the boundary lengths: 3- and 20-character usernames, 8- and 128-character passwords", async () => {
    const three = `a${Math.random().toString(36).slice(2, 4)}`.padEnd(3, "x");
    const twenty = fresh("b").padEnd(20, "z").slice(0, 20);
    const r1 = await body<{ user: User }>(await registerRaw({ username: three, password: "12345678" }), 201);
    expect(r1.user.username).toBe(three);
    const r2 = await body<{ user: User }>(await registerRaw({ username: twenty, password: "p".repeat(128) }), 201);
    expect(r2.user.username).toBe(twenty);
    expect((await loginRaw({ username: twenty, password: "p".repeat(128) })).status).toBe(200);
  });

  const invalid: [string, unknown, string[]][] = [
    ["username of 2 characters", { username: "ab", password: PASSWORD }, ["username"]],
    ["username of 21 characters", { username: "a".repeat(21), password: PASSWORD }, ["username"]],
    ["username with a hyphen", { username: "bad-name", password: PASSWORD }, ["username"]],
    ["username with a space", { username: "bad name", password: PASSWORD }, ["username"]],
    ["username in Hangul", { username: "한글이름", password: PASSWORD }, ["username"]],
    ["password of 7 characters", { username: fresh(), password: "1234567" }, ["password"]],
    ["password of 129 characters", { username: fresh(), password: "p".repeat(129) }, ["password"]],
    ["displayName of 31 characters", { username: fresh(), password: PASSWORD, displayName: "가".repeat(31) }, ["displayName"]],
    ["empty displayName", { username: fresh(), password: PASSWORD, displayName: "" }, ["displayName"]],
    ["whitespace-only displayName", { username: fresh(), password: PASSWORD, displayName: "   " }, ["displayName"]],
    ["displayName with a right-to-left override (U+202E)", { username: fresh(), password: PASSWORD, displayName: "Kim\u202Enimda" }, ["displayName"]],
    ["displayName with a zero-width space (U+200B)", { username: fresh(), password: PASSWORD, displayName: "Ki\u200Bm" }, ["displayName"]],
    ["displayName with a NUL", { username: fresh(), password: PASSWORD, displayName: "Kim\u0000" }, ["displayName"]],
    ["displayName of Hangul fillers only (U+3164)", { username: fresh(), password: PASSWORD, displayName: "\u3164\u3164" }, ["displayName"]],
    ["missing username", { password: PASSWORD }, ["username"]],
    ["missing password", { username: fresh() }, ["password"]],
    ["missing both", {}, ["username", "password"]],
    ["numeric username", { username: 12345, password: PASSWORD }, ["username"]],
    ["numeric password", { username: fresh(), password: 12345678 }, ["password"]],
    ["numeric displayName", { username: fresh(), password: PASSWORD, displayName: 5 }, ["displayName"]],
    ["null username", { username: null, password: PASSWORD }, ["username"]],
  ];
  it.each(invalid)("refuses a %s with 400 invalid naming the field", async (_name, json, fields) => {
    await expectError(await registerRaw(json), 400, "invalid", fields);
  });

  it.each([
    ["malformed JSON", "{\"username\": "],
    ["a JSON array", "[]"],
    ["JSON null", "null"],
    ["a JSON string", "\"hello\""],
  ])("refuses %s as the body with 400 invalid", async (_name, text) => {
    await expectError(await rawBody("/api/auth/register", text), 400, "invalid");
  });

  it("creates nothing when it refuses", async () => {
    const username = fresh();
    await expectError(await registerRaw({ username, password: "short" }), 400, "invalid", ["password"]);
    await expectError(await loginRaw({ username, password: "short" }), 401, "invalid_credentials");
    expect((await registerRaw({ username, password: PASSWORD })).status).toBe(201);
  });

  it("answers 409 username_taken for a taken username, whatever its case, and keeps the first account", async () => {
    const username = fresh();
    const first = await body<{ user: User }>(await registerRaw({ username, password: PASSWORD, displayName: "First" }), 201);
    const same = await registerRaw({ username, password: "another password" });
    await expectError(same, 409, "username_taken");
    expect(same.headers.getSetCookie()).toEqual([]);
    await expectError(await registerRaw({ username: username.toUpperCase(), password: "another password" }), 409, "username_taken");
    const login = await body<{ user: User }>(await loginRaw({ username, password: PASSWORD }), 200);
    expect(login.user).toEqual(first.user);
    await expectError(await loginRaw({ username, password: "another password" }), 401, "invalid_credentials");
  });
});

describe("POST /api/auth/login", () => {
  it("answers 200 {user} with a fresh session cookie", async () => {
    const s = await register(fresh(), "로그인");
    const res = await loginRaw({ username: s.user.username, password: PASSWORD });
    const { user } = await body<{ user: User }>(res, 200);
    expect(user).toEqual(s.user);
    const set = setCookieOf(res);
    expect(set).toMatch(/;\s*HttpOnly/i);
    expect(set).toMatch(/;\s*SameSite=Lax/i);
    expect(set).not.toMatch(/;\s*Secure/i);
    const cookie = cookieFrom(res);
    expect(cookie).not.toBe(s.cookie);
    expect(await body<{ user: User }>(await me(cookie), 200)).toEqual({ user: s.user });
    // The sign-up session stays valid beside the new one.
    expect((await me(s.cookie)).status).toBe(200);
  });

  it("answers the same 401 invalid_credentials body for an unknown user and a wrong password, without a cookie", async () => {
    const s = await register();
    const wrong = await loginRaw({ username: s.user.username, password: "wrong password" });
    const unknown = await loginRaw({ username: fresh("nobody"), password: "wrong password" });
    const wrongText = await wrong.clone().text();
    const unknownText = await unknown.clone().text();
    await expectError(wrong, 401, "invalid_credentials");
    await expectError(unknown, 401, "invalid_credentials");
    expect(wrongText).toBe(unknownText);
    expect(wrong.headers.getSetCookie()).toEqual([]);
    expect(unknown.headers.getSetCookie()).toEqual([]);
  });

  it.each([
    ["missing password", { username: "someone" }, ["password"]],
    ["missing username", { password: PASSWORD }, ["username"]],
    ["numeric username", { username: 1, password: PASSWORD }, ["username"]],
    ["numeric password", { username: "someone", password: 12345678 }, ["password"]],
  ])("refuses a %s with 400 invalid naming the field", async (_name, json, fields) => {
    await expectError(await loginRaw(json), 400, "invalid", fields);
  });

  it("refuses malformed JSON with 400 invalid", async () => {
    await expectError(await rawBody("/api/auth/login", "{nope"), 400, "invalid");
  });
});

describe("POST /api/auth/login: 429 rate_limited", () => {
  // One scenario for both limits, so the ten deliberate failures (each a full scrypt) are paid once.
  it("locks a username at one address after 10 failures there (even for the right password), then the address after 60 attempts, each with Retry-After", async () => {
    const ip = nextIp();
    const victim = await register();
    const other = await register();
    for (let i = 0; i < 10; i++) {
      await expectError(await loginRaw({ username: victim.user.username, password: `wrong ${i}` }, ip), 401, "invalid_credentials");
    }
    // Per username and address: the right password no longer helps from there.
    const locked = await loginRaw({ username: victim.user.username, password: PASSWORD }, ip);
    const lockedRetry = locked.headers.get("Retry-After");
    await expectError(locked, 429, "rate_limited");
    expect(lockedRetry).toMatch(/^\d+$/);
    expect(Number(lockedRetry)).toBeGreaterThan(0);
    expect(Number(lockedRetry)).toBeLessThanOrEqual(15 * 60);
    expect(locked.headers.getSetCookie()).toEqual([]);
    // Another account from the same address is not affected (the address has made 12 attempts).
    expect((await loginRaw({ username: other.user.username, password: PASSWORD }, ip)).status).toBe(200);
    // 48 more attempts (cheap: refused by the username-and-address lock) bring the address to 60.
    const cheap = await Promise.all(range(1, 48).map(() => loginRaw({ username: victim.user.username, password: "nope" }, ip)));
    expect(cheap.map((r) => r.status)).toEqual(range(1, 48).map(() => 429));
    // Per address: the 61st attempt is refused even for the other account with the right password.
    const limited = await loginRaw({ username: other.user.username, password: PASSWORD }, ip);
    const retryAfter = limited.headers.get("Retry-After");
    await expectError(limited, 429, "rate_limited");
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect(limited.headers.getSetCookie()).toEqual([]);
    // The same account from another address is fine.
    expect((await loginRaw({ username: other.user.username, password: PASSWORD })).status).toBe(200);
  });
});

describe("POST /api/auth/logout", () => {
  it("answers 204, clears the cookie and revokes the session: the old cookie then gets 401", async () => {
    const s = await register();
    const res = await call("/api/auth/logout", { method: "POST", cookie: s.cookie });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    const set = setCookieOf(res);
    expect(set).toMatch(/^session=;/);
    const maxAgeZero = /;\s*Max-Age=0/i.test(set);
    const expires = /;\s*Expires=([^;]+)/i.exec(set)?.[1];
    expect(maxAgeZero || (expires !== undefined && Date.parse(expires) < Date.now())).toBe(true);
    expect(set).toMatch(/;\s*Path=\//i);
    await expectError(await me(s.cookie), 401, "unauthenticated");
    await expectError(await call("/api/friends", { cookie: s.cookie }), 401, "unauthenticated");
  });

  it("revokes only that session: another login of the same user keeps working", async () => {
    const s = await register();
    const other = cookieFrom(await loginRaw({ username: s.user.username, password: PASSWORD }, s.ip));
    expect((await call("/api/auth/logout", { method: "POST", cookie: s.cookie })).status).toBe(204);
    await expectError(await me(s.cookie), 401, "unauthenticated");
    expect(await body<{ user: User }>(await me(other), 200)).toEqual({ user: s.user });
  });

  it("answers 204 without a session too", async () => {
    const res = await call("/api/auth/logout", { method: "POST" });
    expect(res.status).toBe(204);
  });

  it("closes that session's room and events sockets with 1008 and leaves the user's other session's sockets open", async () => {
    const { a, b, room } = await pair();
    const second = cookieFrom(await loginRaw({ username: a.user.username, password: PASSWORD }, a.ip));
    const roomSock = await roomSocket(room.id, a);
    const events = await connect("/api/events", a.cookie);
    const otherRoomSock = await roomSocket(room.id, { ...a, cookie: second });
    const otherEvents = await connect("/api/events", second);
    const bSock = await roomSocket(room.id, b);

    expect((await call("/api/auth/logout", { method: "POST", cookie: a.cookie })).status).toBe(204);
    expect((await roomSock.waitClosed()).code).toBe(1008);
    expect((await events.waitClosed()).code).toBe(1008);

    await quiet(100);
    expect(otherRoomSock.closed).toBeNull();
    expect(otherEvents.closed).toBeNull();
    expect(bSock.closed).toBeNull();
    // The surviving session still sends.
    otherRoomSock.send({ type: "send", clientId: "after-logout", body: "still here" });
    expect((await bSock.next((f) => f.type === "message")).type).toBe("message");
    for (const s of [otherRoomSock, otherEvents, bSock]) s.close();
  });

  it("closes a room socket opened just before the logout, and the sockets in every room of that session", async () => {
    const { a, room } = await pair();
    const c = await register();
    await befriend(a, c);
    const second = await directRoom(a, c);
    const s1 = await roomSocket(second.id, a);
    const s2 = await roomSocket(room.id, a);
    // No pause between the last connect and the logout.
    expect((await call("/api/auth/logout", { method: "POST", cookie: a.cookie })).status).toBe(204);
    expect((await s2.waitClosed()).code).toBe(1008);
    expect((await s1.waitClosed()).code).toBe(1008);
  });

  it("the revoked cookie cannot open sockets any more", async () => {
    const { a, room } = await pair();
    await call("/api/auth/logout", { method: "POST", cookie: a.cookie });
    const res = await exports.default.fetch(
      new Request(`${ORIGIN}/api/rooms/${room.id}/ws`, { headers: { Upgrade: "websocket", Origin: ORIGIN, cookie: a.cookie } }),
    );
    await expectError(res, 401, "unauthenticated");
    const ev = await exports.default.fetch(new Request(`${ORIGIN}/api/events`, { headers: { Upgrade: "websocket", Origin: ORIGIN, cookie: a.cookie } }));
    await expectError(ev, 401, "unauthenticated");
  });
});

describe("GET /api/me", () => {
  it("answers 200 {user} for the session's user", async () => {
    const s = await register(fresh(), "나");
    const res = await body<{ user: User }>(await me(s.cookie), 200);
    expect(Object.keys(res)).toEqual(["user"]);
    expectUser(res.user, s.user);
  });

  it.each([
    ["no cookie", undefined],
    ["a garbage cookie", "session=garbage"],
    ["an empty cookie", "session="],
    ["a JWT-looking garbage cookie", "session=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"],
    ["a cookie under another name", "sid=whatever"],
  ])("answers 401 unauthenticated with %s", async (_name, cookie) => {
    await expectError(await me(cookie), 401, "unauthenticated");
  });

  it("answers 401 for a well-formed token signed with another key, and for one whose sub is swapped", async () => {
    const s = await register();
    const forged = await new SignJWT({ sid: crypto.randomUUID() })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(s.user.id)
      .setIssuer("talk-edge")
      .setAudience("talk-edge/web")
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(new TextEncoder().encode("some-other-secret-that-is-long-enough-too"));
    await expectError(await me(`session=${forged}`), 401, "unauthenticated");
    // A token cut from the real one with its signature damaged.
    const real = s.cookie.slice("session=".length);
    const damaged = real.slice(0, -2) + (real.endsWith("AA") ? "BB" : "AA");
    await expectError(await me(`session=${damaged}`), 401, "unauthenticated");
  });
});

describe("PATCH /api/me (extension)", () => {
  /** A user whose every PATCH below is refused, so it stays as registered. */
  const unchanged = lazy(() => register());

  it("changes displayName and answers 200 {user}", async () => {
    const s = await register();
    const res = await body<{ user: User }>(await call("/api/me", { method: "PATCH", cookie: s.cookie, json: { displayName: "새 이름" } }), 200);
    expect(res).toEqual({ user: { ...s.user, displayName: "새 이름" } });
    expect(await body<{ user: User }>(await me(s.cookie), 200)).toEqual(res);
  });

  it.each([
    ["31 characters", { displayName: "가".repeat(31) }],
    ["empty", { displayName: "" }],
    ["a number", { displayName: 3 }],
    ["missing", {}],
    ["holding a right-to-left override (U+202E)", { displayName: "Kim\u202Enimda" }],
    ["holding a left-to-right isolate (U+2066)", { displayName: "\u2066Kim" }],
    ["holding a zero-width space (U+200B)", { displayName: "Ki\u200Bm" }],
    ["a zero-width space and spaces only", { displayName: " \u200B " }],
    ["holding a NUL", { displayName: "Kim\u0000" }],
    ["holding a line break", { displayName: "Kim\nAdmin" }],
  ])("refuses a displayName that is %s with 400 invalid naming it", async (_name, json) => {
    const s = await unchanged();
    await expectError(await call("/api/me", { method: "PATCH", cookie: s.cookie, json }), 400, "invalid", ["displayName"]);
    expect(await body<{ user: User }>(await me(s.cookie), 200)).toEqual({ user: s.user });
  });

  it("keeps emoji sequences, whose joiners and variation selectors are invisible only inside them", async () => {
    const s = await register();
    for (const displayName of ["👨‍👩‍👧 가족", "❤️ 하트"]) {
      const res = await body<{ user: User }>(await call("/api/me", { method: "PATCH", cookie: s.cookie, json: { displayName } }), 200);
      expect(res.user.displayName).toBe(displayName);
    }
  });

  it("answers 401 without a session", async () => {
    await expectError(await call("/api/me", { method: "PATCH", json: { displayName: "x" } }), 401, "unauthenticated");
  });
});

describe("session expiry", () => {
  /** Moves the session's expiry (the `sessions` row; docs/architecture.md, "Tables") to `ms` from now. */
  const expireIn = async (cookie: string, ms: number) => {
    const sid = decodeJwt(cookie.slice("session=".length)).sid as string;
    await env.DB.prepare("update sessions set expires_at = ? where id = ?").bind(Date.now() + ms, sid).run();
  };

  it("an expired session gets 401, and its open room socket closes with 1008 on its next frame", async () => {
    const { a, room } = await pair();
    await expireIn(a.cookie, 1500);
    const sock = await roomSocket(room.id, a);
    sock.send({ type: "sync", after: 0 });
    await sock.next((f) => f.type === "synced");
    expect(sock.closed).toBeNull();
    // Keep sending, every 50 ms, until the expiry passes and a frame makes the socket close.
    const deadline = Date.now() + 8000;
    while (!sock.closed && Date.now() < deadline) {
      const before = sock.ofType("synced").length;
      sock.send({ type: "sync", after: 0 });
      await Promise.race([
        sock.next(() => sock.ofType("synced").length > before, 2000).catch(() => undefined),
        sock.waitClosed(2000).catch(() => undefined),
      ]);
      if (!sock.closed) await new Promise((r) => setTimeout(r, 50));
    }
    expect(sock.closed?.code).toBe(1008);
    await expectError(await me(a.cookie), 401, "unauthenticated");
  });
});

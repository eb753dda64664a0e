/**
 * Sessions: only an HS256 JWT signed with our secret, from our issuer for our audience, unexpired,
 * naming a live (not revoked, not expired) session row of the same user opens anything. Logout
 * revokes server-side and closes that session's sockets, and only that session's.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { generateKeyPair, type JWTPayload } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { call, connect, isAck, isMessage, pair, roomSocket, upgrade, type Session } from "../harness";
import type { Room } from "../../../worker/contract";
import {
  b64url,
  claimsOf,
  cookieAttributes,
  expectError,
  fetchAt,
  openSocket,
  PASSWORD,
  query,
  secondSession,
  setCookieNamed,
  sessionCookie,
  sign,
  sleep,
  stillOpen,
  tokenOf,
} from "./helpers";

let a: Session;
let b: Session;
let room: Room;
let ipN = 0;
const ip = () => `192.0.2.${++ipN}`;

beforeAll(async () => {
  ({ a, b, room } = await pair());
});

/** Asserts that a cookie opens nothing: /api/me, the room socket and the events socket all answer 401. */
const expectRejectedEverywhere = async (cookie: string) => {
  await expectError(await call("/api/me", { cookie }), 401, "unauthenticated");
  await expectError(await upgrade(`/api/rooms/${room.id}/ws`, { cookie }), 401, "unauthenticated");
  await expectError(await upgrade("/api/events", { cookie }), 401, "unauthenticated");
};

const expectAcceptedEverywhere = async (cookie: string) => {
  expect((await call("/api/me", { cookie })).status).toBe(200);
  for (const path of [`/api/rooms/${room.id}/ws`, "/api/events"]) {
    const res = await upgrade(path, { cookie });
    expect(res.status, path).toBe(101);
    res.webSocket!.accept();
    res.webSocket!.close(1000, "done");
  }
};

describe("forged and invalid session tokens", () => {
  const now = () => Math.floor(Date.now() / 1000);
  /** The claims of a's genuine, live session: every forgery below differs from a valid token in one way only. */
  const genuine = () => {
    const c = claimsOf(a.cookie);
    return { sid: c.sid, sub: c.sub };
  };

  it("control: a token the test signs with the Worker's secret and the genuine claims is accepted", async () => {
    await expectAcceptedEverywhere(sessionCookie(await sign(genuine())));
  });

  const forgeries: [string, () => Promise<string>][] = [
    ["alg none (unsecured JWT)", async () => `${b64url({ alg: "none", typ: "JWT" })}.${b64url({ ...genuine(), iss: "talk-edge", aud: "talk-edge/web", exp: now() + 3600 })}.`],
    ["alg None with the genuine signature kept", async () => {
      const [, payload, sig] = tokenOf(a.cookie).split(".");
      return `${b64url({ alg: "None", typ: "JWT" })}.${payload}.${sig}`;
    }],
    ["HS512 with the right secret", () => sign(genuine(), { alg: "HS512" })],
    ["HS384 with the right secret", () => sign(genuine(), { alg: "HS384" })],
    ["RS256 with an attacker's key pair", async () => sign(genuine(), { alg: "RS256", secret: (await generateKeyPair("RS256")).privateKey })],
    ["ES256 with an attacker's key pair", async () => sign(genuine(), { alg: "ES256", secret: (await generateKeyPair("ES256")).privateKey })],
    ["HS256 with a wrong secret", () => sign(genuine(), { secret: new TextEncoder().encode("not-the-secret-but-also-long-enough-for-hs256") })],
    ["HS256 with an empty-ish secret", () => sign(genuine(), { secret: new TextEncoder().encode("x") })],
    ["expired (exp in the past, right secret)", () => sign(genuine(), { exp: now() - 60 })],
    ["without exp", () => sign(genuine(), { exp: null })],
    ["wrong issuer", () => sign(genuine(), { iss: "someone-else" })],
    ["without issuer", () => sign(genuine(), { iss: null })],
    ["wrong audience", () => sign(genuine(), { aud: "talk-edge/admin" })],
    ["without audience", () => sign(genuine(), { aud: null })],
    ["without sid", () => sign({ sub: genuine().sub })],
    ["sid of the wrong type", () => sign({ sub: genuine().sub, sid: 1 })],
    ["sid that names no session", () => sign({ sub: genuine().sub, sid: crypto.randomUUID() })],
    ["a's live sid with b's id as subject", () => sign({ sid: genuine().sid, sub: b.user.id })],
    ["without subject", () => sign({ sid: genuine().sid })],
    // Signed with the right secret but malformed: the claims are input like any other (401, not 500).
    ["subject a number", () => sign({ sid: genuine().sid, sub: 42 } as unknown as JWTPayload)],
    ["subject an object", () => sign({ sid: genuine().sid, sub: { id: genuine().sub } } as unknown as JWTPayload)],
    ["subject an array holding the genuine id", () => sign({ sid: genuine().sid, sub: [genuine().sub] } as unknown as JWTPayload)],
    ["subject true", () => sign({ sid: genuine().sid, sub: true } as unknown as JWTPayload)],
    ["subject empty", () => sign({ sid: genuine().sid, sub: "" })],
    ["sid an object", () => sign({ sub: genuine().sub, sid: { id: genuine().sid } })],
    ["sid an array holding the genuine sid", () => sign({ sub: genuine().sub, sid: [genuine().sid] })],
    ["sid null", () => sign({ sub: genuine().sub, sid: null })],
    ["no claims but the registered ones", () => sign({})],
    ["tampered payload: subject swapped, signature kept", async () => {
      const [header, payload, sig] = tokenOf(a.cookie).split(".");
      const claims = JSON.parse(atob(payload!.replace(/-/g, "+").replace(/_/g, "/")));
      return `${header}.${b64url({ ...claims, sub: b.user.id })}.${sig}`;
    }],
    ["tampered payload: one character of the payload changed", async () => {
      const [header, payload, sig] = tokenOf(a.cookie).split(".");
      const flipped = payload!.slice(0, 10) + (payload![10] === "A" ? "B" : "A") + payload!.slice(11);
      return `${header}.${flipped}.${sig}`;
    }],
    ["signature stripped", async () => tokenOf(a.cookie).split(".").slice(0, 2).join(".") + "."],
    ["truncated token", async () => tokenOf(a.cookie).slice(0, -5)],
    ["not a JWT at all", async () => "garbage"],
  ];

  for (const [name, forge] of forgeries) {
    it(`${name} → 401 on /api/me and both socket upgrades`, async () => {
      await expectRejectedEverywhere(sessionCookie(await forge()));
    });
  }
});

describe("session rows in D1", () => {
  it("a correctly signed JWT whose session row is revoked → 401 everywhere", async () => {
    const s = await secondSession(a, ip());
    await expectAcceptedEverywhere(s.cookie);
    await query("update sessions set revoked_at = ? where id = ?", Date.now(), claimsOf(s.cookie).sid);
    await expectRejectedEverywhere(s.cookie);
  });

  it("a correctly signed, unexpired JWT whose session row has expired → 401 everywhere", async () => {
    const s = await secondSession(a, ip());
    await expectAcceptedEverywhere(s.cookie);
    await query("update sessions set expires_at = ? where id = ?", Date.now() - 1000, claimsOf(s.cookie).sid);
    expect(claimsOf(s.cookie).exp! * 1000).toBeGreaterThan(Date.now());
    await expectRejectedEverywhere(s.cookie);
  });

  it("a session that expires while its sockets are open closes them with 1008 on their next frame", async () => {
    const s = await secondSession(a, ip());
    const expiresAt = Date.now() + 3000; // room for slow machines to open both sockets first
    await query("update sessions set expires_at = ? where id = ?", expiresAt, claimsOf(s.cookie).sid);
    const roomSock = await roomSocket(room.id, s);
    const events = await connect("/api/events", s.cookie);
    roomSock.send({ type: "sync", after: 999_999 });
    await roomSock.next((f) => f.type === "synced" && f.lastSeq === 999_999);
    await sleep(expiresAt - Date.now() + 200);
    roomSock.send({ type: "sync", after: 999_998 });
    events.send("anything");
    expect((await roomSock.waitClosed()).code).toBe(1008);
    expect((await events.waitClosed()).code).toBe(1008);
    expect(roomSock.frames.some((f) => f.type === "synced" && f.lastSeq === 999_998)).toBe(false);
  });
});

describe("logout", () => {
  it("revokes the session server-side: the old cookie gets 401 on every route and both upgrades", async () => {
    const { a: x, b: y, room: r } = await pair();
    const old = x.cookie;
    const res = await call("/api/auth/logout", { method: "POST", cookie: old });
    expect(res.status).toBe(204);
    // A client that ignores the cleared cookie and replays the old one gets nothing.
    const routes: [string, RequestInit & { json?: unknown }][] = [
      ["/api/me", {}],
      ["/api/me", { method: "PATCH", json: { displayName: "x" } }],
      ["/api/friends", {}],
      ["/api/friends", { method: "POST", json: { username: y.user.username } }],
      ["/api/rooms", {}],
      ["/api/rooms/direct", { method: "POST", json: { userId: y.user.id } }],
      [`/api/rooms/${r.id}`, {}],
      [`/api/rooms/${r.id}/messages`, {}],
      [`/api/rooms/${r.id}/read`, { method: "POST", json: { seq: 1 } }],
    ];
    for (const [path, init] of routes) await expectError(await call(path, { ...init, cookie: old }), 401, "unauthenticated");
    await expectError(await upgrade(`/api/rooms/${r.id}/ws`, { cookie: old }), 401, "unauthenticated");
    await expectError(await upgrade("/api/events", { cookie: old }), 401, "unauthenticated");
    const row = (await query<{ revoked_at: number | null }>("select revoked_at from sessions where id = ?", claimsOf(old).sid))[0]!;
    expect(row.revoked_at).toBeGreaterThan(0);
    // The other user is untouched.
    expect((await call("/api/me", { cookie: y.cookie })).status).toBe(200);
  });

  it("closes that session's room and events sockets with 1008; the user's other session and the other user's sockets stay open and working", async () => {
    const { a: x, b: y, room: r } = await pair();
    const x2 = await secondSession(x, ip());
    const x1Room = await roomSocket(r.id, x);
    const x1Events = await connect("/api/events", x.cookie);
    const x2Room = await roomSocket(r.id, x2);
    const x2Events = await connect("/api/events", x2.cookie);
    const yRoom = await roomSocket(r.id, y);
    const yEvents = await connect("/api/events", y.cookie);

    expect((await call("/api/auth/logout", { method: "POST", cookie: x.cookie })).status).toBe(204);

    expect((await x1Room.waitClosed()).code).toBe(1008);
    expect((await x1Events.waitClosed()).code).toBe(1008);
    for (const s of [x2Room, x2Events, yRoom, yEvents]) expect(await stillOpen(s)).toBe(true);

    // The survivors still send and receive, on both sockets kinds.
    x2Room.send({ type: "send", clientId: "after-logout-1", body: "still here" });
    const ack = await x2Room.next(isAck("after-logout-1"));
    expect((await yRoom.next(isMessage(ack.message.seq))).message.body).toBe("still here");
    yRoom.send({ type: "send", clientId: "after-logout-2", body: "me too" });
    const ack2 = await yRoom.next(isAck("after-logout-2"));
    expect((await x2Room.next(isMessage(ack2.message.seq))).message.body).toBe("me too");
    await x2Events.next((f) => f.type === "room" && f.room.lastSeq === ack2.message.seq);
    await yEvents.next((f) => f.type === "room" && f.room.lastSeq === ack2.message.seq);
    // The closed session's sockets got nothing after the close.
    expect(x1Room.frames.some((f) => f.type === "message" || f.type === "ack")).toBe(false);
    expect((await call("/api/me", { cookie: x2.cookie })).status).toBe(200);
    for (const s of [x2Room, x2Events, yRoom, yEvents]) s.close();
  });

  it("closes a room socket opened just before the logout (no window in which it survives)", async () => {
    // The room object tells the user's hub about a new socket without waiting (noteRoomSocket), and
    // the hub forgets a room once it counts no open socket there; logout relies on that list.
    const hub = env.USER_HUB.get(env.USER_HUB.idFromName(a.user.id));
    for (let i = 0; i < 5; i++) {
      const s = await secondSession(a, ip());
      const sock = await openSocket(`/api/rooms/${room.id}/ws`, s.cookie);
      expect((await call("/api/auth/logout", { method: "POST", cookie: s.cookie })).status).toBe(204);
      const closed = await sock.waitClosed(6000).catch(() => null);
      if (!closed) {
        const rooms = await runInDurableObject(hub, async (_, state) => [...(await state.storage.list({ prefix: "room:" })).keys()]);
        expect.fail(`attempt ${i}: the revoked session's room socket is still open 6 s after logout; the hub lists rooms ${JSON.stringify(rooms)}`);
      }
      expect(closed!.code, `attempt ${i}`).toBe(1008);
    }
  }, 45_000);

  it("without a session answers 204 and clears the cookie", async () => {
    const res = await call("/api/auth/logout", { method: "POST" });
    expect(res.status).toBe(204);
    const { pair: p, attrs } = cookieAttributes(res.headers.get("set-cookie") ?? "");
    expect(p).toBe("session=");
    expect(attrs.get("max-age")).toBe("0");
  });
});

describe("cookie attributes", () => {
  const register = (base: string, username: string) =>
    fetchAt(`${base}/api/auth/register`, {
      method: "POST",
      ip: ip(),
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username, password: PASSWORD }),
    });
  const loginAt = (base: string, username: string) =>
    fetchAt(`${base}/api/auth/login`, {
      method: "POST",
      ip: ip(),
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username, password: PASSWORD }),
    });

  const expectSessionCookie = (res: Response, secure: boolean) => {
    const { pair: p, attrs } = cookieAttributes(setCookieNamed(res, "session"));
    expect(p).toMatch(/^session=[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(attrs.has("httponly")).toBe(true);
    expect(attrs.get("samesite")).toBe("Lax");
    expect(attrs.get("path")).toBe("/");
    expect(attrs.has("secure")).toBe(secure);
    expect(attrs.has("domain")).toBe(false);
    const expires = Date.parse(attrs.get("expires") ?? "");
    expect(expires).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    expect(expires).toBeLessThan(Date.now() + 31 * 86_400_000);
  };

  it("register and login over https set HttpOnly; SameSite=Lax; Path=/; Secure", async () => {
    const name = `https_${Date.now() % 1e8}`;
    const reg = await register("https://talk.test", name);
    expect(reg.status).toBe(201);
    expectSessionCookie(reg, true);
    const log = await loginAt("https://talk.test", name);
    expect(log.status).toBe(200);
    expectSessionCookie(log, true);
    const out = await fetchAt("https://talk.test/api/auth/logout", { method: "POST", headers: { cookie: cookieAttributes(setCookieNamed(log, "session")).pair } });
    expect(out.status).toBe(204);
    const cleared = cookieAttributes(out.headers.get("set-cookie") ?? "");
    expect(cleared.pair).toBe("session=");
    expect(cleared.attrs.get("max-age")).toBe("0");
    expect(cleared.attrs.get("path")).toBe("/");
    expect(cleared.attrs.has("secure")).toBe(true);
  });

  it("register and login over plain http set HttpOnly; SameSite=Lax; Path=/ without Secure", async () => {
    const name = `http_${Date.now() % 1e8}`;
    const reg = await register("http://talk.test", name);
    expect(reg.status).toBe(201);
    expectSessionCookie(reg, false);
    const log = await loginAt("http://talk.test", name);
    expect(log.status).toBe(200);
    expectSessionCookie(log, false);
  });

  it("each login starts a new session id (no fixation on a previous cookie)", async () => {
    const s1 = await secondSession(a, ip());
    const s2 = await secondSession(a, ip());
    expect(claimsOf(s1.cookie).sid).not.toBe(claimsOf(s2.cookie).sid);
    expect(claimsOf(s1.cookie).sid).not.toBe(claimsOf(a.cookie).sid);
    // Logging in while presenting an old cookie still mints a fresh session.
    const res = await call("/api/auth/login", { method: "POST", ip: ip(), cookie: s1.cookie, json: { username: a.user.username, password: PASSWORD } });
    expect(res.status).toBe(200);
    const fresh = cookieAttributes(setCookieNamed(res, "session")).pair;
    expect(claimsOf(fresh).sid).not.toBe(claimsOf(s1.cookie).sid);
  });
});


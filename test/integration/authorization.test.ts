import { exports } from "cloudflare:workers";
import { decodeJwt } from "jose";
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { Message, Room, User } from "../../worker/contract";
import { ORIGIN, call, connect, isAck, pair, register, roomSocket, type Session, TestSocket } from "./harness";
import { body, expectError, quiet, rawUpgrade, sendAndAck } from "./contract-helpers";

// A ceiling, not a pace: sign-ups cost ~150 ms of scrypt each, and a loaded machine stretches that.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

let a: Session; // member
let b: Session; // member
let outsider: Session; // logged in, member of nothing here
let room: Room;
const missingRoom = crypto.randomUUID();

beforeAll(async () => {
  ({ a, b, room } = await pair());
  outsider = await register();
  const sa = await roomSocket(room.id, a);
  await sendAndAck(sa, "m1");
  await sendAndAck(sa, "m2");
  sa.close();
});

/** A request as `cookie` (or logged out when undefined). Upgrades carry our Origin so only the session decides. */
type Req = (roomId: string, cookie: string | undefined) => Promise<Response>;
const get = (path: string): Req => (id, cookie) => call(path.replace(":id", id), { cookie });
const post = (path: string, json: unknown): Req => (id, cookie) => call(path.replace(":id", id), { method: "POST", cookie, json });
const ws: Req = (id, cookie) => rawUpgrade(`/api/rooms/${id}/ws`, cookie ? { cookie } : {});

const roomRoutes: [string, Req, number][] = [
  ["GET /api/rooms/:id", get("/api/rooms/:id"), 200],
  ["GET /api/rooms/:id/messages", get("/api/rooms/:id/messages"), 200],
  ["GET /api/rooms/:id/messages?before=", get("/api/rooms/:id/messages?before=2&limit=10"), 200],
  ["GET /api/rooms/:id/messages?after=", get("/api/rooms/:id/messages?after=0&limit=10"), 200],
  ["POST /api/rooms/:id/read", post("/api/rooms/:id/read", { seq: 1 }), 204],
  ["GET /api/rooms/:id/ws (upgrade)", ws, 101],
];

const closeIfSocket = (res: Response) => {
  if (res.webSocket) {
    res.webSocket.accept();
    res.webSocket.close();
  }
};

describe("room routes", () => {
  it.each(roomRoutes)("%s: logged out → 401 unauthenticated", async (_name, request) => {
    const res = await request(room.id, undefined);
    expect(res.webSocket).toBeFalsy();
    await expectError(res, 401, "unauthenticated");
  });

  it.each(roomRoutes)("%s: a garbage session → 401 unauthenticated", async (_name, request) => {
    await expectError(await request(room.id, "session=garbage"), 401, "unauthenticated");
  });

  it.each(roomRoutes)(
    "%s: a non-member → 404 room_not_found, byte for byte what a room that does not exist answers",
    async (_name, request) => {
      const notMine = await request(room.id, outsider.cookie);
      const none = await request(missingRoom, outsider.cookie);
      const noneForMember = await request(missingRoom, a.cookie);
      const tooLong = await request("x".repeat(65), a.cookie);
      expect(notMine.webSocket).toBeFalsy();
      const texts = await Promise.all([notMine, none, noneForMember, tooLong].map((r) => r.clone().text()));
      await expectError(notMine, 404, "room_not_found");
      for (const r of [none, noneForMember, tooLong]) await expectError(r, 404, "room_not_found");
      expect(texts[1]).toBe(texts[0]);
      expect(texts[2]).toBe(texts[0]);
      expect(texts[3]).toBe(texts[0]);
      expect(notMine.headers.get("content-type")).toBe(none.headers.get("content-type"));
    },
  );

  it.each(roomRoutes)("%s: a member → success", async (_name, request, status) => {
    for (const member of [a, b]) {
      const res = await request(room.id, member.cookie);
      expect(res.status).toBe(status);
      closeIfSocket(res);
    }
  });

  it("a member's answers carry the room; a non-member learns nothing, even with a bad body or query", async () => {
    const r = await body<{ room: Room }>(await call(`/api/rooms/${room.id}`, { cookie: a.cookie }), 200);
    expect(r.room.id).toBe(room.id);
    const page = await body<{ messages: Message[] }>(await call(`/api/rooms/${room.id}/messages`, { cookie: b.cookie }), 200);
    expect(page.messages.map((m) => m.clientId)).toEqual(["m1", "m2"]);
    // Validation must not tell a non-member that the room exists.
    const badRead = (id: string) => call(`/api/rooms/${id}/read`, { method: "POST", cookie: outsider.cookie, json: { seq: -1 } });
    const badQuery = (id: string) => call(`/api/rooms/${id}/messages?limit=0`, { cookie: outsider.cookie });
    for (const make of [badRead, badQuery]) {
      const [x, y] = [await make(room.id), await make(missingRoom)];
      const [tx, ty] = [await x.clone().text(), await y.clone().text()];
      await expectError(x, 404, "room_not_found");
      expect(tx).toBe(ty);
    }
  });

  it("a non-member's read does not make them a member", async () => {
    await call(`/api/rooms/${room.id}/read`, { method: "POST", cookie: outsider.cookie, json: { seq: 2 } });
    const r = await body<{ room: Room }>(await call(`/api/rooms/${room.id}`, { cookie: a.cookie }), 200);
    expect(r.room.members.map((m) => m.id).sort()).toEqual([a.user.id, b.user.id].sort());
  });
});

describe("other routes", () => {
  const routes: [string, (s: Session | undefined) => Promise<Response>, number][] = [
    ["POST /api/rooms/direct", (s) => call("/api/rooms/direct", { method: "POST", cookie: s?.cookie, json: { userId: s === a ? b.user.id : a.user.id } }), 200],
    ["GET /api/rooms", (s) => call("/api/rooms", { cookie: s?.cookie }), 200],
    ["GET /api/friends", (s) => call("/api/friends", { cookie: s?.cookie }), 200],
    [
      "POST /api/friends",
      async (s) => call("/api/friends", { method: "POST", cookie: s?.cookie, json: { username: (await register()).user.username } }),
      201,
    ],
    ["GET /api/me", (s) => call("/api/me", { cookie: s?.cookie }), 200],
    ["PATCH /api/me", (s) => call("/api/me", { method: "PATCH", cookie: s?.cookie, json: { displayName: "Member A" } }), 200],
    ["GET /api/events (upgrade)", (s) => rawUpgrade("/api/events", s ? { cookie: s.cookie } : {}), 101],
  ];

  it.each(routes)("%s: logged out → 401 unauthenticated", async (_name, request) => {
    await expectError(await request(undefined), 401, "unauthenticated");
  });

  it.each(routes)("%s: logged in → success", async (_name, request, status) => {
    const res = await request(a);
    expect(res.status).toBe(status);
    closeIfSocket(res);
  });

  it("POST /api/rooms/direct with a non-friend → 403 not_friends, not the room", async () => {
    await expectError(await call("/api/rooms/direct", { method: "POST", cookie: outsider.cookie, json: { userId: a.user.id } }), 403, "not_friends");
  });

  it("GET /api/health answers 200 {ok:true} without a session", async () => {
    expect(await body(await call("/api/health"), 200)).toEqual({ ok: true });
  });
});

describe("identity comes only from the session cookie", () => {
  const sidOf = (s: Session) => decodeJwt(s.cookie.slice("session=".length)).sid as string;
  const spoof = (as: Session, other?: Room) => ({
    "X-Talk-User-Id": as.user.id,
    "X-Talk-Session-Id": sidOf(as),
    "X-Talk-Session-Expires": "1",
    ...(other && { "X-Talk-Room-Id": other.id }),
  });

  it("a non-member naming a member in identity headers still gets 404", async () => {
    const res = await rawUpgrade(`/api/rooms/${room.id}/ws`, { cookie: outsider.cookie, ...spoof(a) });
    expect(res.webSocket).toBeFalsy();
    await expectError(res, 404, "room_not_found");
  });

  it("identity headers on a room upgrade are ignored: the socket acts as the cookie's user, in the URL's room", async () => {
    const { b: y, room: other } = await pair();
    const res = await rawUpgrade(`/api/rooms/${room.id}/ws`, { cookie: a.cookie, ...spoof(b, other) });
    expect(res.status).toBe(101);
    res.webSocket!.accept();
    const sock = new TestSocket(res.webSocket!);
    const hello = await sock.next((f) => f.type === "hello");
    expect(hello).toMatchObject({ roomId: room.id });
    // "Expires: 1" was ignored too, or the first frame would close the socket.
    sock.send({ type: "send", clientId: `spoof-${crypto.randomUUID()}`, body: "who am I" });
    const ack = await sock.next((f) => f.type === "ack");
    expect((ack as { message: Message }).message).toMatchObject({ senderId: a.user.id, roomId: room.id });
    expect(sock.closed).toBeNull();
    // Nothing landed in the room named by the header.
    const otherPage = await body<{ messages: Message[] }>(await call(`/api/rooms/${other.id}/messages`, { cookie: y.cookie }), 200);
    expect(otherPage.messages).toEqual([]);
    sock.close();
  });

  it("a spoofed session id on the upgrade does not tie the socket to another session", async () => {
    const { a: x, b: y, room: r } = await pair();
    const xSock = await (async () => {
      const res = await rawUpgrade(`/api/rooms/${r.id}/ws`, { cookie: x.cookie, "X-Talk-Session-Id": sidOf(y) });
      expect(res.status).toBe(101);
      res.webSocket!.accept();
      return new TestSocket(res.webSocket!);
    })();
    await xSock.next((f) => f.type === "hello");
    const ySock = await roomSocket(r.id, y);
    // y's logout must close y's socket, not x's.
    expect((await call("/api/auth/logout", { method: "POST", cookie: y.cookie })).status).toBe(204);
    expect((await ySock.waitClosed()).code).toBe(1008);
    await quiet(100);
    expect(xSock.closed).toBeNull();
    // x's own logout does close it.
    expect((await call("/api/auth/logout", { method: "POST", cookie: x.cookie })).status).toBe(204);
    expect((await xSock.waitClosed()).code).toBe(1008);
  });

  it("identity headers on an events upgrade are ignored: the socket gets the cookie's user's events", async () => {
    const { a: x, b: y } = await pair();
    const res = await rawUpgrade("/api/events", { cookie: x.cookie, ...spoof(y) });
    expect(res.status).toBe(101);
    res.webSocket!.accept();
    const ev = new TestSocket(res.webSocket!);
    const yEvents = await connect("/api/events", y.cookie);
    await body(await call("/api/me", { method: "PATCH", cookie: y.cookie, json: { displayName: "Why" } }), 200);
    await yEvents.next((f) => f.type === "me");
    await body(await call("/api/me", { method: "PATCH", cookie: x.cookie, json: { displayName: "Ex" } }), 200);
    const mine = await ev.next((f) => f.type === "me");
    expect((mine as { user: User }).user).toEqual({ ...x.user, displayName: "Ex" });
    expect(ev.ofType("me")).toHaveLength(1);
    ev.close();
    yEvents.close();
  });

  it("a senderId inside a send frame is ignored", async () => {
    const sa = await roomSocket(room.id, a);
    const clientId = `forged-${crypto.randomUUID()}`;
    sa.send({ type: "send", clientId, body: "not from b", senderId: b.user.id, id: "chosen-id", seq: 999, roomId: "elsewhere" });
    const { message } = await sa.next(isAck(clientId));
    expect(message.senderId).toBe(a.user.id);
    expect(message.roomId).toBe(room.id);
    expect(message.id).not.toBe("chosen-id");
    expect(message.seq).not.toBe(999);
    const page = await body<{ messages: Message[] }>(await call(`/api/rooms/${room.id}/messages?limit=1`, { cookie: b.cookie }), 200);
    expect(page.messages[0]).toEqual(message);
    sa.close();
  });
});

describe("unknown paths and wrong methods", () => {
  it.each(["/api/nope", "/api/auth", "/api/rooms/x/y/z", "/api/friends/extra/path", "/api/me/settings"])(
    "GET %s (logged in) → 404 not_found as JSON",
    async (path) => {
      await expectError(await call(path, { cookie: a.cookie }), 404, "not_found");
    },
  );

  it.each(["/api/nope", "/api/v2/rooms", "/api/"])("GET %s (logged out) → 404 not_found as JSON", async (path) => {
    await expectError(await call(path), 404, "not_found");
  });

  it("POST to an unknown path → 404 not_found", async () => {
    await expectError(await call("/api/nope", { method: "POST", cookie: a.cookie, json: {} }), 404, "not_found");
  });

  const wrong: [string, string, string[]][] = [
    ["DELETE", "/api/friends", ["GET", "POST"]],
    ["PUT", "/api/me", ["GET", "PATCH"]],
    ["GET", "/api/auth/login", ["POST"]],
    ["GET", "/api/auth/register", ["POST"]],
    ["GET", "/api/auth/logout", ["POST"]],
    ["POST", "/api/rooms", ["GET"]],
    ["DELETE", "/api/rooms/:id", ["GET"]],
    ["GET", "/api/rooms/:id/read", ["POST"]],
    ["DELETE", "/api/rooms/:id/messages", ["GET"]],
    ["POST", "/api/events", ["GET"]],
    ["POST", "/api/health", ["GET"]],
  ];
  it.each(wrong)("%s %s (logged in) → 405 method_not_allowed with Allow", async (method, path, allowed) => {
    const res = await call(path.replace(":id", room.id), { method, cookie: a.cookie, ...(method !== "GET" && { json: {} }) });
    const allow = res.headers.get("Allow");
    await expectError(res, 405, "method_not_allowed");
    expect(allow).toBeTruthy();
    const listed = allow!.split(",").map((m) => m.trim().toUpperCase());
    for (const m of allowed) expect(listed).toContain(m);
    expect(listed).not.toContain(method);
  });

  it("never answers an HTML page under /api", async () => {
    const res = await exports.default.fetch(new Request(`${ORIGIN}/api/does/not/exist`, { headers: { Accept: "text/html" } }));
    await expectError(res, 404, "not_found");
  });
});

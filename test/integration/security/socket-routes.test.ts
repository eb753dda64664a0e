/**
 * Socket routes take one thing: a GET WebSocket upgrade. Any other method (HEAD above all, which
 * Hono hands to GET handlers) or a GET without `Upgrade` gets the contract's JSON error with the
 * security headers, before the session is read and before any Durable Object is called.
 */
import { listDurableObjectIds, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ORIGIN, pair, register, roomSocket, type Session } from "../harness";
import { expectError, expectSecurityHeaders, openSocket } from "./helpers";

const FOREIGN = "http://evil.com";
const METHODS = ["HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
const WRITES = new Set(["POST", "PUT", "PATCH", "DELETE"]);

const request = (path: string, method: string, headers: Record<string, string>) =>
  exports.default.fetch(new Request(ORIGIN + path, { method, headers: { "CF-Connecting-IP": "203.0.113.9", ...headers } }));

/**
 * Every wrong request to `path` with the user's valid cookie, from the site's own origin and from a
 * foreign one: each answer is a JSON error with the security headers. Other methods are sent without
 * `Upgrade`: this runtime sends any request carrying `Upgrade: websocket` as a GET upgrade.
 */
const wrongRequests = async (path: string, s: Session) => {
  for (const origin of [ORIGIN, FOREIGN]) {
    const headers = { cookie: s.cookie, Origin: origin };
    const what = (m: string) => `${m} ${path} from ${origin}`;
    for (const method of METHODS) {
      const res = await request(path, method, headers);
      expectSecurityHeaders(res, what(method));
      if (method === "HEAD") {
        // A HEAD answer has no body; status, type and Allow say it all.
        expect(res.status, what(method)).toBe(405);
        expect(res.headers.get("content-type") ?? "", what(method)).toMatch(/^application\/json/);
        expect(res.headers.get("allow"), what(method)).toBe("GET");
      } else if (WRITES.has(method) && origin === FOREIGN) {
        // Cross-site writes are refused even earlier, by the same-origin check on every route.
        await expectError(res, 403, "bad_origin");
      } else {
        await expectError(res, 405, "method_not_allowed");
        expect(res.headers.get("allow"), what(method)).toBe("GET");
      }
    }
    const res = await request(path, "GET", headers);
    expectSecurityHeaders(res, what("GET"));
    await expectError(res, 426, "upgrade_required");
  }
};

const sameId = (x: DurableObjectId) => (y: DurableObjectId) => x.equals(y);
const listed = async (ids: Promise<DurableObjectId[]>, id: DurableObjectId) => (await ids).some(sameId(id));

describe("events socket route", () => {
  it("answers every wrong method and a GET without Upgrade with a JSON error; the user's hub is never reached", async () => {
    const loner = await register(); // no friends, no rooms: nothing else wakes their hub
    await wrongRequests("/api/events", loner);
    expect(await listed(listDurableObjectIds(env.USER_HUB), env.USER_HUB.idFromName(loner.user.id))).toBe(false);
  });

  it("a running hub gets no socket from them", async () => {
    const s = await register();
    const own = await openSocket("/api/events", s.cookie);
    const hub = env.USER_HUB.get(env.USER_HUB.idFromName(s.user.id));
    const sockets = () => runInDurableObject(hub, (_, state) => state.getWebSockets().length);
    expect(await sockets()).toBe(1);
    await wrongRequests("/api/events", s);
    expect(await sockets()).toBe(1);
    own.close();
  });
});

describe("room socket route", () => {
  it("answers every wrong method and a GET without Upgrade with a JSON error; the room object is never reached", async () => {
    const { a, room } = await pair();
    await wrongRequests(`/api/rooms/${room.id}/ws`, a);
    expect(await listed(listDurableObjectIds(env.CHAT_ROOM), env.CHAT_ROOM.idFromName(room.id))).toBe(false);
    // Control: a real upgrade reaches it.
    const ok = await roomSocket(room.id, a);
    expect(await listed(listDurableObjectIds(env.CHAT_ROOM), env.CHAT_ROOM.idFromName(room.id))).toBe(true);
    ok.close();
  });

  it("a running room gets no socket from them", async () => {
    const { a, room } = await pair();
    const own = await roomSocket(room.id, a);
    const stub = env.CHAT_ROOM.get(env.CHAT_ROOM.idFromName(room.id));
    const sockets = () => runInDurableObject(stub, (_, state) => state.getWebSockets().length);
    expect(await sockets()).toBe(1);
    await wrongRequests(`/api/rooms/${room.id}/ws`, a);
    expect(await sockets()).toBe(1);
    own.close();
  });
});

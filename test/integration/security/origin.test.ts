/**
 * Cross-site WebSocket hijacking: browsers send cookies with a WebSocket handshake from any page,
 * so the upgrade routes must refuse any Origin other than the site's own (exact match) before
 * they look at the session, and the Durable Objects must never see such a request.
 */
import { createExecutionContext, listDurableObjectIds, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { ORIGIN, pair, register, roomSocket, type Session } from "../harness";
import app from "../../../worker/index";
import { isAllowedOrigin } from "../../../worker/lib/origin";
import type { Room } from "../../../worker/contract";
import { expectError, rawUpgrade } from "./helpers";

const BAD_ORIGINS: [string, string | null][] = [
  ["a foreign site", "http://evil.com"],
  ["a lookalike subdomain of the attacker", "http://talk.test.evil.com"],
  ["the right host on another port", "http://talk.test:8080"],
  ["the right host over another scheme", "https://talk.test"],
  ["a subdomain of the site", "http://chat.talk.test"],
  ["a suffix lookalike", "http://eviltalk.test"],
  ["the opaque origin null (sandboxed iframe, file:)", "null"],
  ["the origin with a trailing slash", "http://talk.test/"],
  ["the origin with a path", "http://talk.test/api"],
  ["the origin plus a comma-separated extra", "http://talk.test, http://evil.com"],
  ["an empty Origin header", ""],
  ["no Origin header at all", null],
];

let a: Session;
let b: Session;
let room: Room;
let loner: Session;

beforeAll(async () => {
  ({ a, b, room } = await pair());
  loner = await register(); // no friends, no rooms: their user hub is never woken by anything else
});

const headersFor = (origin: string | null, cookie?: string): Record<string, string> => ({
  ...(origin !== null && { Origin: origin }),
  ...(cookie && { cookie }),
});

const sameId = (x: DurableObjectId) => (y: DurableObjectId) => x.equals(y);

describe("room socket refuses foreign origins with 403 bad_origin before auth", () => {
  for (const [name, origin] of BAD_ORIGINS) {
    it(`${name} (${JSON.stringify(origin)})`, async () => {
      // With a member's valid cookie (the hijacking case), without a cookie (not 401), and for a
      // room that does not exist (not 404): the origin check comes first.
      await expectError(await rawUpgrade(`/api/rooms/${room.id}/ws`, headersFor(origin, a.cookie)), 403, "bad_origin");
      await expectError(await rawUpgrade(`/api/rooms/${room.id}/ws`, headersFor(origin)), 403, "bad_origin");
      await expectError(await rawUpgrade(`/api/rooms/${crypto.randomUUID()}/ws`, headersFor(origin, a.cookie)), 403, "bad_origin");
    });
  }

  it("the room object is never reached: it is not even instantiated", async () => {
    const fresh = await pair();
    const id = env.CHAT_ROOM.idFromName(fresh.room.id);
    for (const [, origin] of BAD_ORIGINS) {
      const res = await rawUpgrade(`/api/rooms/${fresh.room.id}/ws`, headersFor(origin, fresh.a.cookie));
      expect(res.status).toBe(403);
      expect(res.webSocket).toBeNull();
    }
    expect((await listDurableObjectIds(env.CHAT_ROOM)).some(sameId(id))).toBe(false);
    // Control: the site's own origin reaches it.
    const ok = await roomSocket(fresh.room.id, fresh.a);
    expect((await listDurableObjectIds(env.CHAT_ROOM)).some(sameId(id))).toBe(true);
    ok.close();
  });

  it("an already-running room object gets no socket from a foreign origin", async () => {
    const own = await roomSocket(room.id, b);
    const stub = env.CHAT_ROOM.get(env.CHAT_ROOM.idFromName(room.id));
    const before = await runInDurableObject(stub, (_, state) => state.getWebSockets().length);
    for (const [, origin] of BAD_ORIGINS) await rawUpgrade(`/api/rooms/${room.id}/ws`, headersFor(origin, a.cookie));
    expect(await runInDurableObject(stub, (_, state) => state.getWebSockets().length)).toBe(before);
    // a never got a socket in this room, so their hub never noted it.
    const hub = env.USER_HUB.get(env.USER_HUB.idFromName(a.user.id));
    expect(await runInDurableObject(hub, (_, state) => state.storage.get(`room:${room.id}`))).toBeUndefined();
    own.close();
  });
});

describe("events socket refuses foreign origins with 403 bad_origin before auth", () => {
  for (const [name, origin] of BAD_ORIGINS) {
    it(`${name} (${JSON.stringify(origin)})`, async () => {
      await expectError(await rawUpgrade("/api/events", headersFor(origin, a.cookie)), 403, "bad_origin");
      await expectError(await rawUpgrade("/api/events", headersFor(origin)), 403, "bad_origin");
    });
  }

  it("the user's hub is never reached", async () => {
    const id = env.USER_HUB.idFromName(loner.user.id);
    for (const [, origin] of BAD_ORIGINS) {
      const res = await rawUpgrade("/api/events", headersFor(origin, loner.cookie));
      expect(res.status).toBe(403);
      expect(res.webSocket).toBeNull();
    }
    expect((await listDurableObjectIds(env.USER_HUB)).some(sameId(id))).toBe(false);
    // Control: the site's own origin reaches it.
    const res = await rawUpgrade("/api/events", headersFor(ORIGIN, loner.cookie));
    expect(res.status).toBe(101);
    res.webSocket!.accept();
    expect((await listDurableObjectIds(env.USER_HUB)).some(sameId(id))).toBe(true);
    res.webSocket!.close(1000, "done");
  });
});

describe("isAllowedOrigin with a configured development list", () => {
  const crafted = (list: string) => ({ ...env, ALLOWED_ORIGINS: list }) as Env;
  const req = (origin: string | null, url = "https://talk.example/api/events") =>
    new Request(url, { headers: origin === null ? {} : { Origin: origin } });
  const devList = crafted(" http://localhost:5173 ,http://127.0.0.1:8787,, ");

  it("accepts the site's own origin, with or without a list", () => {
    expect(isAllowedOrigin(req("https://talk.example"), crafted(""))).toBe(true);
    expect(isAllowedOrigin(req("https://talk.example"), devList)).toBe(true);
    expect(isAllowedOrigin(req("http://localhost:8787", "http://localhost:8787/api/rooms/x/ws"), crafted(""))).toBe(true);
  });

  it("accepts each listed origin exactly, with surrounding spaces trimmed from the list", () => {
    expect(isAllowedOrigin(req("http://localhost:5173"), devList)).toBe(true);
    expect(isAllowedOrigin(req("http://127.0.0.1:8787"), devList)).toBe(true);
  });

  it("refuses prefixes, extensions, other ports, other schemes and case variants of listed origins", () => {
    for (const o of [
      "http://localhost:517",
      "http://localhost:51730",
      "http://localhost:5173.evil.com",
      "http://localhost",
      "https://localhost:5173",
      "http://LOCALHOST:5173",
      "http://localhost:5173,http://evil.com",
      "http://127.0.0.1:8787/",
    ]) {
      expect(isAllowedOrigin(req(o), devList), o).toBe(false);
    }
  });

  it("empty list entries allow nothing: not an empty Origin, not a missing one, not null", () => {
    for (const list of ["", ",", " , ,", devList.ALLOWED_ORIGINS]) {
      expect(isAllowedOrigin(req(""), crafted(list)), `list ${JSON.stringify(list)}`).toBe(false);
      expect(isAllowedOrigin(req(null), crafted(list)), `list ${JSON.stringify(list)}`).toBe(false);
      expect(isAllowedOrigin(req("null"), crafted(list)), `list ${JSON.stringify(list)}`).toBe(false);
    }
  });

  it("refuses foreign origins when no list is configured (the production default)", () => {
    expect(env.ALLOWED_ORIGINS.trim()).toBe("");
    for (const o of ["http://localhost:5173", "http://evil.com", "https://talk.example.evil.com"]) {
      expect(isAllowedOrigin(req(o), env), o).toBe(false);
    }
  });

  it("the Worker applies the list: a listed dev origin passes the origin check (then needs a session), an unlisted one does not", async () => {
    const run = async (origin: string) => {
      const ctx = createExecutionContext();
      const res = await app.fetch(
        new Request(`${ORIGIN}/api/events`, { headers: { Upgrade: "websocket", Origin: origin } }),
        crafted("http://localhost:5173"),
        ctx,
      );
      await waitOnExecutionContext(ctx);
      return res;
    };
    await expectError(await run("http://localhost:5173"), 401, "unauthenticated");
    await expectError(await run("http://localhost:5174"), 403, "bad_origin");
  });
});

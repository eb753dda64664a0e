/**
 * HTTP fuzzing (fast-check, fixed seed): thousands of malformed bodies, content types, query
 * strings, room ids and headers. Never a 5xx, always the contract's error shape for non-2xx, and
 * afterwards D1 holds exactly what the accepted requests created — nothing else.
 */
import { exports } from "cloudflare:workers";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { ORIGIN, pair, register, type Session } from "../harness";
import type { Room, User } from "../../../worker/contract";
import { anyNumber, anyValue, bodyFor, contentType, deepNesting, fieldValue, nastyShortString, nastyString, nearObject, SEED, wellFormed } from "./fuzz-arbitraries";
import { counts, isErrorShape, PASSWORD, query, tokenOf, wellFormedErrors, type Counts } from "./helpers";

let a: Session;
let b: Session;
let c: Session;
let room: Room;
let foreign: Room;
let before: Counts;
const initialRooms = new Set<string>();

/** What the accepted (2xx) requests legitimately created or changed; checked against D1 at the end. */
const created = { users: 0, friendships: 0, rooms: new Set<string>(), displayName: "" };
let requests = 0;

beforeAll(async () => {
  ({ a, b, room } = await pair());
  c = await register();
  const other = await pair(); // a room a is not in
  foreign = other.room;
  created.displayName = a.user.displayName;
  for (const r of await query<{ id: string }>("select id from rooms")) initialRooms.add(r.id);
  before = await counts();
});

const describeInput = (v: unknown) => {
  const s = v instanceof Uint8Array ? `bytes[${v.length}]` : JSON.stringify(v);
  return (s ?? String(v)).slice(0, 200);
};

interface Req {
  method: string;
  path: string;
  body?: string | Uint8Array;
  type?: string;
  cookie?: string;
  ip?: string;
  headers?: Record<string, string>;
}

const send = (r: Req) => {
  const headers = new Headers(r.headers);
  if (r.type !== undefined) headers.set("content-type", r.type);
  if (r.cookie !== undefined) headers.set("cookie", r.cookie);
  headers.set("CF-Connecting-IP", r.ip ?? "198.18.0.1");
  requests++;
  const hasBody = r.body !== undefined && r.method !== "GET" && r.method !== "HEAD";
  return exports.default.fetch(new Request(ORIGIN + r.path, { method: r.method, headers, body: hasBody ? r.body : undefined }));
};

/** The contract for any /api answer: no 5xx, JSON, errors in `{"error":{"code","message"}}`. */
const check = async (res: Response, what: string): Promise<any> => {
  const text = await res.text();
  const where = `${what} → ${res.status} ${text.slice(0, 300)}`;
  expect(res.status, where).toBeLessThan(500);
  if (res.status === 101) return undefined;
  if (res.status === 204) {
    expect(text, where).toBe("");
    return undefined;
  }
  expect(res.headers.get("content-type") ?? "", where).toMatch(/^application\/json/);
  let body: unknown;
  expect(() => (body = JSON.parse(text)), where).not.toThrow();
  if (res.status >= 400) expect(isErrorShape(body), where).toBe(true);
  if (res.status === 405) expect(res.headers.get("Allow"), where).toBeTruthy();
  if (res.status === 429) expect(res.headers.get("Retry-After"), where).toMatch(/^\d+$/);
  return body;
};

const expectStatusIn = (res: Response, allowed: number[], what: string) => expect(allowed, `${what} → ${res.status}`).toContain(res.status);

const isUser = (u: any): u is User => u && typeof u.id === "string" && typeof u.username === "string" && typeof u.displayName === "string";

/** Runs a property with the fixed seed; the failure report names the seed and the shrunk input. */
const run = <T>(arb: fc.Arbitrary<T>, numRuns: number, body: (x: T) => Promise<void>) =>
  fc.assert(fc.asyncProperty(arb, (x) => wellFormedErrors(() => body(x))), { seed: SEED, numRuns, endOnFailure: true });

const methodArb = (usual: string) => fc.oneof({ weight: 12, arbitrary: fc.constant(usual) }, { weight: 1, arbitrary: fc.constantFrom("PUT", "DELETE", "PATCH", "POST", "GET", "OPTIONS") });
const usernameish = fc.oneof(fc.stringMatching(/^[a-z0-9_.]{3,20}$/), fc.stringMatching(/^[A-Za-z0-9_. ]{0,25}$/));

describe("bodies at every POST/PATCH route", () => {
  it("POST /api/auth/register", async () => {
    const arb = fc.record({
      body: bodyFor(nearObject({ username: fieldValue(usernameish), password: fieldValue(fc.string({ minLength: 8, maxLength: 20 })), displayName: fieldValue(nastyString) })),
      type: contentType,
      method: methodArb("POST"),
    });
    await run(arb, 300, async ({ body, type, method }) => {
      const res = await send({ method, path: "/api/auth/register", body, type, ip: "198.18.1.1" });
      const what = `${method} register ${type} ${describeInput(body)}`;
      const json = await check(res, what);
      if (method === "POST") expectStatusIn(res, [201, 400, 409, 429], what);
      if (res.status === 201) {
        created.users++;
        expect(isUser(json.user), what).toBe(true);
        expect(json.user.username, what).toMatch(/^[a-z0-9_.]{3,20}$/);
      }
    });
  }, 60_000);

  it("POST /api/auth/login", async () => {
    const arb = fc.record({
      body: bodyFor(
        nearObject({
          username: fieldValue(fc.oneof(fc.constantFrom(b.user.username, ` ${b.user.username.toUpperCase()} `, "nobody_here"), usernameish)),
          password: fieldValue(fc.constantFrom(PASSWORD, "wrong password", "")),
        }),
      ),
      type: contentType,
      method: methodArb("POST"),
    });
    await run(arb, 300, async ({ body, type, method }) => {
      const res = await send({ method, path: "/api/auth/login", body, type, ip: "198.18.2.1" });
      const what = `${method} login ${type} ${describeInput(body)}`;
      const json = await check(res, what);
      if (method === "POST") expectStatusIn(res, [200, 400, 401, 429], what);
      if (res.status === 200) expect(json.user.id, what).toBe(b.user.id);
    });
  }, 60_000);

  it("POST /api/auth/logout (never with a live session of the fixtures)", async () => {
    const arb = fc.record({ body: bodyFor(anyValue), type: contentType, cookie: fc.option(fc.string({ unit: "binary-ascii", maxLength: 60 }).map((s) => `session=${s.replace(/[\u0000-\u001f\u007f;]/g, "")}`), { nil: undefined }) });
    await run(arb, 150, async ({ body, type, cookie }) => {
      const res = await send({ method: "POST", path: "/api/auth/logout", body, type, cookie });
      await check(res, `logout ${describeInput(body)}`);
      expect(res.status).toBe(204);
    });
  }, 60_000);

  it("PATCH /api/me", async () => {
    const arb = fc.record({ body: bodyFor(nearObject({ displayName: fieldValue(nastyString) })), type: contentType, method: methodArb("PATCH") });
    await run(arb, 400, async ({ body, type, method }) => {
      const res = await send({ method, path: "/api/me", body, type, cookie: a.cookie });
      const what = `${method} /me ${type} ${describeInput(body)}`;
      const json = await check(res, what);
      if (method === "PATCH") expectStatusIn(res, [200, 400], what);
      if (method === "PATCH" && res.status === 200) {
        expect(json.user.id, what).toBe(a.user.id);
        created.displayName = json.user.displayName;
      }
    });
  }, 60_000);

  it("POST /api/friends", async () => {
    const arb = fc.record({
      body: bodyFor(nearObject({ username: fieldValue(fc.oneof(fc.constantFrom(a.user.username, b.user.username, c.user.username, "nobody_here"), usernameish)) })),
      type: contentType,
      method: methodArb("POST"),
    });
    await run(arb, 300, async ({ body, type, method }) => {
      const res = await send({ method, path: "/api/friends", body, type, cookie: a.cookie });
      const what = `${method} /friends ${type} ${describeInput(body)}`;
      const json = await check(res, what);
      if (method === "POST") expectStatusIn(res, [201, 400, 404, 409], what);
      if (method === "POST" && res.status === 201) {
        // One row: friendship is one way (docs/api.md).
        created.friendships += 1;
        expect(json.friend.id, what).not.toBe(a.user.id);
      }
    });
  }, 60_000);

  it("POST /api/rooms/direct", async () => {
    const arb = fc.record({
      body: bodyFor(nearObject({ userId: fieldValue(fc.oneof(fc.constantFrom(a.user.id, b.user.id, c.user.id, foreign.members[0]!.id), fc.uuid())) })),
      type: contentType,
      method: methodArb("POST"),
    });
    await run(arb, 300, async ({ body, type, method }) => {
      const res = await send({ method, path: "/api/rooms/direct", body, type, cookie: a.cookie });
      const what = `${method} /rooms/direct ${type} ${describeInput(body)}`;
      const json = await check(res, what);
      if (method === "POST") expectStatusIn(res, [200, 400, 403, 404], what);
      if (method === "POST" && res.status === 200) {
        expect(json.room.members.map((m: User) => m.id), what).toContain(a.user.id);
        if (!initialRooms.has(json.room.id)) created.rooms.add(json.room.id);
      }
    });
  }, 60_000);

  it("POST /api/rooms/:id/read", async () => {
    const arb = fc.record({ body: bodyFor(nearObject({ seq: fieldValue(anyNumber) })), type: contentType, method: methodArb("POST") });
    await run(arb, 300, async ({ body, type, method }) => {
      const res = await send({ method, path: `/api/rooms/${room.id}/read`, body, type, cookie: a.cookie });
      const what = `${method} read ${type} ${describeInput(body)}`;
      await check(res, what);
      if (method === "POST") expectStatusIn(res, [204, 400], what);
    });
  }, 60_000);

  it("extreme bodies: megabytes, 100k-deep nesting, a million-element array, duplicate and prototype keys", async () => {
    const big = "A".repeat(1 << 20);
    const cases: [string, string | Uint8Array][] = [
      ["1 MiB displayName", JSON.stringify({ displayName: big })],
      ["8 MiB of garbage", "x".repeat(8 << 20)],
      ["8 MiB of random bytes", crypto.getRandomValues(new Uint8Array(8 << 20).subarray(0, 65536))],
      ["100k-deep array", deepNesting(100_000)],
      ["100k-deep object", deepNesting(100_000, '{"displayName":', "}")],
      ["a million-element array", `[${"0,".repeat(999_999)}0]`],
      ["a 100k-key object", `{${Array.from({ length: 100_000 }, (_, i) => `"k${i}":${i}`).join(",")}}`],
      ["duplicate keys", '{"displayName":"ok","displayName":123}'],
      ["__proto__ key", '{"__proto__":{"displayName":"polluted"}}'],
      ["constructor.prototype", '{"displayName":"fine","constructor":{"prototype":{"polluted":true}}}'],
      ["invalid UTF-8 bytes", new Uint8Array([0x7b, 0x22, 0x64, 0x69, 0x73, 0x70, 0x6c, 0x61, 0x79, 0x4e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xc0, 0x80, 0xed, 0xa0, 0x80, 0x22, 0x7d])],
      ["lone surrogate escapes", '{"displayName":"\\ud800\\udc00\\udfff\\ud800x"}'],
      ["BOM before JSON", '\ufeff{"displayName":"bom"}'],
    ];
    const routes = [
      ["PATCH", "/api/me"],
      ["POST", "/api/auth/register"],
      ["POST", "/api/auth/login"],
      ["POST", "/api/friends"],
      ["POST", "/api/rooms/direct"],
      ["POST", `/api/rooms/${room.id}/read`],
    ] as const;
    for (const [name, body] of cases) {
      for (const [method, path] of routes) {
        const res = await send({ method, path, body, type: "application/json", cookie: a.cookie, ip: "198.18.3.1" });
        const json = await check(res, `${name} at ${method} ${path}`);
        if (res.status === 201) created.users++;
        if (res.status === 201 && path === "/api/friends") created.friendships += 1;
        if (method === "PATCH" && res.status === 200) created.displayName = json.user.displayName;
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).displayName).toBeUndefined();
  }, 120_000);
});

/** Query strings of random, duplicated, malformed and huge parameters, some of them named `names`. */
const queryStrings = (names: string[], values: string[] = []) => {
  const key = fc.oneof(fc.constantFrom(...names, "Before", "limit[]", "", "before ", "%62efore"), nastyShortString);
  const value = fc.oneof(
    fc.constantFrom(...values, "1", "0", "50", "100", "101", "-1", "1.5", "1e2", "0x10", " 1", "+1", "", "9".repeat(15), "9".repeat(16), "9".repeat(400), "%", "%ZZ", "%00", "1%00", "NaN", "Infinity"),
    fc.nat().map(String),
    nastyShortString,
  );
  return fc.array(fc.tuple(key, value, fc.boolean()), { maxLength: 5 }).map((pairs) =>
    pairs
      .map(([k, v, raw]) => {
        const enc = (s: string) => (raw ? s.replace(/[#&\s]/g, "") : encodeURIComponent(wellFormed(s)));
        return `${enc(k)}=${enc(v)}`;
      })
      .join("&"),
  );
};

describe("query strings at GET /api/rooms", () => {
  it("random, duplicated, malformed and huge parameters: 200 with a page, or 400", async () => {
    const cursor = `${Date.now()}.${room.id}`;
    await run(queryStrings(["limit", "before"], [cursor, "1.x", `1.${"a".repeat(64)}`, `${"9".repeat(16)}.a`]), 500, async (q) => {
      const res = await send({ method: "GET", path: `/api/rooms?${q}`, cookie: a.cookie });
      const what = `rooms?${JSON.stringify(q.slice(0, 200))}`;
      const json = await check(res, what);
      expectStatusIn(res, [200, 400], what);
      if (res.status === 200) {
        expect(Array.isArray(json.rooms), what).toBe(true);
        expect(json.nextCursor === null || typeof json.nextCursor === "string", what).toBe(true);
        expect(typeof json.unread?.total, what).toBe("number");
      }
    });
  }, 60_000);
});

describe("query strings at GET /api/rooms/:id/messages", () => {
  it("random, duplicated, malformed and huge parameters", async () => {
    await run(queryStrings(["before", "after", "limit"]), 700, async (q) => {
      const res = await send({ method: "GET", path: `/api/rooms/${room.id}/messages?${q}`, cookie: a.cookie });
      const what = `messages?${JSON.stringify(q.slice(0, 200))}`;
      const json = await check(res, what);
      expectStatusIn(res, [200, 400], what);
      if (res.status === 200) {
        expect(Array.isArray(json.messages), what).toBe(true);
        expect(typeof json.hasMore, what).toBe("boolean");
      }
    });
  }, 60_000);

  it("with an oracle: a bad number (or before with after) is 400, a good query is 200", async () => {
    const value = fc.oneof(
      fc.nat({ max: 200 }).map(String),
      fc.constantFrom("0", "1", "100", "101", "-1", "1.5", "1e2", "0x10", " 1", "", "abc", "9".repeat(15), "9".repeat(16), "01", "\u0663", "NaN", "Infinity"),
      fc.stringMatching(/^[a-z0-9.\-]{0,5}$/),
    );
    const query = fc.record({ before: value, after: value, limit: value }, { requiredKeys: [] });
    await run(query, 300, async (q) => {
      const entries = Object.entries(q) as [string, string][];
      const qs = entries.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("&");
      const numbersOk = entries.every(([, v]) => /^\d{1,15}$/.test(v));
      const limitOk = q.limit === undefined || (/^\d{1,15}$/.test(q.limit) && Number(q.limit) >= 1 && Number(q.limit) <= 100);
      const expected = numbersOk && limitOk && !(q.before !== undefined && q.after !== undefined) ? 200 : 400;
      const res = await send({ method: "GET", path: `/api/rooms/${room.id}/messages?${qs}`, cookie: a.cookie });
      await check(res, `messages?${qs}`);
      expect(res.status, `messages?${qs}`).toBe(expected);
    });
  }, 60_000);
});

describe("random path segments as room ids", () => {
  const encodings = (id: string) => [
    id.toUpperCase(),
    [...id].map((ch) => "%" + ch.charCodeAt(0).toString(16).padStart(2, "0")).join(""),
    encodeURIComponent(encodeURIComponent(id)).replace(/-/g, "%252D"),
    `${id}%00`,
    `${id}%20`,
    `%20${id}`,
    `${id}%2F..`,
    `${id};`,
    `${id}x`,
    id.slice(0, -1),
  ];

  it("never reach a room the caller is not in, never 5xx", async () => {
    const seg = fc.oneof(
      { weight: 4, arbitrary: nastyShortString.map((s) => encodeURIComponent(wellFormed(s))) },
      { weight: 2, arbitrary: fc.constantFrom(...encodings(foreign.id)).map((s) => ({ foreign: s })) },
      { weight: 1, arbitrary: fc.constantFrom(...encodings(room.id)) },
      { weight: 2, arbitrary: fc.constantFrom("", ".", "..", "%2e%2e", "%", "%ZZ", "%ED%A0%80", "%C0%80", "%FF", "a".repeat(64), "a".repeat(65), "a".repeat(5000), "null", "undefined", "0", "-1", "*", "%2A", "direct", "ws", "messages") },
    );
    const route = fc.constantFrom("room", "messages", "read", "ws");
    await run(fc.tuple(seg, route), 600, async ([s, r]) => {
      const isForeign = typeof s === "object";
      const id = isForeign ? s.foreign : s;
      const base = `/api/rooms/${id}`;
      const req: Req =
        r === "room"
          ? { method: "GET", path: base, cookie: a.cookie }
          : r === "messages"
            ? { method: "GET", path: `${base}/messages`, cookie: a.cookie }
            : r === "read"
              ? { method: "POST", path: `${base}/read`, cookie: a.cookie, body: '{"seq":0}', type: "application/json" }
              : { method: "GET", path: `${base}/ws`, cookie: a.cookie, headers: { Upgrade: "websocket", Origin: ORIGIN } };
      const res = await send(req);
      const what = `${req.method} ${JSON.stringify(req.path.slice(0, 200))}`;
      await check(res, what);
      if (res.status === 101) res.webSocket?.accept(), res.webSocket?.close(1000, "done");
      if (isForeign) expectStatusIn(res, [400, 404, 405], what);
      if (res.status < 300 || res.status === 101) {
        // Success only for a's own room, however it was spelled.
        let decoded = "";
        try {
          decoded = decodeURIComponent(id);
        } catch {
          decoded = id;
        }
        expect(decoded, what).toBe(room.id);
      }
    });
  }, 60_000);
});

describe("random headers", () => {
  const headerSafe = (s: string) => s.replace(/[\u0000\r\n]/g, "").replace(/[^\u0000-\u00ff]/g, "?");
  const token = () => tokenOf(a.cookie);
  const b64urlBytes = (x: string) => {
    try {
      return atob(x.replace(/-/g, "+").replace(/_/g, "/"));
    } catch {
      return null;
    }
  };
  /**
   * Whether some `session` value in the cookie is the genuine token: header and payload exactly, and
   * a signature that decodes to the same bytes (the last base64url character of a 32-byte HMAC
   * carries 2 spare bits, so four spellings decode to the same signature — not a forgery). Spaces
   * around the cookie name are tolerated by the cookie parser, which is harmless too.
   */
  const carriesToken = (cookie: string, genuine: string) => {
    const [gh, gp, gs] = genuine.split(".");
    for (const m of cookie.matchAll(/(?:^|;)\s*session\s*=([^;]*)/g)) {
      let v = m[1]!.trim().replace(/^"(.*)"$/, "$1");
      try {
        v = decodeURIComponent(v);
      } catch {
        // keep as is
      }
      const [h, p, sig, ...rest] = v.split(".");
      if (rest.length === 0 && h === gh && p === gp && sig !== undefined && b64urlBytes(sig) !== null && b64urlBytes(sig) === b64urlBytes(gs!)) return true;
    }
    return false;
  };

  it("garbage, tampered, duplicated and huge cookies, spoofed identity headers", async () => {
    const cookie = fc.oneof(
      fc.string({ unit: "binary-ascii", maxLength: 80 }).map(headerSafe),
      fc.string({ unit: "binary-ascii", maxLength: 80 }).map((s) => `session=${headerSafe(s)}`),
      fc.nat({ max: token().length - 1 }).chain((i) => fc.constantFrom(..."ABCxyz019-_.=%;".split("")).map((ch) => `session=${token().slice(0, i)}${ch}${token().slice(i + 1)}`)),
      fc.constantFrom(
        () => `session=${token()}; session=garbage`,
        () => `session=garbage; session=${token()}`,
        () => `session="${token()}"`,
        () => `session=${encodeURIComponent(token())}`,
        () => `SESSION=${token()}`,
        () => `session =${token()}`,
        () => `session=${token()}%`,
        () => `session=%E0%A4%A`,
        () => `session=${"a".repeat(8 * 1024)}`,
        () => `session=${"a".repeat(256 * 1024)}`,
        () => `${"x=1; ".repeat(5000)}session=${token()}`,
        () => `session=${token().split(".").reverse().join(".")}`,
      ).map((f) => f()),
    );
    const extra = fc.dictionary(
      fc.constantFrom("X-Talk-User-Id", "X-Talk-Session-Id", "X-Talk-Room-Id", "X-Talk-Session-Expires", "X-Forwarded-For", "CF-Connecting-IP", "Authorization", "Origin", "Accept", "Content-Type", "X-Random"),
      fc.oneof(fc.constantFrom(b.user.id, "9999999999999", room.id, "Bearer x", "http://evil.com"), fc.string({ unit: "binary-ascii", maxLength: 40 }).map(headerSafe)),
      { maxKeys: 4 },
    );
    const target = fc.constantFrom("me", "events", "room-ws", "friends");
    await run(fc.record({ cookie, extra, target }), 600, async ({ cookie: ck, extra: ex, target: t }) => {
      const headers: Record<string, string> = { ...ex };
      if (t === "events" || t === "room-ws") Object.assign(headers, { Upgrade: "websocket", Origin: ORIGIN });
      const path = t === "me" ? "/api/me" : t === "events" ? "/api/events" : t === "friends" ? "/api/friends" : `/api/rooms/${room.id}/ws`;
      let res: Response;
      try {
        res = await send({ method: "GET", path, cookie: ck, headers });
      } catch (err) {
        // Only header values the fetch API itself refuses may throw here, never the Worker.
        expect(String(err), `${path} cookie ${describeInput(ck)}`).toMatch(/header/i);
        return;
      }
      const what = `${path} cookie ${describeInput(ck)} headers ${describeInput(ex)}`;
      const json = await check(res, what);
      if (t === "me" || t === "friends") expectStatusIn(res, [200, 401], what);
      else expectStatusIn(res, [101, 401], what);
      if (res.status === 101) res.webSocket?.accept(), res.webSocket?.close(1000, "done");
      if (res.status === 200 || res.status === 101) expect(carriesToken(ck, token()), `${what}: accepted without a's token`).toBe(true);
      if (t === "me" && res.status === 200) expect(json.user.id, what).toBe(a.user.id);
    });
  }, 60_000);
});

describe("afterwards", () => {
  it("D1 holds exactly what the accepted requests created: users, friendships, rooms; no messages; a's profile as last accepted", async () => {
    const after = await counts();
    expect(requests).toBeGreaterThan(4000);
    expect(after.users).toBe(before.users + created.users);
    expect(after.friendships).toBe(before.friendships + created.friendships);
    expect(after.rooms).toBe(before.rooms + created.rooms.size);
    expect(after.room_members).toBe(before.room_members + 2 * created.rooms.size);
    expect(after.messages).toBe(before.messages);
    const [row] = await query<{ display_name: string }>("select display_name from users where id = ?", a.user.id);
    expect(row!.display_name).toBe(created.displayName);
    const [bRow] = await query<{ display_name: string; username: string }>("select display_name, username from users where id = ?", b.user.id);
    expect(bRow).toEqual({ display_name: b.user.displayName, username: b.user.username });
    // The fixtures' sessions survived every logout attempt.
    for (const s of [a, b, c]) expect((await send({ method: "GET", path: "/api/me", cookie: s.cookie })).status).toBe(200);
  });
});

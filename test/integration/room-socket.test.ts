import { env } from "cloudflare:workers";
import { evictDurableObject } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import type { Message, Room, RoomServerFrame } from "../../worker/contract";
import { ORIGIN, call, connect, isAck, isMessage, register, roomSocket, upgrade, type Session, type TestSocket } from "./harness";
import { failNextCommit } from "./room-log-helpers";
import { body, expectError, expectMessage, nextRaw, quiet, range, rawUpgrade, sendAndAck, seedMessages, pairPool } from "./contract-helpers";

// A ceiling, not a pace: sign-ups cost ~150 ms of scrypt each, and a loaded machine stretches that.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

const freshPair = pairPool();

type ErrorFrame = Extract<RoomServerFrame, { type: "error" }>;
type ReadFrame = Extract<RoomServerFrame, { type: "read" }>;

const isError = (pred: (f: ErrorFrame) => boolean = () => true) => (f: { type: string }): f is ErrorFrame =>
  f.type === "error" && pred(f as ErrorFrame);
const isRead = (userId: string, lastReadSeq?: number) => (f: { type: string }): f is ReadFrame =>
  f.type === "read" && (f as ReadFrame).userId === userId && (lastReadSeq === undefined || (f as ReadFrame).lastReadSeq === lastReadSeq);
const isSynced = (f: { type: string }) => f.type === "synced";

const expectErrorFrame = (f: ErrorFrame, code: string, clientId?: string) => {
  for (const key of Object.keys(f)) expect(["type", "code", "message", "clientId"]).toContain(key);
  expect(f.code).toBe(code);
  expect(f.message).toMatch(/\S/);
  if (clientId !== undefined) expect(f.clientId).toBe(clientId);
};

const stored = async (roomId: string, s: Session) =>
  (await body<{ messages: Message[]; hasMore: boolean }>(await call(`/api/rooms/${roomId}/messages?limit=100`, { cookie: s.cookie }), 200)).messages;
const getRoom = async (roomId: string, s: Session) => (await body<{ room: Room }>(await call(`/api/rooms/${roomId}`, { cookie: s.cookie }), 200)).room;
const messageSeqs = (sock: TestSocket) => sock.ofType("message").map((f) => f.message.seq);

/** A frame whose UTF-8 encoding is exactly `bytes` long and that is a valid send (body ≤ 10,000 code points). */
const sendFrameOfBytes = (clientId: string, bytes: number) => {
  const prefix = `{"type":"send","clientId":"${clientId}","body":"`;
  const suffix = `"}`;
  const room = bytes - prefix.length - suffix.length;
  const emoji = Math.floor(room / 12) - 10; // each "\ud83d\ude00" escape is 12 bytes and one code point
  const ascii = room - emoji * 12;
  const raw = prefix + "\\ud83d\\ude00".repeat(emoji) + "a".repeat(ascii) + suffix;
  expect(new TextEncoder().encode(raw).length).toBe(bytes);
  return { raw, body: "😀".repeat(emoji) + "a".repeat(ascii) };
};

describe("room socket: hello", () => {
  it("greets with roomId, lastSeq and the members with their read cursors", async () => {
    const { a, b, room } = await freshPair();
    const first = await connect(`/api/rooms/${room.id}/ws`, a.cookie);
    const hello0 = await first.next((f) => f.type === "hello");
    expect(hello0).toEqual({
      type: "hello",
      roomId: room.id,
      kind: "direct",
      title: null,
      lastSeq: 0,
      version: 0,
      members: expect.arrayContaining([
        { ...a.user, lastReadSeq: 0, joinedSeq: 0 },
        { ...b.user, lastReadSeq: 0, joinedSeq: 0 },
      ]),
      allowance: { tokens: Number(env.SEND_BURST), burst: Number(env.SEND_BURST), perSecond: Number(env.SEND_PER_SECOND) },
    });
    expect((hello0 as { members: unknown[] }).members).toHaveLength(2);
    await sendAndAck(first, "h1");
    await sendAndAck(first, "h2");
    first.close();

    const sb = await connect(`/api/rooms/${room.id}/ws`, b.cookie);
    const hello = await sb.next((f) => f.type === "hello");
    expect(hello).toEqual({
      type: "hello",
      roomId: room.id,
      kind: "direct",
      title: null,
      lastSeq: 2,
      // Each message grows it, and so does each move of the sender's cursor.
      version: 4,
      members: expect.arrayContaining([
        { ...a.user, lastReadSeq: 2, joinedSeq: 0 },
        { ...b.user, lastReadSeq: 0, joinedSeq: 0 },
      ]),
      allowance: { tokens: Number(env.SEND_BURST), burst: Number(env.SEND_BURST), perSecond: Number(env.SEND_PER_SECOND) },
    });
    sb.close();
  });
});

describe("room socket: send", () => {
  it("acks the sender with the stored message and delivers it to the other member", async () => {
    const { a, b, room } = await freshPair();
    const sa = await roomSocket(room.id, a);
    const sb = await roomSocket(room.id, b);
    sa.send({ type: "send", clientId: "c-1", body: "안녕하세요" });
    const ack = await sa.next(isAck("c-1"));
    expect(Object.keys(ack).sort()).toEqual(["clientId", "message", "type"]);
    expectMessage(ack.message, { roomId: room.id, seq: 1, senderId: a.user.id, body: "안녕하세요", clientId: "c-1" });
    const delivered = await sb.next(isMessage(1));
    expect(Object.keys(delivered).sort()).toEqual(["message", "type"]);
    expect(delivered.message).toEqual(ack.message);
    expect(await stored(room.id, b)).toEqual([ack.message]);
    // B never gets an ack for A's message.
    expect(sb.ofType("ack")).toEqual([]);
    sa.close();
    sb.close();
  });

  it("delivers the message to the sender's other tabs too", async () => {
    const { a, b, room } = await freshPair();
    const tab1 = await roomSocket(room.id, a);
    const tab2 = await roomSocket(room.id, a);
    const sb = await roomSocket(room.id, b);
    const msg = await sendAndAck(tab1, "tabs");
    expect((await tab2.next(isMessage(1))).message).toEqual(msg);
    expect((await sb.next(isMessage(1))).message).toEqual(msg);
    for (const s of [tab1, tab2, sb]) s.close();
  });

  it("numbers messages 1, 2, 3 … without gaps, and delivers them in seq order", async () => {
    const { a, b, room } = await freshPair();
    const sa = await roomSocket(room.id, a);
    const sb = await roomSocket(room.id, b);
    // Pipelined: all sent before the first ack.
    for (let i = 1; i <= 5; i++) sa.send({ type: "send", clientId: `p${i}`, body: `pipelined ${i}` });
    const acks = await Promise.all(range(1, 5).map((i) => sa.next(isAck(`p${i}`))));
    expect(acks.map((x) => x.message.seq)).toEqual([1, 2, 3, 4, 5]);
    await sb.next(isMessage(5));
    expect(messageSeqs(sb)).toEqual([1, 2, 3, 4, 5]);
    expect(sb.ofType("message").map((f) => f.message.body)).toEqual(range(1, 5).map((i) => `pipelined ${i}`));
    sa.close();
    sb.close();
  });

  it("keeps seq gap-free and unique when both members send at once", async () => {
    const { a, b, room } = await freshPair();
    const sa = await roomSocket(room.id, a);
    const sb = await roomSocket(room.id, b);
    for (let i = 0; i < 6; i++) {
      sa.send({ type: "send", clientId: `a${i}`, body: `from a ${i}` });
      sb.send({ type: "send", clientId: `b${i}`, body: `from b ${i}` });
    }
    const acksA = await Promise.all(range(0, 5).map((i) => sa.next(isAck(`a${i}`))));
    const acksB = await Promise.all(range(0, 5).map((i) => sb.next(isAck(`b${i}`))));
    const all = [...acksA, ...acksB].map((x) => x.message.seq).sort((x, y) => x - y);
    expect(all).toEqual(range(1, 12));
    // Each side sees the other's messages as `message` frames, in increasing seq order.
    await sa.next(isMessage(Math.max(...acksB.map((x) => x.message.seq))));
    await sb.next(isMessage(Math.max(...acksA.map((x) => x.message.seq))));
    const seenByA = messageSeqs(sa);
    const seenByB = messageSeqs(sb);
    expect(seenByA).toEqual([...seenByA].sort((x, y) => x - y));
    expect(seenByB).toEqual([...seenByB].sort((x, y) => x - y));
    expect(seenByA).toEqual(acksB.map((x) => x.message.seq).sort((x, y) => x - y));
    expect(seenByB).toEqual(acksA.map((x) => x.message.seq).sort((x, y) => x - y));
    expect((await stored(room.id, a)).map((m) => m.seq)).toEqual(range(1, 12));
    sa.close();
    sb.close();
  });

  it("re-acks a repeated clientId with the original message and stores it once", async () => {
    const { a, b, room } = await freshPair();
    const sa = await roomSocket(room.id, a);
    const sb = await roomSocket(room.id, b);
    const original = await sendAndAck(sa, "dup", "the original");
    sa.send({ type: "send", clientId: "dup", body: "a resend with other text" });
    const acks = () => sa.ofType("ack").filter((f) => f.clientId === "dup");
    await sa.next((f) => f.type === "ack" && acks().length === 2);
    expect(acks()[1]!.message).toEqual(original);
    // The resend took no seq, and B holds the original, never the resend's text. (Whether B is sent
    // the stored message a second time is left open by the contract: clients merge by seq.)
    const next = await sendAndAck(sa, "after-dup");
    expect(next.seq).toBe(2);
    await sb.next(isMessage(2));
    expect([...new Set(messageSeqs(sb))]).toEqual([1, 2]);
    for (const f of sb.ofType("message").filter((f) => f.message.seq === 1)) expect(f.message).toEqual(original);
    expect((await stored(room.id, a)).map((m) => [m.seq, m.clientId, m.body])).toEqual([
      [1, "dup", "the original"],
      [2, "after-dup", "text after-dup"],
    ]);
    sa.close();
    sb.close();
  });

  it("stores a repeated clientId once even when the repeat is sent before the first ack", async () => {
    const { a, room } = await freshPair();
    const sa = await roomSocket(room.id, a);
    sa.send({ type: "send", clientId: "twice", body: "one" });
    sa.send({ type: "send", clientId: "twice", body: "two" });
    await sa.next((f) => f.type === "ack" && sa.ofType("ack").length === 2);
    const [x, y] = sa.ofType("ack");
    expect(x!.message).toEqual(y!.message);
    expect(x!.message).toMatchObject({ seq: 1, body: "one" });
    expect((await stored(room.id, a)).map((m) => m.seq)).toEqual([1]);
    sa.close();
  });

  it("treats the same clientId from another member as a different message", async () => {
    const { a, b, room } = await freshPair();
    const sa = await roomSocket(room.id, a);
    const sb = await roomSocket(room.id, b);
    const fromA = await sendAndAck(sa, "same-id", "from a");
    const fromB = await sendAndAck(sb, "same-id", "from b");
    expect([fromA.seq, fromB.seq]).toEqual([1, 2]);
    expect(fromB).toMatchObject({ senderId: b.user.id, body: "from b" });
    sa.close();
    sb.close();
  });

  it("accepts a body of exactly 10,000 Hangul syllables and refuses 10,001 with an error carrying the clientId", async () => {
    const { a, b, room } = await freshPair();
    const sa = await roomSocket(room.id, a);
    const sb = await roomSocket(room.id, b);
    const max = "한".repeat(10_000);
    const ok = await sendAndAck(sa, "max", max);
    expect(ok.body).toBe(max);
    sa.send({ type: "send", clientId: "over", body: "한".repeat(10_001) });
    expectErrorFrame(await sa.next(isError((f) => f.clientId === "over")), "invalid", "over");
    expect(sa.ofType("ack").map((f) => f.clientId)).toEqual(["max"]);
    const after = await sendAndAck(sa, "after-over");
    expect(after.seq).toBe(2);
    await sb.next(isMessage(2));
    expect(messageSeqs(sb)).toEqual([1, 2]);
    const messages = await stored(room.id, b);
    expect(messages.map((m) => m.clientId)).toEqual(["max", "after-over"]);
    expect([...messages[0]!.body].length).toBe(10_000);
    sa.close();
    sb.close();
  });

  it("counts characters as code points: 10,000 emoji fit", async () => {
    const { a, room } = await freshPair();
    const sa = await roomSocket(room.id, a);
    const emoji = "😀".repeat(10_000);
    expect((await sendAndAck(sa, "emoji", emoji)).body).toBe(emoji);
    sa.send({ type: "send", clientId: "emoji-over", body: emoji + "😀" });
    expectErrorFrame(await sa.next(isError((f) => f.clientId === "emoji-over")), "invalid", "emoji-over");
    sa.close();
  });

  it.each([
    ["whitespace-only", "  \n\t  "],
    ["empty", ""],
    ["spaces and a zero-width space", "  \u200B "],
    ["bidi marks and joiners only", "\u202E\u200F\u2066\u200D\uFEFF"],
    ["Hangul fillers and an ideographic space", "\u3164\u3000\u3164"],
  ])("refuses a %s body with an error carrying the clientId, and stores nothing", async (_name, text) => {
    const { a, room } = await freshPair();
    const sa = await roomSocket(room.id, a);
    sa.send({ type: "send", clientId: "blank", body: text });
    expectErrorFrame(await sa.next(isError()), "invalid", "blank");
    expect(sa.ofType("ack")).toEqual([]);
    expect((await sendAndAck(sa, "real")).seq).toBe(1);
    expect((await stored(room.id, a)).map((m) => m.clientId)).toEqual(["real"]);
    sa.close();
  });

  it("accepts a 64-character clientId and refuses a 65-character or empty one", async () => {
    const { a, room } = await freshPair();
    const sa = await roomSocket(room.id, a);
    const id64 = "k".repeat(64);
    expect((await sendAndAck(sa, id64)).clientId).toBe(id64);
    sa.send({ type: "send", clientId: "k".repeat(65), body: "x" });
    expectErrorFrame(await sa.next(isError()), "invalid");
    sa.send({ type: "send", clientId: "", body: "x" });
    await sa.next(() => sa.ofType("error").length === 2);
    expectErrorFrame(sa.ofType("error")[1]!, "invalid");
    expect((await stored(room.id, a)).map((m) => m.clientId)).toEqual([id64]);
    sa.close();
  });

  it.each([
    ["a body that is a number", { type: "send", clientId: "t1", body: 42 }],
    ["a missing body", { type: "send", clientId: "t2" }],
    ["a missing clientId", { type: "send", body: "hi" }],
  ])("refuses a send with %s with an `invalid` error", async (_name, frame) => {
    const { a, room } = await freshPair();
    const sa = await roomSocket(room.id, a);
    sa.send(frame);
    const err = await sa.next(isError());
    expectErrorFrame(err, "invalid", (frame as { clientId?: string }).clientId);
    expect(sa.closed).toBeNull();
    sa.close();
  });
});

describe("room socket: refused frames", () => {
  it("answers bad JSON with `bad_json` and stays open", async () => {
    const { a, b, room } = await freshPair();
    const sa = await roomSocket(room.id, a);
    const sb = await roomSocket(room.id, b);
    sa.send("{not json");
    expectErrorFrame(await sa.next(isError()), "bad_json");
    expect(sa.closed).toBeNull();
    const msg = await sendAndAck(sa, "after-bad-json");
    expect(msg.seq).toBe(1);
    expect((await sb.next(isMessage(1))).message).toEqual(msg);
    sa.close();
    sb.close();
  });

  it.each([
    ["an unknown type", { type: "shout", body: "hi" }],
    ["no type", { body: "hi" }],
    ["a JSON array", [1, 2]],
    ["JSON null", null],
  ])("answers %s with an `invalid` error and stays open", async (_name, frame) => {
    const { a, room } = await freshPair();
    const sa = await roomSocket(room.id, a);
    sa.send(JSON.stringify(frame));
    expectErrorFrame(await sa.next(isError()), "invalid");
    expect((await sendAndAck(sa, "still-open")).seq).toBe(1);
    sa.close();
  });

  it("answers a binary frame with `bad_frame` and stays open", async () => {
    const { a, room } = await freshPair();
    const sa = await roomSocket(room.id, a);
    sa.ws.send(new TextEncoder().encode(JSON.stringify({ type: "send", clientId: "bin", body: "x" })));
    expectErrorFrame(await sa.next(isError()), "bad_frame");
    expect((await sendAndAck(sa, "text")).seq).toBe(1);
    expect((await stored(room.id, a)).map((m) => m.clientId)).toEqual(["text"]);
    sa.close();
  });

  it("accepts a frame of exactly 64 KiB and closes the socket with 1009 for one byte more", async () => {
    const { a, room } = await freshPair();
    const sa = await roomSocket(room.id, a);
    const fits = sendFrameOfBytes("fits", 64 * 1024);
    sa.send(fits.raw);
    expect((await sa.next(isAck("fits"))).message.body).toBe(fits.body);
    expect(sa.closed).toBeNull();
    sa.send(sendFrameOfBytes("too-big", 64 * 1024 + 1).raw);
    expect((await sa.waitClosed()).code).toBe(1009);
    expect((await stored(room.id, a)).map((m) => m.clientId)).toEqual(["fits"]);
  });

  it("closes with 1009 for a much larger frame, storing nothing", async () => {
    const { a, room } = await freshPair();
    const sa = await roomSocket(room.id, a);
    sa.send({ type: "send", clientId: "huge", body: "x".repeat(100_000) });
    expect((await sa.waitClosed()).code).toBe(1009);
    expect(await stored(room.id, a)).toEqual([]);
  });
});

describe("room socket: failed writes", () => {
  it("answers `store_failed` with the clientId when the write fails, stores nothing, and takes the resend with the next seq", async () => {
    const { a, b, room } = await freshPair();
    const sa = await roomSocket(room.id, a);
    const sb = await roomSocket(room.id, b);
    await sendAndAck(sa, "ok-1");
    // The room's log refuses the next write (as a failing disk would).
    await failNextCommit(room.id);
    sa.send({ type: "send", clientId: "doomed", body: "will fail" });
    expectErrorFrame(await sa.next(isError((f) => f.clientId === "doomed")), "store_failed", "doomed");
    expect(sa.ofType("ack").map((f) => f.clientId)).toEqual(["ok-1"]);
    expect(sa.closed).toBeNull();
    const resent = await sendAndAck(sa, "doomed", "will fail");
    expect(resent.seq).toBe(2);
    await sb.next(isMessage(2));
    expect(messageSeqs(sb)).toEqual([1, 2]);
    expect((await stored(room.id, a)).map((m) => [m.seq, m.clientId])).toEqual([
      [1, "ok-1"],
      [2, "doomed"],
    ]);
    sa.close();
    sb.close();
  });
});

describe("room socket: rate limit", () => {
  it("lets a client send 50 messages at once (an outbox flush)", async () => {
    const { a, b, room } = await freshPair();
    const sa = await roomSocket(room.id, a);
    const sb = await roomSocket(room.id, b);
    for (let i = 1; i <= 50; i++) sa.send({ type: "send", clientId: `o${i}`, body: `outbox ${i}` });
    const acks = await Promise.all(range(1, 50).map((i) => sa.next(isAck(`o${i}`))));
    expect(acks.map((x) => x.message.seq)).toEqual(range(1, 50));
    expect(sa.ofType("error")).toEqual([]);
    await sb.next(isMessage(50));
    expect(messageSeqs(sb)).toEqual(range(1, 50));
    sa.close();
    sb.close();
  });

  it("refuses sends beyond the burst with `rate_limited` carrying their clientId, and keeps the socket open", async () => {
    const { a, room } = await freshPair();
    const sa = await roomSocket(room.id, a);
    // Use up the burst of 60 with cheap frames (every frame counts against the allowance).
    for (let i = 0; i < 60; i++) sa.send({ type: "sync", after: 1_000_000 });
    // 30 sends right after: the allowance refills at 5 per second, so most must be refused, but
    // fewer than 40 in a row, so the socket stays open.
    for (let i = 1; i <= 30; i++) sa.send({ type: "send", clientId: `r${i}`, body: `over ${i}` });
    const outcomes = await Promise.all(
      range(1, 30).map((i) => sa.next((f) => (f.type === "ack" || f.type === "error") && f.clientId === `r${i}`)),
    );
    const refused = outcomes.filter((f): f is ErrorFrame => f.type === "error");
    expect(refused.length).toBeGreaterThanOrEqual(1);
    for (const f of refused) expectErrorFrame(f, "rate_limited");
    // Exactly the acked sends were stored.
    const acked = outcomes.filter((f) => f.type === "ack").map((f) => (f as { clientId: string }).clientId);
    expect((await stored(room.id, a)).map((m) => m.clientId)).toEqual(acked);
    expect(sa.closed).toBeNull();
    sa.close();
  });

  it("closes a socket that keeps flooding with 1008", async () => {
    const { a, room } = await freshPair();
    const sa = await roomSocket(room.id, a);
    // Flood with cheap frames until the socket is closed (bounded, in case the limit is missing).
    for (let round = 0; round < 10 && !sa.closed; round++) {
      try {
        for (let i = 0; i < 150; i++) sa.send({ type: "nope" });
      } catch {
        // closed while sending
      }
      await sa.waitClosed(1000).catch(() => undefined);
    }
    expect(sa.closed?.code).toBe(1008);
    expect(sa.ofType("error").some((f) => f.code === "rate_limited")).toBe(true);
  });
});

describe("room socket: read", () => {
  it("broadcasts a `read` frame to every member and moves the cursor seen by GET /api/rooms/:id", async () => {
    const { a, b, room } = await freshPair();
    const sa = await roomSocket(room.id, a);
    const sb = await roomSocket(room.id, b);
    for (const id of ["1", "2", "3"]) await sendAndAck(sa, id);
    await sb.next(isMessage(3));
    sb.send({ type: "read", seq: 2 });
    const toB = await sb.next(isRead(b.user.id));
    const toA = await sa.next(isRead(b.user.id));
    expect(toB).toEqual({ type: "read", userId: b.user.id, lastReadSeq: 2 });
    expect(toA).toEqual(toB);
    const r = await getRoom(room.id, b);
    expect(r.members.find((m) => m.id === b.user.id)!.lastReadSeq).toBe(2);
    expect(r.unreadCount).toBe(1);
    sa.close();
    sb.close();
  });

  it("takes a seq above the last as the last, and does not move the cursor back (no broadcast)", async () => {
    const { a, b, room } = await freshPair();
    const sa = await roomSocket(room.id, a);
    const sb = await roomSocket(room.id, b);
    for (const id of ["1", "2"]) await sendAndAck(sa, id);
    sb.send({ type: "read", seq: 99 });
    expect(await sa.next(isRead(b.user.id))).toEqual({ type: "read", userId: b.user.id, lastReadSeq: 2 });
    sb.send({ type: "read", seq: 1 });
    sb.send({ type: "read", seq: 2 });
    await quiet(150);
    expect(sa.frames.filter(isRead(b.user.id))).toHaveLength(1);
    expect(sb.frames.filter(isRead(b.user.id))).toHaveLength(1);
    const r = await getRoom(room.id, b);
    expect(r.members.find((m) => m.id === b.user.id)!.lastReadSeq).toBe(2);
    sa.close();
    sb.close();
  });

  it("moves the sender's own cursor to each message it sends and tells the room", async () => {
    const { a, b, room } = await freshPair();
    const sa = await roomSocket(room.id, a);
    const sb = await roomSocket(room.id, b);
    await sendAndAck(sa, "mine");
    expect(await sb.next(isRead(a.user.id, 1))).toEqual({ type: "read", userId: a.user.id, lastReadSeq: 1 });
    expect(await sa.next(isRead(a.user.id, 1))).toEqual({ type: "read", userId: a.user.id, lastReadSeq: 1 });
    const r = await getRoom(room.id, a);
    expect(r.members.find((m) => m.id === a.user.id)!.lastReadSeq).toBe(1);
    expect(r.unreadCount).toBe(0);
    sa.close();
    sb.close();
  });

  it("broadcasts a `read` frame when the cursor moves through POST /api/rooms/:id/read", async () => {
    const { a, b, room } = await freshPair();
    const sa = await roomSocket(room.id, a);
    for (const id of ["1", "2"]) await sendAndAck(sa, id);
    expect((await call(`/api/rooms/${room.id}/read`, { method: "POST", cookie: b.cookie, json: { seq: 2 } })).status).toBe(204);
    expect(await sa.next(isRead(b.user.id))).toEqual({ type: "read", userId: b.user.id, lastReadSeq: 2 });
    sa.close();
  });

  it("refuses a read frame with a bad seq with an `invalid` error", async () => {
    const { a, room } = await freshPair();
    const sa = await roomSocket(room.id, a);
    sa.send({ type: "read", seq: -1 });
    expectErrorFrame(await sa.next(isError()), "invalid");
    sa.send({ type: "read", seq: "3" });
    await sa.next(() => sa.ofType("error").length === 2);
    expect(sa.closed).toBeNull();
    sa.close();
  });
});

describe("room socket: sync", () => {
  it("answers the messages above N in order, then `synced` with the last seq", async () => {
    const { a, b, room } = await freshPair();
    const sa = await roomSocket(room.id, a);
    const sent = [];
    for (const id of ["1", "2", "3", "4"]) sent.push(await sendAndAck(sa, id));
    sa.close();
    const sb = await roomSocket(room.id, b);
    sb.send({ type: "sync", after: 1 });
    const synced = await sb.next(isSynced);
    expect(synced).toEqual({ type: "synced", lastSeq: 4 });
    const idx = sb.frames.indexOf(synced);
    const before = sb.frames.slice(0, idx).filter((f) => f.type === "message");
    expect(before.map((f) => (f as { message: Message }).message)).toEqual(sent.slice(1));
    sb.close();
  });

  it("answers `synced` with `after` when nothing lies above it", async () => {
    const { a, room } = await freshPair();
    const sa = await roomSocket(room.id, a);
    sa.send({ type: "sync", after: 0 });
    expect(await sa.next(isSynced)).toEqual({ type: "synced", lastSeq: 0 });
    await sendAndAck(sa, "one");
    sa.send({ type: "sync", after: 7 });
    expect(await sa.next((f) => f.type === "synced" && f.lastSeq === 7)).toEqual({ type: "synced", lastSeq: 7 });
    expect(sa.ofType("message")).toEqual([]);
    sa.close();
  });

  it("answers a sync over more than one page (1,201 messages) completely and in order", async () => {
    const { a, b, room } = await freshPair();
    await seedMessages(room.id, [a, b], 1201);
    const sb = await roomSocket(room.id, b);
    sb.send({ type: "sync", after: 0 });
    expect(await sb.next(isSynced, 10_000)).toEqual({ type: "synced", lastSeq: 1201 });
    expect(messageSeqs(sb)).toEqual(range(1, 1201));
    sb.send({ type: "sync", after: 1195 });
    await sb.next((f) => f.type === "synced" && sb.ofType("synced").length === 2);
    expect(messageSeqs(sb).slice(1201)).toEqual(range(1196, 1201));
    // Live sends continue from the seeded history.
    expect((await sendAndAck(sb, "live")).seq).toBe(1202);
    sb.close();
  });

  it("refuses a sync with a bad `after` with an `invalid` error", async () => {
    const { a, room } = await freshPair();
    const sa = await roomSocket(room.id, a);
    sa.send({ type: "sync", after: "x" });
    expectErrorFrame(await sa.next(isError()), "invalid");
    sa.close();
  });
});

describe("room socket: ping", () => {
  it("answers the text `ping` with the text `pong`, not with an error", async () => {
    const { a, room } = await freshPair();
    const sa = await roomSocket(room.id, a);
    const pong = nextRaw(sa.ws, (d) => d === "pong");
    sa.ws.send("ping");
    expect(await pong).toBe("pong");
    // Frames are answered in order: by the time `synced` arrives an error for `ping` would have too.
    sa.send({ type: "sync", after: 0 });
    await sa.next(isSynced);
    expect(sa.ofType("error")).toEqual([]);
    sa.close();
  });
});

describe("room socket: upgrade", () => {
  it("opens for a member with our Origin and the session cookie", async () => {
    const { a, room } = await freshPair();
    const res = await upgrade(`/api/rooms/${room.id}/ws`, { cookie: a.cookie });
    expect(res.status).toBe(101);
    expect(res.webSocket).toBeTruthy();
    res.webSocket!.accept();
    res.webSocket!.close();
  });

  const refusals: [string, (f: Fixture) => Promise<Response>, number, string][] = [
    ["no Origin (no cookie, no such room)", (f) => upgrade(`/api/rooms/${crypto.randomUUID()}/ws`, { origin: null }), 403, "bad_origin"],
    ["no Origin (member)", (f) => upgrade(`/api/rooms/${f.room.id}/ws`, { cookie: f.a.cookie, origin: null }), 403, "bad_origin"],
    ["a foreign Origin (member)", (f) => upgrade(`/api/rooms/${f.room.id}/ws`, { cookie: f.a.cookie, origin: "https://evil.example" }), 403, "bad_origin"],
    ["a foreign Origin (no cookie, no such room)", (f) => upgrade(`/api/rooms/nope/ws`, { origin: "https://evil.example" }), 403, "bad_origin"],
    ["a look-alike Origin", (f) => upgrade(`/api/rooms/${f.room.id}/ws`, { cookie: f.a.cookie, origin: `${ORIGIN}.evil.example` }), 403, "bad_origin"],
    ["our host over https", (f) => upgrade(`/api/rooms/${f.room.id}/ws`, { cookie: f.a.cookie, origin: "https://talk.test" }), 403, "bad_origin"],
    ["our host on another port", (f) => upgrade(`/api/rooms/${f.room.id}/ws`, { cookie: f.a.cookie, origin: "http://talk.test:8787" }), 403, "bad_origin"],
    ["Origin null", (f) => upgrade(`/api/rooms/${f.room.id}/ws`, { cookie: f.a.cookie, origin: "null" }), 403, "bad_origin"],
    ["no cookie (no such room)", (f) => upgrade(`/api/rooms/${crypto.randomUUID()}/ws`), 401, "unauthenticated"],
    ["no cookie (real room)", (f) => upgrade(`/api/rooms/${f.room.id}/ws`), 401, "unauthenticated"],
    ["a garbage cookie", (f) => upgrade(`/api/rooms/${f.room.id}/ws`, { cookie: "session=garbage" }), 401, "unauthenticated"],
    ["a non-member", (f) => upgrade(`/api/rooms/${f.room.id}/ws`, { cookie: f.outsider.cookie }), 404, "room_not_found"],
    ["no such room", (f) => upgrade(`/api/rooms/${crypto.randomUUID()}/ws`, { cookie: f.a.cookie }), 404, "room_not_found"],
    ["no Upgrade header", (f) => call(`/api/rooms/${f.room.id}/ws`, { cookie: f.a.cookie, headers: { Origin: ORIGIN } }), 426, "upgrade_required"],
  ];
  interface Fixture {
    a: Session;
    room: Room;
    outsider: Session;
  }
  let fixture: Promise<Fixture> | undefined;
  const getFixture = () => (fixture ??= (async () => ({ ...(await freshPair()), outsider: await register() }))());

  it.each(refusals)("refuses %s before upgrading", async (_name, request, status, code) => {
    const res = await request(await getFixture());
    expect(res.webSocket).toBeFalsy();
    await expectError(res, status, code);
  });

  it("checks Origin before the session and the session before membership", async () => {
    const f = await getFixture();
    // Every check fails: the first in order answers.
    await expectError(await rawUpgrade(`/api/rooms/${crypto.randomUUID()}/ws`, { Origin: "https://evil.example", cookie: "session=garbage" }), 403, "bad_origin");
    // Origin fine; session and membership fail.
    await expectError(await rawUpgrade(`/api/rooms/${crypto.randomUUID()}/ws`, { cookie: "session=garbage" }), 401, "unauthenticated");
    // Origin and session fine; membership fails.
    await expectError(await rawUpgrade(`/api/rooms/${f.room.id}/ws`, { cookie: f.outsider.cookie }), 404, "room_not_found");
  });
});

describe("room socket: the room object may be evicted at any moment", () => {
  it("keeps open sockets working after an eviction: ping, gap-free seq, fan-out, repeated clientId, cursors", async () => {
    const { a, b, room } = await freshPair();
    const sa = await roomSocket(room.id, a);
    const sb = await roomSocket(room.id, b);
    const first = await sendAndAck(sa, "pre-1");
    await sendAndAck(sa, "pre-2");
    await sb.next(isMessage(2));

    await evictDurableObject(env.CHAT_ROOM.get(env.CHAT_ROOM.idFromName(room.id)));

    const pong = nextRaw(sa.ws, (d) => d === "pong");
    sa.ws.send("ping");
    expect(await pong).toBe("pong");
    const third = await sendAndAck(sa, "post-3");
    expect(third.seq).toBe(3);
    expect((await sb.next(isMessage(3))).message).toEqual(third);
    // The resend of a message stored before the eviction is still recognised.
    sa.send({ type: "send", clientId: "pre-1", body: "again" });
    await sa.next(() => sa.ofType("ack").filter((f) => f.clientId === "pre-1").length === 2);
    expect(sa.ofType("ack").filter((f) => f.clientId === "pre-1")[1]!.message).toEqual(first);
    // B answers; A reads it.
    const fourth = await sendAndAck(sb, "post-4");
    expect(fourth.seq).toBe(4);
    sa.send({ type: "read", seq: 4 });
    expect(await sb.next(isRead(a.user.id, 4))).toEqual({ type: "read", userId: a.user.id, lastReadSeq: 4 });
    expect((await stored(room.id, a)).map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    sa.close();
    sb.close();
  });
});

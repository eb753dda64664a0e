/**
 * Room socket fuzzing (fast-check, fixed seed): random text and binary frames, JSON and not,
 * wrong types and boundary lengths. Every refused frame gets exactly one well-formed `error`
 * frame, the socket is never dropped (except 1009 for a frame over 64 KiB), and afterwards the
 * room's rows in D1 are exactly the messages that were acked — once each, gap-free.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { ORIGIN, TestSocket, isAck, pair, roomSocket, type Session } from "../harness";
import type { Message, Room } from "../../../worker/contract";
import { anyNumber, anyValue, fieldValue, nastyString, nearObject, SEED, wellFormed } from "./fuzz-arbitraries";
import { counts, query, rawUpgrade, stillOpen, wellFormedErrors, type Counts } from "./helpers";
import { refillAllowance } from "../delivery/support";
import { d1CaughtUp } from "../room-log-helpers";

let a: Session;
let b: Session;
let room: Room;
let before: Counts;
let watcher: TestSocket;

beforeAll(async () => {
  ({ a, b, room } = await pair());
  before = await counts();
  watcher = await roomSocket(room.id, b);
});

type Frame = string | Uint8Array;
type Outcome = "none" | "bad_frame" | "bad_json" | "invalid" | "send" | "out_of_order" | "read" | "sync";

const codePoints = (s: string) => [...s].length;
const utf8Length = (s: string) => new TextEncoder().encode(s).length;
const isSeq = (n: unknown) => typeof n === "number" && Number.isSafeInteger(n) && n >= 0;

/**
 * An oracle written from docs/api.md (plus: strings with lone surrogates are refused, since UTF-8
 * storage would silently change them), independent of the Worker's schema. Returns every outcome
 * the contract allows (two where it is ambiguous: clientId "chars" counted as UTF-16 units or code
 * points).
 */
const oracle = (frame: Frame): Set<Outcome> => {
  if (typeof frame !== "string") return new Set(["bad_frame"]);
  if (frame === "ping") return new Set(["none"]);
  let v: any;
  try {
    v = JSON.parse(frame);
  } catch {
    return new Set(["bad_json"]);
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) return new Set(["invalid"]);
  if (v.type === "read") return new Set([isSeq(v.seq) ? "read" : "invalid"]);
  if (v.type === "sync") return new Set([isSeq(v.after) ? "sync" : "invalid"]);
  if (v.type !== "send") return new Set(["invalid"]);
  if (typeof v.clientId !== "string" || typeof v.body !== "string") return new Set(["invalid"]);
  // `after` names a clientId like `clientId` does; one this fuzz never stored makes a good send wait (out_of_order).
  if (v.after !== undefined && (typeof v.after !== "string" || wellFormed(v.after) !== v.after)) return new Set(["invalid"]);
  const afterOk = v.after === undefined ? [true, true] : [v.after.length, codePoints(v.after)].map((n) => n >= 1 && n <= 64);
  const good = v.after === undefined ? "send" : "out_of_order";
  // Text that UTF-8 storage cannot hold byte for byte (a lone surrogate) is refused.
  if (wellFormed(v.clientId) !== v.clientId || wellFormed(v.body) !== v.body) return new Set(["invalid"]);
  const out = new Set<Outcome>();
  const idOk = [v.clientId.length, codePoints(v.clientId)].map((n) => n >= 1 && n <= 64);
  const bodyOk = codePoints(v.body) <= 10_000;
  // Nothing visible: only white space, default-ignorable (zero-width, fillers), control or format characters.
  const blank = /^[\p{White_Space}\p{Default_Ignorable_Code_Point}\p{Cc}\p{Cf}]*$/u.test(v.body);
  for (const [i, id] of idOk.entries()) out.add(id && afterOk[i] && bodyOk && !blank ? good : "invalid");
  return out;
};

/** The clientId an `error` frame should carry: the frame's, when it is a usable one. */
const usableClientId = (frame: Frame): string | undefined => {
  if (typeof frame !== "string") return undefined;
  try {
    const id = JSON.parse(frame)?.clientId;
    return typeof id === "string" && id.length >= 1 && id.length <= 64 ? id : undefined;
  } catch {
    return undefined;
  }
};

let counter = 0;
const validClientId = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/).map((s) => `${s}-${++counter}`),
  fc.constantFrom("same-id-1", "same-id-2", "x".repeat(64), "한".repeat(64), "\u0000id"),
);
const validBody = fc.oneof(
  nastyString.filter((s) => s.trim() !== "" && codePoints(s) <= 10_000),
  fc.constantFrom("hi", "한".repeat(10_000), "😀".repeat(10_000), "x".repeat(9_999) + "😀", "<script>alert(1)</script>", " a ", "\u0000"),
);

const FRAME_MAX = 64 * 1024;
const frameArb: fc.Arbitrary<Frame> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ type: fc.constant("send"), clientId: validClientId, body: validBody }).map((f) => JSON.stringify(f)) },
  {
    weight: 5,
    arbitrary: nearObject({
      type: fieldValue(fc.constantFrom("send", "read", "sync", "SEND", "Send", "hello", "ack", "message", "error", "", " send")),
      clientId: fieldValue(validClientId),
      body: fieldValue(validBody),
      seq: fieldValue(anyNumber),
      after: fieldValue(anyNumber),
    }).map((f) => JSON.stringify(f)),
  },
  { weight: 1, arbitrary: fc.record({ type: fc.constantFrom("read", "sync"), seq: anyNumber, after: anyNumber }).map((f) => JSON.stringify(f)) },
  { weight: 1, arbitrary: anyValue.map((v) => JSON.stringify(v) ?? "undefined") },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 60 }) },
  { weight: 1, arbitrary: fc.constantFrom("ping", "PING", "ping ", "pong", "", "{", "}", "null", "[]", '"send"', "{'type':'send'}", '{"type":"send"', "\u0000", '{"type":"sync","after":0}garbage') },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 100 }) },
  { weight: 1, arbitrary: fc.constant(0).map(() => new TextEncoder().encode(JSON.stringify({ type: "send", clientId: `bin-${++counter}`, body: "as binary" }))) },
).filter((f) => typeof f !== "string" || utf8Length(f) <= FRAME_MAX); // oversize frames are tested on their own below

const BUDGET = 45; // frames per socket before a fresh one, well inside the burst of 60

describe("room socket frames", () => {
  it("every frame is answered per the contract, the socket is never dropped, and D1 holds exactly the acked messages", async () => {
    let sock = await roomSocket(room.id, a);
    let used = 0;
    let marker = 9_000_000_000_000_000 - 1;
    /** clientId → the message first acked for it (a repeated clientId must be acked with the same one). */
    const acked = new Map<string, Message>();
    const pending = new Map<string, TestSocket>();
    /** Sends after a clientId never stored: answered out_of_order once the commit ran, never acked. */
    const waiting = new Map<string, TestSocket>();
    let framesSent = 0;

    const drain = async (s: TestSocket) => {
      for (const [id, owner] of waiting) {
        if (owner !== s) continue;
        await s.next((f) => f.type === "error" && f.code === "out_of_order" && f.clientId === id, 10_000);
        waiting.delete(id);
      }
      for (const [id, owner] of pending) {
        if (owner !== s) continue;
        const ack = await s.next(isAck(id), 10_000).catch((err) => {
          throw new Error(`no ack for clientId ${JSON.stringify(id)}: ${(err as Error).message.slice(-300)}`);
        });
        pending.delete(id);
        const first = acked.get(id);
        if (first) expect(ack.message, `re-ack of ${id}`).toEqual(first);
        else acked.set(id, ack.message);
      }
    };

    await fc.assert(
      fc.asyncProperty(fc.array(frameArb, { minLength: 1, maxLength: 6 }), (frames) => wellFormedErrors(async () => {
        if (used + frames.length + 1 > BUDGET) {
          await drain(sock);
          sock.close();
          await refillAllowance(room.id, a.user.id);
          sock = await roomSocket(room.id, a);
          used = 0;
        }
        const start = sock.frames.length;
        const expected = frames.map(oracle);
        for (const f of frames) sock.ws.send(f);
        framesSent += frames.length;
        const m = marker--;
        sock.send({ type: "sync", after: m });
        used += frames.length + 1;
        await sock.next((f) => f.type === "synced" && f.lastSeq === m, 10_000);

        const what = JSON.stringify(frames.map((f) => (typeof f === "string" ? f.slice(0, 120) : `bytes[${f.length}]`)));
        expect(sock.closed, what).toBeNull();
        // out_of_order comes after the commit, not in frame order: drain() waits for those.
        const errors = sock.frames.slice(start).filter((f): f is Extract<typeof f, { type: "error" }> => f.type === "error" && f.code !== "out_of_order");
        for (const e of errors) {
          expect(Object.keys(e).every((k) => ["type", "code", "message", "clientId"].includes(k)), what).toBe(true);
          expect(["bad_frame", "bad_json", "invalid"], `${what}: ${JSON.stringify(e)}`).toContain(e.code);
          expect(typeof e.message === "string" && e.message.length > 0, what).toBe(true);
        }
        const refusals = new Set<Outcome>(["bad_frame", "bad_json", "invalid"]);
        const minErrors = expected.filter((o) => [...o].every((x) => refusals.has(x))).length;
        const maxErrors = expected.filter((o) => [...o].some((x) => refusals.has(x))).length;
        expect(errors.length, what).toBeGreaterThanOrEqual(minErrors);
        expect(errors.length, what).toBeLessThanOrEqual(maxErrors);
        if (minErrors === maxErrors) {
          // Unambiguous: errors come in frame order with the right code and the frame's clientId.
          const refused = frames.filter((_, i) => [...expected[i]!].every((x) => refusals.has(x)));
          refused.forEach((f, i) => {
            const e = errors[i]!;
            expect(e.code, what).toBe([...oracle(f)][0]);
            expect(e.clientId, what).toBe(usableClientId(f));
          });
        }
        // Sends that were not refused are acked (checked when the socket is drained).
        for (const f of frames) {
          if (typeof f !== "string") continue;
          const id = usableClientId(f);
          const refusedNow = errors.some((e) => e.clientId === id && sock.frames.indexOf(e) >= start);
          if (id && oracle(f).has("send") && !refusedNow) pending.set(id, sock);
          if (id && oracle(f).has("out_of_order") && !refusedNow) waiting.set(id, sock);
        }
      })),
      { seed: SEED, numRuns: 500, endOnFailure: true },
    );
    await drain(sock);
    expect(await stillOpen(sock)).toBe(true);
    sock.close();

    // D1, once it caught up with the room's log: exactly the acked messages, once each, bodies as
    // acked, seq 1..n without gaps.
    await d1CaughtUp(room.id);
    const rows = await query<{ seq: number; client_id: string; body: string; sender_id: string }>(
      "select seq, client_id, body, sender_id from messages where room_id = ? order by seq",
      room.id,
    );
    expect(framesSent).toBeGreaterThan(1200);
    expect(rows.length).toBe(acked.size);
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
    for (const r of rows) {
      expect(r.sender_id).toBe(a.user.id);
      const ack = acked.get(r.client_id);
      expect(ack, `row ${r.client_id} was never acked`).toBeDefined();
      expect(ack!.seq).toBe(r.seq);
      expect(ack!.body).toBe(r.body);
    }
    expect((await counts()).messages).toBe(before.messages + acked.size);
    // The other member saw every stored message (a re-acked repeat may be fanned out again; members
    // merge by seq) and nothing else, and was never disturbed.
    await watcher.next((f) => f.type === "message" && f.message.seq === rows.length, 10_000).catch(() => undefined);
    const seen = new Set(watcher.ofType("message").map((f) => f.message.seq));
    expect([...seen].sort((x, y) => x - y)).toEqual(rows.map((r) => r.seq));
    expect(watcher.closed).toBeNull();
  }, 180_000);
});

describe("boundary lengths", () => {
  const sendRaw = async (sock: TestSocket, frame: string) => {
    const start = sock.frames.length;
    sock.ws.send(frame);
    const m = Math.floor(Math.random() * 1e12);
    sock.send({ type: "sync", after: m });
    await Promise.race([sock.next((f) => f.type === "synced" && f.lastSeq === m, 5000), sock.waitClosed()]);
    return sock.frames.slice(start);
  };

  it("body of exactly 10,000 code points (Hangul or astral emoji) is accepted; 10,001 is refused naming body", async () => {
    const { a: x, room: r } = await pair();
    const sock = await roomSocket(r.id, x);
    for (const [id, body] of [["hangul", "한".repeat(10_000)], ["emoji", "😀".repeat(10_000)]] as const) {
      sock.send({ type: "send", clientId: id, body });
      expect((await sock.next(isAck(id))).message.body).toBe(body);
    }
    for (const body of ["a".repeat(10_001), "😀".repeat(10_001)]) {
      const got = await sendRaw(sock, JSON.stringify({ type: "send", clientId: "too-long", body }));
      const e = got.find((f) => f.type === "error") as { code: string; message: string; clientId?: string };
      expect(e.code).toBe("invalid");
      expect(e.message).toMatch(/body/);
      expect(e.clientId).toBe("too-long");
    }
    const got = await sendRaw(sock, JSON.stringify({ type: "send", clientId: "x".repeat(65), body: "hi" }));
    expect((got.find((f) => f.type === "error") as { message: string }).message).toMatch(/clientId/);
    const ok = await sendRaw(sock, JSON.stringify({ type: "send", clientId: "y".repeat(64), body: "hi" }));
    expect(ok.some((f) => f.type === "error")).toBe(false);
    expect(sock.closed).toBeNull();
    sock.close();
  });

  it("a frame of exactly 64 KiB is processed; 64 KiB + 1 byte (ASCII or multi-byte) closes with 1009 and stores nothing", async () => {
    const { a: x, room: r } = await pair();
    const frameOf = (bytes: number, unit = "x") => {
      const head = '{"type":"sync","after":0,"pad":"';
      const tail = '"}';
      const room = bytes - utf8Length(head) - utf8Length(tail);
      const units = Math.floor(room / utf8Length(unit));
      const filler = unit.repeat(units) + "x".repeat(room - units * utf8Length(unit));
      const f = head + filler + tail;
      expect(utf8Length(f)).toBe(bytes);
      return f;
    };
    let sock = await roomSocket(r.id, x);
    const got = await sendRaw(sock, frameOf(64 * 1024));
    expect(got.some((f) => f.type === "synced" && f.lastSeq === 0)).toBe(true);
    expect(sock.closed).toBeNull();
    for (const unit of ["x", "한", "😀"]) {
      const before = (await counts()).messages;
      sock.ws.send(frameOf(64 * 1024 + 1, unit));
      expect((await sock.waitClosed()).code, unit).toBe(1009);
      expect((await counts()).messages).toBe(before);
      sock = await roomSocket(r.id, x);
    }
    sock.ws.send("x".repeat(1 << 20));
    expect((await sock.waitClosed()).code).toBe(1009);
  });

  it("a clientId holding a lone surrogate is refused, or acked under exactly that clientId (else the client can never match its ack)", async () => {
    const { a: x, room: r } = await pair();
    const sock = await roomSocket(r.id, x);
    const clientId = "lone-\ud800";
    const got = await sendRaw(sock, JSON.stringify({ type: "send", clientId, body: "fine" }));
    if (!got.some((f) => f.type === "error")) {
      const ack = await sock.next((f) => f.type === "ack" && f.message.body === "fine", 5000);
      // Compared as JSON text so that a failure report stays well-formed (escaped).
      expect(JSON.stringify(ack.type === "ack" && ack.clientId)).toBe(JSON.stringify(clientId));
      expect(JSON.stringify(ack.type === "ack" && ack.message.clientId)).toBe(JSON.stringify(clientId));
    }
    sock.close();
  });

  it("trusted identity headers sent by the client are ignored: messages are stored under the session's user", async () => {
    const { a: x, b: y, room: r } = await pair();
    const res = await rawUpgrade(`/api/rooms/${r.id}/ws`, {
      Origin: ORIGIN,
      cookie: x.cookie,
      "X-Talk-User-Id": y.user.id,
      "X-Talk-Session-Id": "forged",
      "X-Talk-Room-Id": crypto.randomUUID(),
      "X-Talk-Session-Expires": "99999999999999",
    });
    expect(res.status).toBe(101);
    res.webSocket!.accept();
    const sock = new TestSocket(res.webSocket!);
    sock.send({ type: "send", clientId: "who-am-i", body: "hello" });
    const ack = await sock.next(isAck("who-am-i"));
    expect(ack.message.senderId).toBe(x.user.id);
    expect(ack.message.roomId).toBe(r.id);
    await d1CaughtUp(r.id);
    const [row] = await query<{ sender_id: string }>("select sender_id from messages where client_id = 'who-am-i' and room_id = ?", r.id);
    expect(row!.sender_id).toBe(x.user.id);
    sock.close();
  });
});

/**
 * Flooding: each member has a token bucket per room, shared by all their sockets and kept across
 * reconnects and evictions. A flood gets `rate_limited` errors naming the refused clientIds and then
 * a 1008 close, without touching the other members' sockets, while an outbox of 50 messages flushed
 * at once after a reconnect goes through whole. The events socket has the same rule, and a user's
 * events sockets are capped: past the cap the oldest is closed.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { befriend, isAck, isMessage, pair, register, roomSocket, type TestSocket } from "../harness";
import { STRIKES_BEFORE_CLOSE, allowanceFrom } from "../../../durable-objects/token-bucket";
import { SOCKET_LIMITS } from "../../../worker/contract";
import { nextRaw } from "../contract-helpers";
import { allowanceRefilled, evictRoom } from "../delivery/support";
import { d1CaughtUp } from "../room-log-helpers";
import { openSocket, query, sleep, stillOpen } from "./helpers";

const { burst: BURST, perSecond: REFILL_PER_SEC } = allowanceFrom(env);
const errors = (s: TestSocket) => s.ofType("error");
const hello = (s: TestSocket) => s.ofType("hello")[0]!;
/** The sender's messages in D1, once it caught up with the room's log. */
const storedClientIds = async (roomId: string, senderId: string) => {
  await d1CaughtUp(roomId);
  return new Set((await query<{ client_id: string }>("select client_id from messages where room_id = ? and sender_id = ?", roomId, senderId)).map((r) => r.client_id));
};

it("the bucket allows the 50-message outbox flush the contract promises, and refuses a sustained flood", () => {
  expect(BURST).toBeGreaterThanOrEqual(50);
  expect(REFILL_PER_SEC).toBeLessThanOrEqual(10);
  expect(STRIKES_BEFORE_CLOSE).toBeGreaterThan(0);
});

describe("room socket flood", () => {
  it("gets rate_limited errors carrying the clientId, then 1008; the other member's socket keeps sending and receiving", async () => {
    const { a, b, room } = await pair();
    const flooder = await roomSocket(room.id, a);
    const other = await roomSocket(room.id, b);
    const sent: string[] = [];
    for (let i = 0; i < 400; i++) {
      const clientId = `flood-${i}`;
      try {
        flooder.send({ type: "send", clientId, body: `spam ${i}` });
        sent.push(clientId);
      } catch {
        break; // the server closed it already
      }
    }
    const close = await flooder.waitClosed(10_000);
    expect(close.code).toBe(1008);
    expect(close.reason).toMatch(/flood/i);

    const limited = errors(flooder).filter((e) => e.code === "rate_limited");
    expect(limited.length).toBeGreaterThan(0);
    expect(limited.length).toBeLessThan(STRIKES_BEFORE_CLOSE);
    const sentSet = new Set(sent);
    for (const e of limited) {
      expect(e.clientId, JSON.stringify(e)).toBeDefined();
      expect(sentSet.has(e.clientId!)).toBe(true);
    }
    expect(errors(flooder).filter((e) => e.code !== "rate_limited")).toEqual([]);

    // What was refused was not stored; what was acked was; and the flood stored about a burst.
    const stored = await storedClientIds(room.id, a.user.id);
    for (const e of limited) expect(stored.has(e.clientId!), e.clientId).toBe(false);
    for (const ack of flooder.ofType("ack")) expect(stored.has(ack.clientId)).toBe(true);
    expect(stored.size).toBeGreaterThanOrEqual(BURST - 5);
    expect(stored.size).toBeLessThanOrEqual(BURST + 5);

    // The other member is untouched: still open, can send, and can receive.
    expect(await stillOpen(other)).toBe(true);
    other.send({ type: "send", clientId: "calm-1", body: "are you ok?" });
    const ack = await other.next(isAck("calm-1"));
    // Reconnecting does not refill the flooder's allowance: the new socket is told it is empty.
    const fresh = await roomSocket(room.id, a);
    expect(hello(fresh).allowance.tokens).toBeLessThanOrEqual(2);
    await allowanceRefilled(room.id, a.user.id, 1);
    fresh.send({ type: "send", clientId: "calm-2", body: "sorry, cat on keyboard" });
    const ack2 = await fresh.next(isAck("calm-2"));
    expect(ack2.message.seq).toBe(ack.message.seq + 1);
    expect((await other.next(isMessage(ack2.message.seq))).message.body).toBe("sorry, cat on keyboard");
    expect(other.closed).toBeNull();
    other.close();
    fresh.close();
  }, 20_000);

  const junkFlood = (name: string, junk: (i: number) => string | Uint8Array) =>
    it(`a flood of ${name} is limited and closed with 1008 as well`, async () => {
      const { a, b, room } = await pair();
      const flooder = await roomSocket(room.id, a);
      const other = await roomSocket(room.id, b);
      for (let i = 0; i < 400; i++) {
        try {
          flooder.ws.send(junk(i));
        } catch {
          break;
        }
      }
      // The contract: "a burst of 60 frames, then 5 per second; after 40 refusals in a row the
      // socket closes with 1008 flooding" — every frame costs the server a parse and an answer.
      const close = await flooder.waitClosed(5_000).catch(() => null);
      const answered = errors(flooder).map((e) => e.code);
      expect(close?.code, `still open after 400 frames; answers: ${answered.length} (${[...new Set(answered)]})`).toBe(1008);
      expect(answered.filter((c) => c === "rate_limited").length).toBeGreaterThan(0);
      expect(await stillOpen(other)).toBe(true);
      other.close();
    }, 20_000);

  junkFlood("text frames that are not JSON", (i) => `not json ${i}`);
  junkFlood("binary frames", (i) => new Uint8Array([i & 255, 1, 2, 3]));
});

describe("one member's allowance in a room", () => {
  /** Sends `count` frames from one socket at once; resolves with the refused clientIds once all are answered. */
  const sendAll = async (sock: TestSocket, ids: string[]) => {
    for (const clientId of ids) sock.send({ type: "send", clientId, body: clientId });
    await Promise.all(ids.map((id) => sock.next((f) => (f.type === "ack" || f.type === "error") && f.clientId === id, 10_000)));
    return errors(sock).filter((e) => e.code === "rate_limited").map((e) => e.clientId!);
  };

  /**
   * Spends one member's whole allowance on one socket, `between` ends that socket (a reconnect, an
   * eviction), and a new socket is told what is left: only what refilled meanwhile, however slow
   * the machine. Sending that and ten more right away gets most of the ten refused.
   */
  const spendThenReconnect = async (between: (roomId: string, first: TestSocket) => Promise<void>) => {
    const { a, room } = await pair();
    const first = await roomSocket(room.id, a);
    expect(hello(first).allowance).toEqual({ tokens: BURST, burst: BURST, perSecond: REFILL_PER_SEC });
    const started = Date.now();
    await sendAll(first, Array.from({ length: BURST }, (_, i) => `first-${i}`));
    await between(room.id, first);
    const second = await roomSocket(room.id, a);
    const { tokens } = hello(second).allowance;
    expect(tokens).toBeLessThanOrEqual(Math.ceil(((Date.now() - started) / 1000) * REFILL_PER_SEC) + 1);
    const refused = await sendAll(second, Array.from({ length: tokens + 10 }, (_, i) => `second-${i}`));
    expect(refused.length).toBeGreaterThanOrEqual(5);
    second.close();
  };

  it("is told in hello, and survives a reconnect: a new socket does not get a new burst", () =>
    spendThenReconnect(async (_, first) => first.close()), 30_000);

  it("survives the room object's eviction", () =>
    spendThenReconnect(async (roomId, first) => {
      first.close();
      await evictRoom(roomId, "close");
    }), 30_000);

  it("is shared by parallel sockets: ten sockets of one member store about one burst between them", async () => {
    const { a, b, room } = await pair();
    const sockets = await Promise.all(Array.from({ length: 10 }, () => roomSocket(room.id, a)));
    // 1.5 bursts in all: under the strikes that close a socket, but 50 % over one member's allowance.
    const perSocket = (1.5 * BURST) / 10;
    const started = Date.now();
    await Promise.all(sockets.map((sock, k) => sendAll(sock, Array.from({ length: perSocket }, (_, i) => `s${k}-${i}`))));
    const refilled = Math.ceil(((Date.now() - started) / 1000) * REFILL_PER_SEC);
    const stored = await storedClientIds(room.id, a.user.id);
    expect(stored.size).toBeGreaterThanOrEqual(BURST);
    expect(stored.size).toBeLessThanOrEqual(BURST + refilled);
    // The other member's allowance is their own.
    const other = await roomSocket(room.id, b);
    expect(hello(other).allowance.tokens).toBe(BURST);
    for (const sock of [...sockets, other]) sock.close();
  }, 20_000);
});

describe("legitimate bursts", () => {
  it("an outbox of 50 messages flushed at once is fully accepted: 50 acks, no error, stored once in order", async () => {
    const { a, b, room } = await pair();
    const sender = await roomSocket(room.id, a);
    const receiver = await roomSocket(room.id, b);
    const ids = Array.from({ length: 50 }, (_, i) => `outbox-${i}`);
    for (const [i, clientId] of ids.entries()) sender.send({ type: "send", clientId, body: `pending ${i}` });
    const acks = await Promise.all(ids.map((id) => sender.next(isAck(id), 10_000)));
    expect(errors(sender)).toEqual([]);
    expect(sender.closed).toBeNull();
    expect(acks.map((f) => f.message.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    await receiver.next(isMessage(50), 10_000);
    await d1CaughtUp(room.id);
    const rows = await query<{ seq: number; client_id: string }>("select seq, client_id from messages where room_id = ? order by seq", room.id);
    expect(rows.map((r) => r.client_id)).toEqual(ids);
    sender.close();
    receiver.close();
  }, 20_000);

  it("refused sends can be resent shortly after with the same clientId and are accepted", async () => {
    const { a, room } = await pair();
    const sock = await roomSocket(room.id, a);
    const ids = Array.from({ length: BURST + 4 }, (_, i) => `over-${i}`);
    for (const clientId of ids) sock.send({ type: "send", clientId, body: clientId });
    // Every frame is answered: an ack or a rate_limited error with its clientId.
    await Promise.all(ids.map((id) => sock.next((f) => (f.type === "ack" && f.clientId === id) || (f.type === "error" && f.clientId === id), 10_000)));
    const refused = errors(sock).filter((e) => e.code === "rate_limited").map((e) => e.clientId!);
    expect(refused.length).toBeGreaterThan(0);
    expect(sock.closed).toBeNull();
    await sleep((refused.length / REFILL_PER_SEC) * 1000 + 400);
    for (const clientId of refused) sock.send({ type: "send", clientId, body: clientId });
    await Promise.all(refused.map((id) => sock.next(isAck(id), 5000)));
    expect((await storedClientIds(room.id, a.user.id)).size).toBe(ids.length);
    sock.close();
  }, 20_000);
});

describe("events socket flood", () => {
  it("junk frames are answered bad_frame for a burst, then rate_limited, then the socket closes with 1008; the user's other tab is untouched", async () => {
    const s = await register();
    const flooder = await openSocket("/api/events", s.cookie);
    const otherTab = await openSocket("/api/events", s.cookie);
    for (let i = 0; i < 400; i++) {
      try {
        flooder.ws.send(i % 2 ? `junk ${i}` : new Uint8Array([i & 255]));
      } catch {
        break; // the server closed it already
      }
    }
    const close = await flooder.waitClosed(10_000).catch(() => null);
    const codes = errors(flooder).map((e) => e.code);
    expect(close?.code, `still open after 400 frames; answers: ${codes.length}`).toBe(1008);
    expect(close?.reason).toMatch(/flood/i);
    expect(codes.filter((c) => c === "bad_frame").length).toBeLessThanOrEqual(BURST + 5);
    expect(codes.filter((c) => c === "rate_limited").length).toBeGreaterThan(0);
    expect(codes.length).toBeLessThan(BURST + STRIKES_BEFORE_CLOSE + 5);
    expect(await stillOpen(otherTab)).toBe(true);
    otherTab.close();
  }, 20_000);

  it("pings are never limited: 500 in a row all get pongs, and the socket stays open and keeps getting events", async () => {
    const s = await register();
    const friend = await register();
    const ev = await openSocket("/api/events", s.cookie);
    let pongs = 0;
    ev.ws.addEventListener("message", (e) => void (e.data === "pong" && pongs++));
    for (let i = 0; i < 499; i++) ev.ws.send("ping");
    const last = nextRaw(ev.ws, () => pongs === 500, 10_000);
    ev.ws.send("ping");
    await last;
    expect(pongs).toBe(500);
    expect(ev.closed).toBeNull();
    await befriend(friend, s);
    expect(await ev.next((f) => f.type === "friend")).toMatchObject({ friend: { id: friend.user.id } });
    expect(errors(ev)).toEqual([]);
    ev.close();
  }, 20_000);
});

describe(`events sockets per user (${SOCKET_LIMITS.eventsPerUser})`, () => {
  const hubSockets = (userId: string) =>
    runInDurableObject(env.USER_HUB.get(env.USER_HUB.idFromName(userId)), (_, state) => state.getWebSockets().filter((ws) => ws.readyState === WebSocket.OPEN).length);

  it(`socket ${SOCKET_LIMITS.eventsPerUser + 1} closes the user's oldest with ${SOCKET_LIMITS.closeTooManyTabs}; the newest and the rest stay open, and so do other users'`, async () => {
    const s = await register();
    const other = await register();
    const othersTab = await openSocket("/api/events", other.cookie);
    const tabs: TestSocket[] = [];
    for (let i = 0; i < SOCKET_LIMITS.eventsPerUser; i++) tabs.push(await openSocket("/api/events", s.cookie));
    expect(await hubSockets(s.user.id)).toBe(SOCKET_LIMITS.eventsPerUser);
    expect(tabs.every((t) => t.closed === null)).toBe(true);

    const newest = await openSocket("/api/events", s.cookie);
    const closed = await tabs[0]!.waitClosed();
    expect(closed.code).toBe(SOCKET_LIMITS.closeTooManyTabs);
    expect(closed.reason).toMatch(/open tabs/);
    // Once more: the next-oldest goes, never the newest.
    const newer = await openSocket("/api/events", s.cookie);
    expect((await tabs[1]!.waitClosed()).code).toBe(SOCKET_LIMITS.closeTooManyTabs);
    expect(await hubSockets(s.user.id)).toBe(SOCKET_LIMITS.eventsPerUser);
    expect(tabs.slice(2).every((t) => t.closed === null)).toBe(true);

    // The newest tabs get events; the other user's tab is untouched.
    await befriend(other, s);
    for (const t of [newest, newer]) expect(await t.next((f) => f.type === "friend")).toMatchObject({ friend: { id: other.user.id } });
    expect(await othersTab.next((f) => f.type === "friend")).toMatchObject({ friend: { id: s.user.id } });
    expect(othersTab.closed).toBeNull();
    for (const t of [...tabs, newest, newer, othersTab]) t.close();
  }, 60_000);
});

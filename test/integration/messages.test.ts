import { beforeAll, describe, expect, it, vi } from "vitest";
import type { Message, Room } from "../../worker/contract";
import { call, roomSocket, type Session } from "./harness";
import { body, expectError, expectMessage, range, sendAndAck, seedMessages, pairPool } from "./contract-helpers";

// A ceiling, not a pace: sign-ups cost ~150 ms of scrypt each, and a loaded machine stretches that.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

const freshPair = pairPool();

interface Page {
  messages: Message[];
  hasMore: boolean;
}

const TOTAL = 120;
let a: Session;
let b: Session;
let room: Room;

/** One room holding messages 1..120 (written straight to D1), read by every test here. */
beforeAll(async () => {
  ({ a, b, room } = await freshPair());
  await seedMessages(room.id, [a, b], TOTAL);
});

const page = async (query: string, s: Session = a) => {
  const res = await call(`/api/rooms/${room.id}/messages${query}`, { cookie: s.cookie });
  const p = await body<Page>(res, 200);
  expect(Object.keys(p).sort()).toEqual(["hasMore", "messages"]);
  return p;
};
const seqs = (p: Page) => p.messages.map((m) => m.seq);

describe("GET /api/rooms/:id/messages", () => {
  it("by default answers the newest 50, ascending, with hasMore", async () => {
    const p = await page("");
    expect(seqs(p)).toEqual(range(71, 120));
    expect(p.hasMore).toBe(true);
    p.messages.forEach((m) => expectMessage(m, { roomId: room.id }));
    expect(p.messages.at(-1)).toMatchObject({ seq: 120, body: "message 120", clientId: "seed-120", senderId: a.user.id });
    expect(p.messages.at(-2)).toMatchObject({ seq: 119, senderId: b.user.id });
  });

  it("answers the same to both members", async () => {
    expect(await page("?before=60&limit=5", b)).toEqual(await page("?before=60&limit=5", a));
  });

  it("pages back with before until hasMore is false", async () => {
    const p1 = await page("?before=71");
    expect(seqs(p1)).toEqual(range(21, 70));
    expect(p1.hasMore).toBe(true);
    const p2 = await page("?before=21");
    expect(seqs(p2)).toEqual(range(1, 20));
    expect(p2.hasMore).toBe(false);
  });

  it("reports hasMore exactly at the boundary when paging back", async () => {
    // Exactly `limit` messages remain below: no more.
    const exact = await page("?before=51&limit=50");
    expect(seqs(exact)).toEqual(range(1, 50));
    expect(exact.hasMore).toBe(false);
    // One more than `limit` remain: more.
    const oneMore = await page("?before=52&limit=50");
    expect(seqs(oneMore)).toEqual(range(2, 51));
    expect(oneMore.hasMore).toBe(true);
    const first = await page("?before=2&limit=1");
    expect(seqs(first)).toEqual([1]);
    expect(first.hasMore).toBe(false);
  });

  it("answers nothing below seq 1", async () => {
    expect(await page("?before=1")).toEqual({ messages: [], hasMore: false });
    expect(await page("?before=0")).toEqual({ messages: [], hasMore: false });
  });

  it("takes a before above the last as the newest page", async () => {
    const p = await page("?before=1000&limit=3");
    expect(seqs(p)).toEqual([118, 119, 120]);
    expect(p.hasMore).toBe(true);
  });

  it("pages forward with after, ascending, until hasMore is false", async () => {
    const p1 = await page("?after=0");
    expect(seqs(p1)).toEqual(range(1, 50));
    expect(p1.hasMore).toBe(true);
    const p2 = await page("?after=50&limit=100");
    expect(seqs(p2)).toEqual(range(51, 120));
    expect(p2.hasMore).toBe(false);
  });

  it("reports hasMore exactly at the boundary when paging forward", async () => {
    const exact = await page("?after=70&limit=50");
    expect(seqs(exact)).toEqual(range(71, 120));
    expect(exact.hasMore).toBe(false);
    const oneMore = await page("?after=69&limit=50");
    expect(seqs(oneMore)).toEqual(range(70, 119));
    expect(oneMore.hasMore).toBe(true);
    expect(await page("?after=120")).toEqual({ messages: [], hasMore: false });
    expect(await page("?after=5000")).toEqual({ messages: [], hasMore: false });
  });

  it("honours limit from 1 to 100", async () => {
    const one = await page("?limit=1");
    expect(seqs(one)).toEqual([120]);
    expect(one.hasMore).toBe(true);
    const hundred = await page("?limit=100");
    expect(seqs(hundred)).toEqual(range(21, 120));
    expect(hundred.hasMore).toBe(true);
    const afterOne = await page("?after=10&limit=1");
    expect(seqs(afterOne)).toEqual([11]);
    expect(afterOne.hasMore).toBe(true);
  });

  it.each([
    ["before and after together", "?before=10&after=2", []],
    ["limit=0", "?limit=0", ["limit"]],
    ["limit=101", "?limit=101", ["limit"]],
    ["limit=-1", "?limit=-1", ["limit"]],
    ["limit=abc", "?limit=abc", ["limit"]],
    ["limit=1.5", "?limit=1.5", ["limit"]],
    ["an empty limit", "?limit=", ["limit"]],
    ["before=abc", "?before=abc", ["before"]],
    ["before=-5", "?before=-5", ["before"]],
    ["after=abc", "?after=abc", ["after"]],
    ["after=-1", "?after=-1", ["after"]],
    ["after=2.5", "?after=2.5", ["after"]],
  ])("answers 400 invalid for %s", async (_name, query, fields) => {
    const res = await call(`/api/rooms/${room.id}/messages${query}`, { cookie: a.cookie });
    await expectError(res, 400, "invalid", fields);
  });

  it("answers an empty page for a room without messages", async () => {
    const other = await freshPair();
    const res = await call(`/api/rooms/${other.room.id}/messages`, { cookie: other.b.cookie });
    expect(await body<Page>(res, 200)).toEqual({ messages: [], hasMore: false });
  });

  it("serves messages sent through the socket exactly as they were acked", async () => {
    const p = await freshPair();
    const sock = await roomSocket(p.room.id, p.a);
    const acked = [await sendAndAck(sock, "x1", "첫 번째"), await sendAndAck(sock, "x2", "second")];
    sock.close();
    const res = await body<Page>(await call(`/api/rooms/${p.room.id}/messages`, { cookie: p.b.cookie }), 200);
    expect(res).toEqual({ messages: acked, hasMore: false });
  });

  it("answers 404 room_not_found for a room that does not exist", async () => {
    await expectError(await call(`/api/rooms/${crypto.randomUUID()}/messages`, { cookie: a.cookie }), 404, "room_not_found");
  });
});

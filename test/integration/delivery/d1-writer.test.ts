import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { RoomWrite } from "../../../durable-objects/d1-writer";
import type { LogMessage } from "../../../durable-objects/room-log/room-log";
import { pair } from "../harness";
import { d1Log } from "./support";

/**
 * The D1 writer (durable-objects/d1-writer.ts) called as the rooms call it, on rooms that exist in
 * D1 but whose objects never wrote anything: what D1 ends up with is the writer's doing alone.
 */

/** A writer of its own per test, with its D1 transactions counted. */
const countedWriter = async () => {
  const stub = env.D1_WRITER.getByName(`test-${crypto.randomUUID()}`);
  const transactions: number[] = [];
  await runInDurableObject(stub, (instance: object) => {
    const writer = instance as { d1: D1Database };
    const d1 = writer.d1;
    writer.d1 = {
      prepare: (query: string) => d1.prepare(query),
      batch: (statements: D1PreparedStatement[]) => {
        transactions.push(statements.length);
        return d1.batch(statements);
      },
    } as unknown as D1Database;
  });
  return { stub, transactions };
};

const textMessages = (senderId: string, seqs: number[]): LogMessage[] =>
  seqs.map((seq) => ({ seq, id: crypto.randomUUID(), senderId, clientId: `c${seq}`, body: `line ${seq}`, sentAt: 1_800_000_000_000 + seq, kind: "text", event: null }));

const d1Room = (roomId: string) =>
  env.DB.prepare("select last_seq as lastSeq, version from rooms where id = ?").bind(roomId).first<{ lastSeq: number; version: number }>();
const d1Cursor = async (roomId: string, userId: string) =>
  (await env.DB.prepare("select last_read_seq as n from room_members where room_id = ? and user_id = ?").bind(roomId, userId).first<{ n: number }>())!.n;

describe("the D1 writer", () => {
  it("puts the writes of several rooms that arrive within its window in one D1 transaction: messages, cursors and versions", async () => {
    const rooms = await Promise.all([pair(), pair(), pair()]);
    const { stub, transactions } = await countedWriter();
    const writes: RoomWrite[] = rooms.map(({ a, b, room }, i) => ({
      roomId: room.id,
      messages: textMessages(a.user.id, [1, 2, 3].slice(0, i + 1)),
      // The reader read the first message (the writer's trigger moves each sender's own cursor).
      cursors: { [b.user.id]: 1 },
      version: 100 + i,
    }));
    expect(await Promise.all(writes.map((w) => stub.write(w)))).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    expect(transactions).toEqual([3]);
    for (const [i, { a, b, room }] of rooms.entries()) {
      expect((await d1Log(room.id)).map((m) => [m.seq, m.body])).toEqual(writes[i]!.messages.map((m) => [m.seq, m.body]));
      expect(await d1Room(room.id)).toEqual({ lastSeq: i + 1, version: 100 + i });
      expect(await d1Cursor(room.id, a.user.id)).toBe(i + 1);
      expect(await d1Cursor(room.id, b.user.id)).toBe(1);
    }
  });

  it("a transaction that fails is tried again room by room: a room whose write D1 refuses fails alone, the others are written", async () => {
    const rooms = await Promise.all([pair(), pair(), pair()]);
    const { stub, transactions } = await countedWriter();
    const writes: RoomWrite[] = rooms.map(({ a, room }) => ({ roomId: room.id, messages: textMessages(a.user.id, [1, 2]), cursors: {} }));
    // The middle room's second row breaks a NOT NULL constraint inside D1, as a row D1 cannot take would.
    writes[1]!.messages[1]!.id = null as unknown as string;
    const outcomes = await Promise.all(writes.map((w) => stub.write(w)));

    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
    expect(outcomes[1]).toMatchObject({ error: expect.stringContaining("NOT NULL constraint failed: messages.id") });
    expect(transactions).toHaveLength(4);
    expect((await d1Log(rooms[0]!.room.id)).map((m) => m.seq)).toEqual([1, 2]);
    expect(await d1Log(rooms[1]!.room.id)).toEqual([]);
    expect((await d1Log(rooms[2]!.room.id)).map((m) => m.seq)).toEqual([1, 2]);
  });

  it("a write sent again after its answer was lost stores nothing twice, and a lower version or cursor moves nothing back", async () => {
    const { a, b, room } = await pair();
    const { stub } = await countedWriter();
    const write: RoomWrite = { roomId: room.id, messages: textMessages(a.user.id, [1, 2]), cursors: { [b.user.id]: 2 }, version: 50 };
    expect(await stub.write(write)).toEqual({ ok: true });
    expect(await stub.write({ ...write, cursors: { [b.user.id]: 1 }, version: 40 })).toEqual({ ok: true });

    expect((await d1Log(room.id)).map((m) => m.seq)).toEqual([1, 2]);
    expect(await d1Room(room.id)).toEqual({ lastSeq: 2, version: 50 });
    expect(await d1Cursor(room.id, b.user.id)).toBe(2);
  });
});

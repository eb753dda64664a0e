import { describe, expect, it } from "vitest";
import { RoomLog } from "../../../durable-objects/room-log/room-log";
import { inRoom } from "../room-log-helpers";
import { pair } from "../harness";
import { d1Log, serverLog } from "./support";

/**
 * The room log keeps its room row and members in memory and lets storage follow: a send is one
 * statement whose trigger moves the stored room row and the sender's cursor (room-log/migrations/0002),
 * and the messages D1 lacks are kept in memory for the write-behind, up to a bound. Both must hold
 * exactly what a log read back from storage would.
 */

const draft = (senderId: string, clientId: string, after?: string) => ({ senderId, clientId, body: `body of ${clientId}`, sentAt: Date.now(), after });

/** The log's memory next to a fresh reading of its storage (what the next instance would start from). */
const memoryAndStorage = (roomId: string) =>
  inRoom(roomId, async ({ log }, state) => {
    const again = new RoomLog(state.storage, roomId);
    await again.open();
    const byId = (l: RoomLog) => Object.fromEntries(l.members().map((m) => [m.userId, { ...m }]));
    return { memory: { room: { ...log.room }, members: byId(log) }, storage: { room: { ...again.room }, members: byId(again) } };
  });

describe("the room log's memory and storage", () => {
  it("lone sends, a group of sends, a repeat and a cursor move leave storage holding what memory holds", async () => {
    const { a, b, room } = await pair();
    const refusals = await inRoom(room.id, ({ log }) => {
      log.commitDrafts([draft(a.user.id, "a1")]);
      log.commitDrafts([draft(b.user.id, "b1")]);
      const group = log.commitDrafts([draft(a.user.id, "a2", "a1"), draft(a.user.id, "a3", "a2"), draft(b.user.id, "b2", "b1")]);
      const repeat = log.commitDrafts([draft(a.user.id, "a2", "a1")]);
      const outOfOrder = log.commitDrafts([draft(b.user.id, "b9", "b8")]);
      log.advanceCursor(a.user.id, 5);
      return { group, repeat, outOfOrder };
    });
    expect(refusals.group.map((r) => ("message" in r ? r.message.seq : r.refused))).toEqual([3, 4, 5]);
    expect(refusals.repeat).toEqual([{ message: expect.objectContaining({ seq: 3, clientId: "a2" }), stored: false }]);
    expect(refusals.outOfOrder).toEqual([{ refused: "out_of_order" }]);

    const { memory, storage } = await memoryAndStorage(room.id);
    expect(storage).toEqual(memory);
    // Two per text message (the message and its sender's cursor), one for a's read.
    expect(memory.room).toMatchObject({ lastSeq: 5, version: 11 });
    expect(memory.members[a.user.id]!.lastReadSeq).toBe(5);
    expect(memory.members[b.user.id]!.lastReadSeq).toBe(5);
  });

  it("D1 lacking more messages than the log keeps in memory: the write-behind reads the rest from storage, and D1 gets each once, in order", async () => {
    const { a, b, room } = await pair();
    const count = 1_234;
    await inRoom(room.id, ({ log }) => {
      log.commitDrafts(Array.from({ length: count }, (_, i) => draft(i % 3 === 0 ? b.user.id : a.user.id, `m${i}`)));
    });
    await inRoom(room.id, ({ writeBehind }) => writeBehind.drain(20));
    const log = await serverLog(room.id);
    expect(log.map((m) => m.seq)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    expect(await d1Log(room.id)).toEqual(log);
  });
});

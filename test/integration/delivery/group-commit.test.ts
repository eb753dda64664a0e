import { describe, expect, it } from "vitest";
import type { TestSocket } from "../harness";
import { connectedPair, controlBatches, cursorOf, distinctInOrder, roomRow, serverLog, storedTwice, waitFor } from "./support";

/** Group commit (durable-objects/chat-room.ts `flush`, room-store.ts `commitDrafts`). */

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const acks = (s: TestSocket) => s.ofType("ack");
const messages = (s: TestSocket) => s.ofType("message").map((f) => f.message);
const errors = (s: TestSocket) => s.ofType("error");
const sendAll = (s: TestSocket, ids: string[]) => {
  for (const clientId of ids) s.send({ type: "send", clientId, body: `body of ${clientId}` });
};
const waitCount = (what: string, count: () => number, n: number, timeoutMs = 10_000) =>
  waitFor(() => count() >= n, () => `${what}: ${count()} of ${n}`, timeoutMs);

describe("group commit", { timeout: 30_000 }, () => {
  it("50 pipelined sends: fewer D1 batches than messages, acks and fan-out in seq order 1..50", async () => {
    const { room, sa, sb } = await connectedPair();
    const batches = await controlBatches(room.id);
    const ids = range(1, 50).map((i) => `p${i}`);
    sendAll(sa, ids);

    await waitCount("acks", () => acks(sa).length, 50);
    await waitCount("messages at the other member", () => messages(sb).length, 50);

    // Acks leave in seq order, and seq follows the order the sends arrived in.
    expect(acks(sa).map((f) => f.message.seq)).toEqual(range(1, 50));
    expect(acks(sa).map((f) => f.clientId)).toEqual(ids);
    expect(messages(sb).map((m) => m.seq)).toEqual(range(1, 50));
    expect(messages(sb).map((m) => m.clientId)).toEqual(ids);
    // The sender gets acks for its own sends, not `message` echoes on the same socket.
    expect(messages(sa)).toEqual([]);

    // Every send went through exactly one successful batch, and batches were shared.
    const sizes = batches.state.drafts;
    expect(sizes.reduce((x, y) => x + y, 0)).toBe(50);
    expect(sizes.length).toBeLessThan(50);
    expect(sizes.some((n) => n > 1)).toBe(true);

    const log = await serverLog(room.id);
    expect(log.map((m) => m.seq)).toEqual(range(1, 50));
    expect(await roomRow(room.id)).toMatchObject({ lastSeq: 50, lastMessageId: log[49]!.id });
    sa.close();
    sb.close();
  });

  it("sends that arrive while a batch is in flight go together into the next batch, in seq order", async () => {
    const { room, sa, sb } = await connectedPair();
    const batches = await controlBatches(room.id);
    batches.hold();
    sendAll(sa, ["first"]);
    await batches.heldBatch();
    const later = range(1, 29).map((i) => `later${i}`);
    sendAll(sa, later);
    await waitFor(async () => (await batches.queued()) === 29, () => "the 29 later sends to queue up behind the held batch");
    batches.release();

    await waitCount("acks", () => acks(sa).length, 30);
    await waitCount("messages at the other member", () => messages(sb).length, 30);
    expect(batches.state.drafts).toEqual([1, 29]);
    expect(acks(sa).map((f) => [f.clientId, f.message.seq])).toEqual(["first", ...later].map((id, i) => [id, i + 1]));
    expect(messages(sb).map((m) => m.seq)).toEqual(range(1, 30));
    sa.close();
    sb.close();
  });

  it("a failed batch acks nothing and stores nothing; resending the same clientIds stores them once, with no gap", async () => {
    const { a, room, sa, sb } = await connectedPair();
    sendAll(sa, ["ok1", "ok2"]);
    await waitCount("acks", () => acks(sa).length, 2);
    await waitCount("messages at the other member", () => messages(sb).length, 2);

    const batches = await controlBatches(room.id);
    batches.hold();
    sendAll(sa, ["ok3"]);
    await batches.heldBatch();
    const failing = range(1, 10).map((i) => `f${i}`);
    sendAll(sa, failing);
    await waitFor(async () => (await batches.queued()) === 10, () => "the 10 sends to queue up behind the held batch");
    batches.failNextBatch();
    batches.release();

    await waitCount("store_failed errors", () => errors(sa).length, 10);
    // Each send of the failed group gets its own store_failed naming its clientId, nothing else.
    expect(errors(sa).map((f) => [f.code, f.clientId])).toEqual(failing.map((id) => ["store_failed", id]));
    expect(acks(sa).map((f) => f.clientId)).toEqual(["ok1", "ok2", "ok3"]);
    expect(batches.state.drafts).toEqual([1, 10]);
    // The D1 transaction ran the group's statements and then failed: all of it was rolled back.
    const afterFailure = await serverLog(room.id);
    expect(afterFailure.map((m) => m.clientId)).toEqual(["ok1", "ok2", "ok3"]);
    expect(await roomRow(room.id)).toMatchObject({ lastSeq: 3, lastMessageId: afterFailure[2]!.id });
    expect(await cursorOf(room.id, a.user.id)).toBe(3);
    // The other member heard nothing of the failed group.
    await waitCount("messages at the other member", () => messages(sb).length, 3);
    expect(messages(sb).map((m) => m.clientId)).toEqual(["ok1", "ok2", "ok3"]);

    // The client resends with the same clientIds: stored once, right after seq 3.
    sendAll(sa, failing);
    await waitCount("acks", () => acks(sa).length, 13);
    const resent = acks(sa).slice(3);
    expect(resent.map((f) => [f.clientId, f.message.seq])).toEqual(failing.map((id, i) => [id, 4 + i]));
    await waitFor(() => distinctInOrder(messages(sb)).length >= 13, () => `messages at the other member: ${distinctInOrder(messages(sb))}`);
    expect(distinctInOrder(messages(sb))).toEqual(range(1, 13));

    // A second resend (say the acks were lost) is re-acked with the originals and stores nothing.
    sendAll(sa, failing);
    await waitCount("acks", () => acks(sa).length, 23);
    const reacked = acks(sa).slice(13);
    expect(reacked.map((f) => f.message)).toEqual(resent.map((f) => f.message));

    const log = await serverLog(room.id);
    expect(log.map((m) => m.seq)).toEqual(range(1, 13));
    expect(log.map((m) => m.clientId)).toEqual(["ok1", "ok2", "ok3", ...failing]);
    expect(await storedTwice(room.id)).toEqual([]);
    expect(await roomRow(room.id)).toMatchObject({ lastSeq: 13, lastMessageId: log[12]!.id });
    expect(errors(sa)).toHaveLength(10);
    // Whatever the re-acks caused at the other member, it holds each seq once, as one message.
    expect(distinctInOrder(messages(sb))).toEqual(range(1, 13));
    sa.close();
    sb.close();
  });
});

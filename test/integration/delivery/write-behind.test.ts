import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Room } from "../../../worker/contract";
import { body } from "../contract-helpers";
import { call, group, type TestSocket } from "../harness";
import { d1CaughtUp, failNextCommit, roomStub } from "../room-log-helpers";
import { connectedPair, controlBatches, cursorOf, d1Log, distinctInOrder, roomRow, serverLog, storedTwice, waitFor } from "./support";

/**
 * The room's log is the truth; D1 gets it behind the acks (durable-objects/d1-write-behind.ts): a
 * window's worth per D1 transaction, retried until D1 has it, never in a send's way.
 */

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const acks = (s: TestSocket) => s.ofType("ack");
const messages = (s: TestSocket) => s.ofType("message").map((f) => f.message);
const errors = (s: TestSocket) => s.ofType("error");
const sendAll = (s: TestSocket, ids: string[]) => {
  for (const clientId of ids) s.send({ type: "send", clientId, body: `body of ${clientId}` });
};
const waitCount = (what: string, count: () => number, n: number, timeoutMs = 10_000) =>
  waitFor(() => count() >= n, () => `${what}: ${count()} of ${n}`, timeoutMs);
/** D1 holds exactly the room's log: same seqs, ids, senders, clientIds, bodies, times. */
const d1HoldsTheLog = async (roomId: string) => expect(await d1Log(roomId)).toEqual(await serverLog(roomId));

describe("D1 write-behind", { timeout: 30_000 }, () => {
  it("50 pipelined sends: acks and fan-out in seq order 1..50, and D1 gets them in at most one transaction per 10 messages", async () => {
    const { room, sa, sb } = await connectedPair();
    const batches = await controlBatches(room.id);
    const ids = range(1, 50).map((i) => `p${i}`);
    sendAll(sa, ids);

    await waitCount("acks", () => acks(sa).length, 50);
    await waitCount("messages at the other member", () => messages(sb).length, 50);
    expect(acks(sa).map((f) => f.message.seq)).toEqual(range(1, 50));
    expect(acks(sa).map((f) => f.clientId)).toEqual(ids);
    expect(messages(sb).map((m) => m.clientId)).toEqual(ids);
    expect(messages(sa)).toEqual([]);

    const log = await serverLog(room.id);
    expect(log.map((m) => m.seq)).toEqual(range(1, 50));
    expect(await roomRow(room.id)).toMatchObject({ lastSeq: 50, lastMessageId: log[49]!.id });
    await d1HoldsTheLog(room.id);
    expect(batches.state.drafts.length).toBeGreaterThan(0);
    expect(batches.state.drafts.length).toBeLessThanOrEqual(5);
    sa.close();
    sb.close();
  });

  it("D1 slow: sends are acked and delivered while D1's transaction hangs, and D1 catches up with all of them once it answers", async () => {
    const { a, room, sa, sb } = await connectedPair();
    const batches = await controlBatches(room.id);
    batches.hold();
    sendAll(sa, ["first"]);
    await batches.heldBatch();
    const later = range(1, 29).map((i) => `later${i}`);
    sendAll(sa, later);
    await waitCount("acks", () => acks(sa).length, 30);
    await waitCount("messages at the other member", () => messages(sb).length, 30);
    expect(acks(sa).map((f) => [f.clientId, f.message.seq])).toEqual(["first", ...later].map((id, i) => [id, i + 1]));
    expect(await d1Log(room.id)).toEqual([]);

    batches.release();
    expect(await cursorOf(room.id, a.user.id)).toBe(30);
    await d1HoldsTheLog(room.id);
    sa.close();
    sb.close();
  });

  it("the backstop alarm firing while the room's write is on its way sends nothing more and stands by again", async () => {
    const { room, sa } = await connectedPair();
    const batches = await controlBatches(room.id);
    batches.hold();
    sendAll(sa, ["on its way"]);
    await batches.heldBatch();
    expect(await runDurableObjectAlarm(roomStub(room.id))).toBe(true);
    expect(batches.state.drafts).toEqual([1]);
    expect(await runInDurableObject(roomStub(room.id), (_: object, state: DurableObjectState) => state.storage.getAlarm())).not.toBeNull();

    batches.release();
    await d1CaughtUp(room.id);
    await d1HoldsTheLog(room.id);
    expect(batches.state.drafts).toEqual([1]);
    sa.close();
  });

  it("D1 failing: the conversation goes on, the alarm retries, and D1 ends with the whole log once, with no gap", async () => {
    const { room, sa, sb } = await connectedPair();
    sendAll(sa, ["ok1", "ok2"]);
    await waitCount("acks", () => acks(sa).length, 2);
    const batches = await controlBatches(room.id);
    batches.failNextBatch();
    batches.hold();
    sendAll(sa, ["during1"]);
    await batches.heldBatch();
    batches.release();
    await waitFor(() => batches.state.drafts.length >= 1, () => "the failing batch");
    // D1 refused; the room did not notice.
    sendAll(sa, ["during2", "during3"]);
    await waitCount("acks", () => acks(sa).length, 5);
    await waitCount("messages at the other member", () => messages(sb).length, 5);
    expect(errors(sa)).toEqual([]);

    // The retry is the alarm's (it survives an eviction); run it now rather than wait for it.
    await waitFor(async () => (await runDurableObjectAlarm(roomStub(room.id))) && (await d1Log(room.id)).length === 5, () => "D1 to catch up by the alarm");
    await d1HoldsTheLog(room.id);
    expect(await storedTwice(room.id)).toEqual([]);
    expect(await roomRow(room.id)).toMatchObject({ lastSeq: 5 });
    sa.close();
    sb.close();
  });

  it("a D1 transaction whose answer was lost is sent again and stores nothing twice", async () => {
    const { room, sa } = await connectedPair();
    const batches = await controlBatches(room.id);
    batches.loseNextAnswer();
    sendAll(sa, ["landed1", "landed2"]);
    await waitCount("acks", () => acks(sa).length, 2);
    await waitFor(() => batches.state.drafts.length >= 1, () => "the batch whose answer is lost");
    sendAll(sa, ["next"]);
    await waitCount("acks", () => acks(sa).length, 3);
    // Only the alarm's retry brings "next" to D1, and with it the two that landed unbeknownst.
    await waitFor(async () => (await runDurableObjectAlarm(roomStub(room.id))) && (await d1Log(room.id)).length === 3, () => "D1 to catch up by the alarm");
    await d1HoldsTheLog(room.id);
    expect(await storedTwice(room.id)).toEqual([]);
    sa.close();
  });

  it("the log's own write failing answers store_failed with the clientId, stores nothing, and the resend takes the next seq", async () => {
    const { a, room, sa, sb } = await connectedPair();
    sendAll(sa, ["ok-1"]);
    await waitCount("acks", () => acks(sa).length, 1);
    await failNextCommit(room.id);
    sa.send({ type: "send", clientId: "doomed", body: "will fail" });
    await waitCount("errors", () => errors(sa).length, 1);
    expect(errors(sa).map((f) => [f.code, f.clientId])).toEqual([["store_failed", "doomed"]]);
    expect(sa.closed).toBeNull();
    expect((await serverLog(room.id)).map((m) => m.clientId)).toEqual(["ok-1"]);

    sa.send({ type: "send", clientId: "doomed", body: "will fail" });
    await waitCount("acks", () => acks(sa).length, 2);
    expect(acks(sa)[1]!.message.seq).toBe(2);
    await waitCount("messages at the other member", () => messages(sb).length, 2);
    expect(distinctInOrder(messages(sb))).toEqual([1, 2]);
    expect(await cursorOf(room.id, a.user.id)).toBe(2);
    await d1HoldsTheLog(room.id);
    sa.close();
    sb.close();
  });

  it("a membership change while D1 fails is refused whole (503 store_failed, nothing changed anywhere) and goes through when tried again", async () => {
    const { owner, room } = await group(3, "before");
    const batches = await controlBatches(room.id);
    batches.failNextBatch();
    const rename = () => call(`/api/rooms/${room.id}`, { method: "PATCH", cookie: owner.cookie, json: { title: "after" } });
    const refused = await rename();
    expect(refused.status).toBe(503);
    expect(refused.headers.get("Retry-After")).toBe("1");
    expect((await refused.json<{ error: { code: string } }>()).error.code).toBe("store_failed");
    expect((await body<{ room: Room }>(await call(`/api/rooms/${room.id}`, { cookie: owner.cookie }), 200)).room.title).toBe("before");
    expect((await serverLog(room.id)).length).toBe(1);
    expect((await d1Log(room.id)).length).toBe(1);

    expect((await rename()).status).toBe(200);
    expect((await body<{ room: Room }>(await call(`/api/rooms/${room.id}`, { cookie: owner.cookie }), 200)).room.title).toBe("after");
    await d1HoldsTheLog(room.id);
  });
});

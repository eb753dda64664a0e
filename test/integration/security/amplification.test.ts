/**
 * A socket's cost is what it makes the server do. A `sync` is charged by the bytes it returns, from
 * a budget per member and room (shared by their sockets, kept across reconnects); a member's
 * sockets in one room are capped, past which the oldest is closed.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { chatRoom } from "../../../worker/lib/hubs";
import { SYNC_BYTES } from "../../../durable-objects/room-sync";
import { SOCKET_LIMITS } from "../../../worker/contract";
import { pair, roomSocket, type TestSocket } from "../harness";
import { seedMessages } from "../contract-helpers";

const utf8 = new TextEncoder();
/** Bytes a socket received, as the server sent them. */
const receivedBytes = (s: TestSocket) => s.frames.reduce((n, f) => n + utf8.encode(JSON.stringify(f)).length, 0);
const synceds = (s: TestSocket) => s.ofType("synced");
type Frame = TestSocket["frames"][number];
const isSynced = (f: Frame): f is Extract<Frame, { type: "synced" }> => f.type === "synced";

describe("sync amplification", { timeout: 120_000 }, () => {
  it("55 syncs from 0 of a 6 MB history return about one budget, not 55 histories", async () => {
    const { a, b, room } = await pair();
    await seedMessages(room.id, [a, b], 3000, 2000);
    const sock = await roomSocket(room.id, a);
    const started = Date.now();
    let sent = 0;
    for (let i = 0; i < 55; i++) {
      const frame = JSON.stringify({ type: "sync", after: 0 });
      sock.ws.send(frame);
      sent += utf8.encode(frame).length;
    }
    await sock.next(() => synceds(sock).length === 55, 60_000);
    const elapsed = (Date.now() - started) / 1000;
    const received = receivedBytes(sock);
    // One burst, what refilled meanwhile, and at most one message's overdraw per answer.
    expect(received).toBeLessThan(SYNC_BYTES.burst + SYNC_BYTES.perSecond * elapsed + 55 * 2_200);
    expect(received / sent).toBeLessThan(3_000);
    // Every answer but the first stopped at the budget and says so; none pretends to be complete.
    expect(synceds(sock).every((f) => f.more === true)).toBe(true);
    sock.close();
  });

  it("a catch-up stopped by the budget goes on from where it stopped once the budget refills, on a new socket too", async () => {
    const { a, b, room } = await pair();
    await seedMessages(room.id, [a, b], 400, 6000);
    const first = await roomSocket(room.id, a);
    first.send({ type: "sync", after: 0 });
    const stopped = await first.next(isSynced);
    expect(stopped).toMatchObject({ more: true });
    const got = first.ofType("message").map((f) => f.message.seq);
    expect(got).toEqual(Array.from({ length: stopped.lastSeq }, (_, i) => i + 1));
    expect(got.length).toBeLessThan(400);
    first.close();

    // A reconnect does not refill the budget: at once, nothing or next to nothing more.
    const second = await roomSocket(room.id, a);
    second.send({ type: "sync", after: stopped.lastSeq });
    const again = await second.next(isSynced);
    expect(again).toMatchObject({ more: true });
    expect(second.ofType("message").length).toBeLessThanOrEqual(2);

    // Once the budget has refilled by about 64 KiB (a second), ten or so of these 6 KB messages
    // more, continuing in order.
    const budgetLeft = () =>
      runInDurableObject(chatRoom(env, room.id), (instance: object) =>
        (instance as unknown as { syncBudgets: { tokens(userId: string, now: number): number } }).syncBudgets.tokens(a.user.id, Date.now()),
      );
    await vi.waitFor(async () => expect(await budgetLeft()).toBeGreaterThanOrEqual(SYNC_BYTES.perSecond), { timeout: 5_000, interval: 100 });
    second.send({ type: "sync", after: again.lastSeq });
    const later = await second.next((f): f is Extract<Frame, { type: "synced" }> => isSynced(f) && f.lastSeq > again.lastSeq);
    const more = second.ofType("message").map((f) => f.message.seq).filter((seq) => seq > again.lastSeq);
    expect(more[0]).toBe(again.lastSeq + 1);
    expect(more.length).toBeGreaterThanOrEqual(5);
    expect(later.lastSeq).toBe(more.at(-1));
    second.close();
  });

  it("a sync that fits the budget answers everything and says nothing of more", async () => {
    const { a, b, room } = await pair();
    await seedMessages(room.id, [a, b], 30);
    const sock = await roomSocket(room.id, a);
    sock.send({ type: "sync", after: 0 });
    const done = await sock.next(isSynced);
    expect(done).toEqual({ type: "synced", lastSeq: 30 });
    expect(sock.ofType("message")).toHaveLength(30);
    sock.close();
  });
});

describe(`room sockets per member (${SOCKET_LIMITS.roomPerMember})`, { timeout: 60_000 }, () => {
  it(`socket ${SOCKET_LIMITS.roomPerMember + 1} of one member in a room closes their oldest with ${SOCKET_LIMITS.closeTooManyTabs}; the other member's stay open`, async () => {
    const { a, b, room } = await pair();
    const theirs = await roomSocket(room.id, b);
    const tabs: TestSocket[] = [];
    for (let i = 0; i < SOCKET_LIMITS.roomPerMember; i++) tabs.push(await roomSocket(room.id, a));
    expect(tabs.every((t) => t.closed === null)).toBe(true);
    const newest = await roomSocket(room.id, a);
    const closed = await tabs[0]!.waitClosed();
    expect(closed.code).toBe(SOCKET_LIMITS.closeTooManyTabs);
    expect(closed.reason).toMatch(/tabs in this room/);
    expect(tabs.slice(1).every((t) => t.closed === null)).toBe(true);
    newest.send({ type: "send", clientId: "still-here", body: "the newest tab works" });
    await theirs.next((f) => f.type === "message" && f.message.clientId === "still-here");
    expect(theirs.closed).toBeNull();
    for (const t of [...tabs, newest, theirs]) t.close();
  });
});

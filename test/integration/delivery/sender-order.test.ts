import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { allowanceFrom } from "../../../durable-objects/token-bucket";
import { call, connect, isAck, isMessage, pair, roomSocket, type TestSocket } from "../harness";
import { body, expectError } from "../contract-helpers";
import type { EventFrame, Message, Room, RoomServerFrame } from "../../../worker/contract";

type Frame = RoomServerFrame | EventFrame;
import { d1CaughtUp, failNextCommit, roomStub } from "../room-log-helpers";
import { allowanceRefilled, connectedPair, evictRoom, serverLog, waitFor } from "./support";

/**
 * Sender order (docs/architecture.md): one sender's messages in a room are stored in the order the
 * sender wrote them. Each send names the one written before it (`after`) while that one may not be
 * stored; the room stores a send only after the one it names.
 */

const { burst: BURST, perSecond: PER_SECOND } = allowanceFrom(env);

/** Sends `ids` pipelined, each after the one before it (the first after `first`, if given). */
const sendChain = (sock: TestSocket, ids: string[], first?: string) =>
  ids.forEach((clientId, i) => sock.send({ type: "send", clientId, body: `line ${clientId}`, ...((i > 0 || first) && { after: i > 0 ? ids[i - 1] : first }) }));

/** Waits until each of `ids` is answered on `sock` (after `from`), and returns each one's answer. */
const answers = async (sock: TestSocket, ids: string[], from = 0) => {
  await waitFor(
    () => ids.every((id) => sock.frames.slice(from).some((f) => (f.type === "ack" || f.type === "error") && f.clientId === id)),
    () => `answers for ${ids.length} sends`,
    10_000,
  );
  return new Map(
    ids.map((id) => {
      const f = sock.frames.slice(from).findLast((f) => (f.type === "ack" || f.type === "error") && f.clientId === id)!;
      return [id, f.type === "ack" ? "ack" : (f as { code: string }).code];
    }),
  );
};

const storedOrder = async (roomId: string, senderId: string) => (await serverLog(roomId)).filter((m) => m.senderId === senderId).map((m) => m.clientId);

describe("sender order", { timeout: 30_000 }, () => {
  it("a sender pipelining past the allowance: what is refused is not overtaken, and resending the rest stores everything in the order written", async () => {
    const { a, room, sa } = await connectedPair();
    const ids = Array.from({ length: BURST + 10 }, (_, i) => `m${i}`);
    const burst = ids.slice(0, BURST + 5);
    sendChain(sa, burst);
    const first = await answers(sa, burst);
    // However slowly the machine admits them, the allowance runs out somewhere in the burst: from the
    // first refused send on, nothing is stored (refused too, or out of order behind it).
    const cut = burst.findIndex((id) => first.get(id) !== "ack");
    expect(cut).toBeGreaterThanOrEqual(BURST);
    expect(first.get(burst[cut]!)).toBe("rate_limited");
    for (const id of burst.slice(cut)) expect(["rate_limited", "out_of_order"]).toContain(first.get(id));
    // The allowance refills meanwhile, so later sends get through the limit; none may be stored
    // before the refused one.
    await allowanceRefilled(room.id, a.user.id, 2);
    const mark = sa.frames.length;
    const later = ids.slice(BURST + 5, BURST + 7);
    sendChain(sa, later, burst.at(-1));
    const overtaking = await answers(sa, later, mark);
    expect([...overtaking.values()]).toEqual(["out_of_order", "out_of_order"]);
    expect(await storedOrder(room.id, a.user.id)).toEqual(ids.slice(0, cut));

    // The client resends what is pending, in order, paced by the allowance.
    const pending = ids.slice(cut);
    for (const [i, clientId] of pending.entries()) {
      await allowanceRefilled(room.id, a.user.id, 1);
      sa.send({ type: "send", clientId, body: `line ${clientId}`, after: i === 0 ? ids[cut - 1] : pending[i - 1] });
      await sa.next(isAck(clientId), 5000);
    }
    expect(await storedOrder(room.id, a.user.id)).toEqual(ids);
    sa.close();
  });

  it("a send whose predecessor failed to store is not stored before it, on another socket of the same sender too", async () => {
    const { a, room, sa } = await connectedPair();
    const secondTab = await roomSocket(room.id, a);
    await failNextCommit(room.id);
    sa.send({ type: "send", clientId: "x1", body: "first" });
    // Written after x1 (the tabs share the outbox), sent from the other tab.
    secondTab.send({ type: "send", clientId: "x2", body: "second", after: "x1" });
    expect((await answers(sa, ["x1"])).get("x1")).toBe("store_failed");
    expect((await answers(secondTab, ["x2"])).get("x2")).toBe("out_of_order");
    expect(await storedOrder(room.id, a.user.id)).toEqual([]);

    sa.send({ type: "send", clientId: "x1", body: "first" });
    sa.send({ type: "send", clientId: "x2", body: "second", after: "x1" });
    await sa.next(isAck("x2"));
    expect(await storedOrder(room.id, a.user.id)).toEqual(["x1", "x2"]);
    for (const s of [sa, secondTab]) s.close();
  });

  it("a send after a message that is stored goes through, in the same batch or later; a repeat of a stored message is re-acked", async () => {
    const { a, room, sa } = await connectedPair();
    sendChain(sa, ["y1", "y2", "y3"]);
    await sa.next(isAck("y3"));
    sa.send({ type: "send", clientId: "y2", body: "line y2", after: "y1" });
    sa.send({ type: "send", clientId: "y4", body: "line y4", after: "y3" });
    expect((await sa.next(isAck("y2"))).message.seq).toBe(2);
    await sa.next(isAck("y4"));
    expect(await storedOrder(room.id, a.user.id)).toEqual(["y1", "y2", "y3", "y4"]);
    sa.close();
  });

  it("`after` must be a clientId", async () => {
    const { sa } = await connectedPair();
    sa.send({ type: "send", clientId: "z1", body: "hi", after: "" } as never);
    const error = await sa.next((f) => f.type === "error");
    expect(error).toMatchObject({ code: "invalid", clientId: "z1" });
    sa.close();
  });
});

describe("POST /api/rooms/:id/messages: a send without a socket", { timeout: 30_000 }, () => {
  const post = (cookie: string, roomId: string, json: unknown) => call(`/api/rooms/${roomId}/messages`, { method: "POST", cookie, json });

  it("stores the message (201 {message}), fans it out to every socket of the room, and a repeat answers the stored one", async () => {
    const { a, b, room, sa, sb } = await connectedPair();
    const { message } = await body<{ message: Message }>(await post(a.cookie, room.id, { clientId: "h1", body: "안녕" }), 201);
    expect(message).toMatchObject({ roomId: room.id, seq: 1, senderId: a.user.id, clientId: "h1", body: "안녕" });
    // No socket sent it, so the sender's sockets get it as a message too.
    expect((await sa.next(isMessage(1))).message).toEqual(message);
    expect((await sb.next(isMessage(1))).message).toEqual(message);
    const again = await body<{ message: Message }>(await post(a.cookie, room.id, { clientId: "h1", body: "안녕, again" }), 201);
    expect(again.message).toEqual(message);
    // The chat list is D1's, a write-behind window behind the room.
    await d1CaughtUp(room.id);
    const rooms = await body<{ rooms: Room[] }>(await call("/api/rooms", { cookie: b.cookie }), 200);
    expect(rooms.rooms[0]).toMatchObject({ id: room.id, lastMessage: message, unreadCount: 1 });
    for (const s of [sa, sb]) s.close();
  });

  it("keeps sender order with the sockets: 409 out_of_order for a send after one not stored", async () => {
    const { a, room } = await pair();
    await expectError(await post(a.cookie, room.id, { clientId: "h2", body: "second", after: "h1" }), 409, "out_of_order");
    await body(await post(a.cookie, room.id, { clientId: "h1", body: "first" }), 201);
    await body(await post(a.cookie, room.id, { clientId: "h2", body: "second", after: "h1" }), 201);
    expect(await storedOrder(room.id, a.user.id)).toEqual(["h1", "h2"]);
  });

  it("spends the same allowance as the member's sockets: 429 with Retry-After once it is used up", async () => {
    const { a, room } = await pair();
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: BURST + 40 }, (_, i) => post(a.cookie, room.id, { clientId: `p${i}`, body: `line ${i}` })));
    const refilled = Math.ceil(((Date.now() - started) / 1000) * PER_SECOND);
    const refused = results.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    await expectError(refused[0]!, 429, "rate_limited");
    expect(Number(refused[0]!.headers.get("Retry-After"))).toBeGreaterThan(0);
    const stored = results.filter((r) => r.status === 201).length;
    expect(stored).toBe(BURST + 40 - refused.length);
    expect(stored).toBeLessThanOrEqual(BURST + refilled);
    const sock = await roomSocket(room.id, a);
    expect(sock.ofType("hello")[0]!.allowance.tokens).toBeLessThan(10);
    sock.close();
  });

  it("refuses a bad body (400 naming the field), a stranger (404) and no session (401)", async () => {
    const { a, room } = await pair();
    const { a: stranger } = await pair();
    await expectError(await post(a.cookie, room.id, { clientId: "e1", body: "   " }), 400, "invalid", ["body"]);
    await expectError(await post(a.cookie, room.id, { clientId: "", body: "hi" }), 400, "invalid", ["clientId"]);
    await expectError(await post(a.cookie, room.id, { clientId: "e2", body: "hi", after: 7 }), 400, "invalid", ["after"]);
    await expectError(await post(stranger.cookie, room.id, { clientId: "e3", body: "hi" }), 404, "room_not_found");
    await expectError(await call(`/api/rooms/${room.id}/messages`, { method: "POST", json: { clientId: "e4", body: "hi" } }), 401, "unauthenticated");
    expect(await serverLog(room.id)).toEqual([]);
  });
});

describe("chat-list updates owed at a window's end", { timeout: 30_000 }, () => {
  it("reach the members even when the room object is evicted before the window ends", async () => {
    const { b, room, sa } = await connectedPair();
    const eb = await connect("/api/events", b.cookie);
    const roomFrame = (lastSeq: number) => (f: Frame): f is Extract<Frame, { type: "room" }> => f.type === "room" && f.room.lastSeq === lastSeq;
    sa.send({ type: "send", clientId: "w1", body: "first" });
    await sa.next(isAck("w1"));
    // Inside the window that message opened: this change is owed at its end.
    sa.send({ type: "send", clientId: "w2", body: "second" });
    await sa.next(isAck("w2"));
    expect(await runInDurableObject(roomStub(room.id), (room: object) => (room as unknown as { chatLists: { owed: boolean } }).chatLists.owed)).toBe(true);
    await evictRoom(room.id, "hibernate");
    // A fresh instance runs the alarm the first one set.
    expect(await runDurableObjectAlarm(roomStub(room.id))).toBe(true);
    const frame = await eb.next(roomFrame(2));
    expect(frame.room.lastMessage).toMatchObject({ clientId: "w2", body: "second" });
    for (const s of [sa, eb]) s.close();
  });

  it("set no alarm of their own while nothing is owed: the only one is the D1 write-behind's backstop, which sets no other", async () => {
    const { b, room, sa } = await connectedPair();
    const eb = await connect("/api/events", b.cookie);
    sa.send({ type: "send", clientId: "q1", body: "only one" });
    await sa.next(isAck("q1"));
    await eb.next((f) => f.type === "room");
    await d1CaughtUp(room.id);
    expect(await runDurableObjectAlarm(roomStub(room.id))).toBe(true);
    expect(await runDurableObjectAlarm(roomStub(room.id))).toBe(false);
    for (const s of [sa, eb]) s.close();
  });
});

import { describe, expect, it } from "vitest";
import type { Message, Room } from "../../../worker/contract";
import { call, isAck, json, pair, register, type Session, type TestSocket } from "../harness";
import { chatList } from "../contract-helpers";
import { connectedPair, serverLog, waitFor } from "./support";

/**
 * Unread arithmetic through the API (docs/api.md): unreadCount = messages from others with seq above
 * the caller's lastReadSeq; sending moves the sender's own cursor to that message; a read above the
 * last seq counts as the last; cursors never move back.
 */

let sent = 0;
const say = async (s: TestSocket, body = "hi"): Promise<Message> => {
  const clientId = `u${++sent}`;
  s.send({ type: "send", clientId, body });
  return (await s.next(isAck(clientId))).message;
};

const roomOf = async (who: Session, roomId: string): Promise<Room> => {
  const res = await call(`/api/rooms/${roomId}`, { cookie: who.cookie });
  expect(res.status).toBe(200);
  return (await json<{ room: Room }>(res)).room;
};
const unread = async (who: Session, roomId: string) => (await roomOf(who, roomId)).unreadCount;
/** A member's cursor as the given caller sees it. */
const cursor = async (viewer: Session, of: Session, roomId: string) => (await roomOf(viewer, roomId)).members.find((m) => m.id === of.user.id)!.lastReadSeq;
const read = async (who: Session, roomId: string, seq: unknown) => call(`/api/rooms/${roomId}/read`, { method: "POST", cookie: who.cookie, json: { seq } });
const readOk = async (who: Session, roomId: string, seq: number) => expect((await read(who, roomId, seq)).status).toBe(204);
const readFrames = (s: TestSocket, of: Session) => s.ofType("read").filter((f) => f.userId === of.user.id).map((f) => f.lastReadSeq);

describe("unread counts", { timeout: 30_000 }, () => {
  it("count the messages from others above the caller's lastReadSeq", async () => {
    const { a, b, room, sa, sb } = await connectedPair();
    expect([await unread(a, room.id), await unread(b, room.id)]).toEqual([0, 0]);
    for (let i = 0; i < 3; i++) await say(sa);
    expect(await unread(b, room.id)).toBe(3);
    expect(await unread(a, room.id)).toBe(0);
    await readOk(b, room.id, 1);
    expect(await unread(b, room.id)).toBe(2);
    expect(await cursor(a, b, room.id)).toBe(1);
    await readOk(b, room.id, 3);
    expect(await unread(b, room.id)).toBe(0);
    // The chat list agrees with the room view.
    const list = (await chatList(b)).rooms;
    expect(list.find((r) => r.id === room.id)).toMatchObject({ lastSeq: 3, unreadCount: 0 });
    sa.close();
    sb.close();
  });

  it("sending moves the sender's own cursor, so one's own messages never count as unread", async () => {
    const { a, b, room, sa, sb } = await connectedPair();
    for (let i = 0; i < 3; i++) await say(sa);
    expect(await cursor(b, a, room.id)).toBe(3);
    // The room hears about the sender's cursor.
    await waitFor(() => readFrames(sb, a).includes(3), () => `read frames for a at b: ${readFrames(sb, a)}`);

    await say(sb);
    await say(sb);
    expect(await cursor(a, b, room.id)).toBe(5);
    expect(await unread(b, room.id)).toBe(0); // b answered, so b has read a's three
    expect(await unread(a, room.id)).toBe(2);

    await say(sa); // seq 6: a answers, which reads b's two
    expect(await cursor(b, a, room.id)).toBe(6);
    expect(await unread(a, room.id)).toBe(0);
    expect(await unread(b, room.id)).toBe(1);
    sa.close();
    sb.close();
  });

  it("a read above the last seq counts as the last, so later messages still count", async () => {
    const { b, room, sa, sb } = await connectedPair();
    for (let i = 0; i < 4; i++) await say(sa);
    await readOk(b, room.id, 1000);
    expect(await cursor(b, b, room.id)).toBe(4);
    expect(await unread(b, room.id)).toBe(0);
    await say(sa);
    await say(sa);
    expect(await unread(b, room.id)).toBe(2); // not hidden behind a cursor parked at 1000

    // The socket `read` frame clamps the same way, and the room hears the clamped value.
    sb.send({ type: "read", seq: Number.MAX_SAFE_INTEGER });
    await waitFor(() => readFrames(sa, b).includes(6), () => `read frames for b at a: ${readFrames(sa, b)}`);
    expect(readFrames(sa, b)).toEqual([4, 6]);
    expect(await unread(b, room.id)).toBe(0);
    sa.close();
    sb.close();
  });

  it("cursors never move back, by a lower read or by a re-acked old message, and neither is announced", async () => {
    const { a, b, room, sa, sb } = await connectedPair();
    const first = await say(sa);
    for (let i = 0; i < 4; i++) await say(sa);
    await readOk(b, room.id, 3);
    await readOk(b, room.id, 1);
    await readOk(b, room.id, 0);
    expect(await cursor(a, b, room.id)).toBe(3);
    expect(await unread(b, room.id)).toBe(2);
    await readOk(b, room.id, 4);
    // The room was told 3 and then 4; the lower reads moved nothing and announced nothing.
    await waitFor(() => readFrames(sa, b).includes(4), () => `read frames for b at a: ${readFrames(sa, b)}`);
    expect(readFrames(sa, b)).toEqual([3, 4]);

    // b answers (cursor 6), then a resends its first message: re-acked, and a's cursor stays at 5.
    await say(sb);
    sa.send({ type: "send", clientId: first.clientId, body: first.body });
    await waitFor(() => sa.ofType("ack").filter((f) => f.clientId === first.clientId).length === 2, () => "re-ack");
    expect(await cursor(b, a, room.id)).toBe(5);
    expect(await cursor(a, b, room.id)).toBe(6);
    expect(await unread(a, room.id)).toBe(1);
    expect(await unread(b, room.id)).toBe(0);
    // Nor was it announced: b's next send is flushed after the repeat, so its ack comes after any
    // read frame the repeat could have caused on b's socket.
    await say(sb);
    expect(readFrames(sb, a)).toEqual([1, 2, 3, 4, 5]);
    sa.close();
    sb.close();
  });

  it("two members' counts are independent", async () => {
    const { a, b, room, sa, sb } = await connectedPair();
    await say(sa);
    await say(sa);
    for (let i = 0; i < 3; i++) await say(sb);
    expect([await unread(a, room.id), await unread(b, room.id)]).toEqual([3, 0]);
    await readOk(a, room.id, 4);
    expect([await unread(a, room.id), await unread(b, room.id)]).toEqual([1, 0]);
    await readOk(b, room.id, 5); // b reading (a no-op here) leaves a's count alone
    expect([await unread(a, room.id), await unread(b, room.id)]).toEqual([1, 0]);
    sa.close();
    sb.close();
  });

  it("stay exact when both members' sends share D1 batches", async () => {
    const { a, b, room, sa, sb } = await connectedPair();
    const ids = Array.from({ length: 15 }, (_, i) => i + 1);
    for (const i of ids) {
      sa.send({ type: "send", clientId: `a${i}`, body: `from a ${i}` });
      sb.send({ type: "send", clientId: `b${i}`, body: `from b ${i}` });
    }
    await Promise.all([sa.next(isAck("a15"), 10_000), sb.next(isAck("b15"), 10_000)]);
    const log = await serverLog(room.id);
    expect(log).toHaveLength(30);
    for (const [me, other] of [
      [a, b],
      [b, a],
    ] as const) {
      const ownLast = Math.max(...log.filter((m) => m.senderId === me.user.id).map((m) => m.seq));
      const fromOthersAbove = log.filter((m) => m.senderId === other.user.id && m.seq > ownLast).length;
      expect(await cursor(me, me, room.id)).toBe(ownLast);
      expect(await unread(me, room.id)).toBe(fromOthersAbove);
    }
    sa.close();
    sb.close();
  });

  it("refuse a read that is not a whole number of 0 or more, and a room the caller is not in", async () => {
    const [{ a, room }, stranger] = await Promise.all([pair(), register()]);
    for (const bad of [-1, 1.5, "3", null]) {
      const res = await read(a, room.id, bad);
      expect(res.status).toBe(400);
      expect((await json<{ error: { fields?: Record<string, string> } }>(res)).error.fields).toHaveProperty("seq");
    }
    expect((await read(stranger, room.id, 1)).status).toBe(404);
    expect(await cursor(a, a, room.id)).toBe(0);
  });
});

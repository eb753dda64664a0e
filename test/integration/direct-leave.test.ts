/**
 * Leaving a 1:1 chat (docs/api.md, `POST /api/rooms/:id/leave`): it leaves the leaver's list with its
 * history; the other's next message brings it back with only what came after; the room and its pair
 * key stay, so `POST /api/rooms/direct` finds it. D1 and the room's object agree throughout.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { type Message, type Room, SOCKET_LIMITS } from "../../worker/contract";
import { body, chatList, expectError } from "./contract-helpers";
import { call, connect, directRoom, pair, register, roomSocket } from "./harness";
import { post, say, settle } from "./list-control-helpers";
import { d1CaughtUp, inRoom } from "./room-log-helpers";

const history = async (roomId: string, s: { cookie: string }) =>
  (await body<{ messages: Message[] }>(await call(`/api/rooms/${roomId}/messages`, { cookie: s.cookie }), 200)).messages.map((m) => m.body);

/** The leaver's membership as D1 holds it and as the room's log mirrors it, once D1 caught up. */
const bothCopies = async (roomId: string, userId: string) => {
  await d1CaughtUp(roomId);
  const d1 = await env.DB.prepare("SELECT joined_seq, last_read_seq, muted, pinned_at FROM room_members WHERE room_id = ? AND user_id = ?")
    .bind(roomId, userId)
    .first<{ joined_seq: number; last_read_seq: number; muted: number; pinned_at: number | null }>();
  const log = await inRoom(roomId, ({ log }) => log.member(userId));
  return {
    d1: d1 && { joinedSeq: d1.joined_seq, lastReadSeq: d1.last_read_seq, muted: Boolean(d1.muted), pinnedAt: d1.pinned_at },
    log: log && { joinedSeq: log.joinedSeq, lastReadSeq: log.lastReadSeq, muted: log.muted, pinnedAt: log.pinnedAt },
  };
};

describe("POST /api/rooms/:id/leave in a 1:1 room", () => {
  it("hides the room and its history from the leaver: list, unread, sockets 4403, other tabs room_removed", async () => {
    const { a, b, room } = await pair();
    await say(room.id, b, "one");
    await say(room.id, b, "two");
    await settle(room.id, a, { muted: true, pinned: true });
    expect((await chatList(a)).unread.total).toBe(2);
    const sock = await roomSocket(room.id, a);
    const events = await connect("/api/events", a.cookie);
    const res = await post(`/api/rooms/${room.id}/leave`, a);
    expect(res.status).toBe(204);
    expect((await sock.waitClosed()).code).toBe(SOCKET_LIMITS.closeNotMember);
    expect(await events.next((f) => f.type === "room_removed")).toMatchObject({ roomId: room.id, unread: { total: 0 } });
    events.close();
    const list = await chatList(a);
    expect(list.rooms.map((r) => r.id)).not.toContain(room.id);
    expect(list.unread.total).toBe(0);
    // The other still has it, whole.
    expect((await chatList(b)).rooms.map((r) => r.id)).toContain(room.id);
    expect(await history(room.id, b)).toEqual(["one", "two"]);
    // Opening it again (from the friend list) finds the same room, empty, with the flags cleared.
    const reopened = await directRoom(a, b);
    expect(reopened).toMatchObject({ id: room.id, muted: false, pinnedAt: null, unreadCount: 0, lastMessage: null });
    expect((await body<{ room: Room }>(await call(`/api/rooms/${room.id}`, { cookie: a.cookie }), 200)).room.lastMessage).toBeNull();
    expect(await history(room.id, a)).toEqual([]);
    expect(await bothCopies(room.id, a.user.id)).toEqual({
      d1: { joinedSeq: 3, lastReadSeq: 2, muted: false, pinnedAt: null },
      log: { joinedSeq: 3, lastReadSeq: 2, muted: false, pinnedAt: null },
    });
  });

  it("comes back in the leaver's list when the other writes, with only what came after, unread and live", async () => {
    const { a, b, room } = await pair();
    await say(room.id, a, "old");
    await say(room.id, b, "old reply");
    await post(`/api/rooms/${room.id}/leave`, a);
    const events = await connect("/api/events", a.cookie);
    await say(room.id, b, "are you there?");
    const back = await events.next((f) => f.type === "room" && f.room.id === room.id);
    expect(back).toMatchObject({ room: { lastSeq: 3, unreadCount: 1 }, unread: { total: 1 } });
    events.close();
    const row = (await chatList(a)).rooms.find((r) => r.id === room.id);
    expect(row).toMatchObject({ lastSeq: 3, unreadCount: 1, lastMessage: { body: "are you there?" } });
    expect(await history(room.id, a)).toEqual(["are you there?"]);
    expect(await history(room.id, b)).toEqual(["old", "old reply", "are you there?"]);
    // The room socket's sync starts at the comeback too.
    const sock = await roomSocket(room.id, a);
    sock.send({ type: "sync", after: 0 });
    const synced = await sock.next((f) => f.type === "synced");
    const seqs = sock.frames.filter((f) => f.type === "message").map((f) => (f as { message: Message }).message.seq);
    expect([seqs, synced]).toEqual([[3], { type: "synced", lastSeq: 3 }]);
    sock.close();
    const copies = await bothCopies(room.id, a.user.id);
    expect(copies.d1).toEqual(copies.log);
    expect(copies.d1).toMatchObject({ joinedSeq: 3, lastReadSeq: 2 });
  });

  it("is answered 404 for a stranger and 401 without a session; a second leave keeps it hidden", async () => {
    const { a, b, room } = await pair();
    await say(room.id, b, "hi");
    await expectError(await post(`/api/rooms/${room.id}/leave`, await register()), 404, "room_not_found");
    await expectError(await call(`/api/rooms/${room.id}/leave`, { method: "POST" }), 401, "unauthenticated");
    expect((await post(`/api/rooms/${room.id}/leave`, a)).status).toBe(204);
    expect((await post(`/api/rooms/${room.id}/leave`, a)).status).toBe(204);
    expect((await chatList(a)).rooms.map((r: Room) => r.id)).not.toContain(room.id);
    expect((await bothCopies(room.id, a.user.id)).d1).toMatchObject({ joinedSeq: 2, lastReadSeq: 1 });
  });
});

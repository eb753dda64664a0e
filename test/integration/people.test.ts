import { describe, expect, it, vi } from "vitest";
import type { Message, Room, User } from "../../worker/contract";
import { addFriend, befriend, befriendAll, call, connect, createGroup, directRoom, register, roomSocket, type Session } from "./harness";
import { body, chatList, expectError, expectUser, friendsOf, sendAndAck } from "./contract-helpers";

// A ceiling, not a pace: sign-ups cost ~150 ms of scrypt each, and a loaded machine stretches that.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

const blockedBy = async (s: Session) => (await body<{ blocked: User[] }>(await call("/api/blocks", { cookie: s.cookie }), 200)).blocked;
const block = (s: Session, who: Session) => call("/api/blocks", { method: "POST", cookie: s.cookie, json: { userId: who.user.id } });
const unblock = (s: Session, who: Session) => call(`/api/blocks/${who.user.id}`, { method: "DELETE", cookie: s.cookie });
const openDirect = (s: Session, other: Session) => call("/api/rooms/direct", { method: "POST", cookie: s.cookie, json: { userId: other.user.id } });
let sent = 0;
/** Sends over HTTP as `s`: 201 {message}. */
const say = async (roomId: string, s: Session, text = `text ${++sent}`): Promise<Message> =>
  (await body<{ message: Message }>(await call(`/api/rooms/${roomId}/messages`, { method: "POST", cookie: s.cookie, json: { clientId: `c${++sent}`, body: text } }), 201)).message;
const history = async (roomId: string, s: Session) =>
  (await body<{ messages: Message[] }>(await call(`/api/rooms/${roomId}/messages?limit=100`, { cookie: s.cookie }), 200)).messages;
const roomView = async (roomId: string, s: Session) => (await body<{ room: Room }>(await call(`/api/rooms/${roomId}`, { cookie: s.cookie }), 200)).room;
const placeholderOf = (m: Message) => ({ ...m, body: "", hidden: true });

/** A blocks B: they were friends both ways, with a 1:1 room. */
const blockedPair = async () => {
  const a = await register();
  const b = await register();
  await befriend(a, b);
  const room = await directRoom(a, b);
  expect((await block(a, b)).status).toBe(200);
  return { a, b, room };
};

describe("one-way friendship", () => {
  it("lets the adder open a 1:1 room and write at once; the added person gets it in their list and answers without adding back", async () => {
    const a = await register();
    const b = await register();
    await addFriend(a, b);
    expect(await friendsOf(b)).toEqual([]);
    const room = await directRoom(a, b);
    const first = await say(room.id, a, "안녕");
    const listed = (await chatList(b)).rooms;
    expect(listed.map((r) => r.id)).toEqual([room.id]);
    expect(listed[0]!.lastMessage).toEqual(first);
    expect(listed[0]!.unreadCount).toBe(1);
    await say(room.id, b, "누구세요?");
    // Opening a 1:1 room needs the caller's own friendship row: b has none.
    await expectError(await openDirect(b, a), 403, "not_friends");
    await addFriend(b, a);
    expect((await body<{ room: Room }>(await openDirect(b, a), 200)).room.id).toBe(room.id);
  });
});

describe("POST /api/blocks, GET /api/blocks, DELETE /api/blocks/:userId", () => {
  it("lists whom the caller blocks; takes them off the caller's friends but leaves the caller in theirs", async () => {
    const { a, b } = await blockedPair();
    const blocked = await blockedBy(a);
    expect(blocked).toEqual([b.user]);
    expectUser(blocked[0]);
    expect(await blockedBy(b)).toEqual([]);
    expect(await friendsOf(a)).toEqual([]);
    expect(await friendsOf(b)).toEqual([{ ...a.user, favorite: false }]);
  });

  it("answers 200 {blocked} to a repeat, and 204 then 404 to unblocking twice", async () => {
    const { a, b } = await blockedPair();
    expect(await body<{ blocked: User }>(await block(a, b), 200)).toEqual({ blocked: b.user });
    expect((await unblock(a, b)).status).toBe(204);
    expect(await blockedBy(a)).toEqual([]);
    await expectError(await unblock(a, b), 404, "user_not_found");
  });

  it("answers 400 cannot_block_self, 404 user_not_found, 400 invalid and 401 without a session", async () => {
    const a = await register();
    await expectError(await block(a, a), 400, "cannot_block_self", ["userId"]);
    await expectError(await call("/api/blocks", { method: "POST", cookie: a.cookie, json: { userId: "nobody-has-this-id" } }), 404, "user_not_found");
    await expectError(await call("/api/blocks", { method: "POST", cookie: a.cookie, json: { userId: 42 } }), 400, "invalid", ["userId"]);
    await expectError(await call("/api/blocks", { method: "POST", json: { userId: a.user.id } }), 401, "unauthenticated");
    await expectError(await call("/api/blocks"), 401, "unauthenticated");
    await expectError(await call(`/api/blocks/${a.user.id}`, { method: "DELETE" }), 401, "unauthenticated");
    expect(await blockedBy(a)).toEqual([]);
  });
});

describe("a block in a 1:1 room", () => {
  it("nothing tells the blocked: their sends are acked and their own view is unchanged", async () => {
    const { a, b, room } = await blockedPair();
    const sock = await roomSocket(room.id, b);
    const message = await sendAndAck(sock, "after-block", "들려?");
    sock.close();
    expect(message.body).toBe("들려?");
    expect(await history(room.id, b)).toEqual([message]);
    const theirs = (await chatList(b)).rooms;
    expect(theirs.map((r) => r.id)).toEqual([room.id]);
    expect(theirs[0]!.lastMessage).toEqual(message);
    // b's list still holds a as a friend and b can still open the room.
    expect((await body<{ room: Room }>(await openDirect(b, a), 200)).room.id).toBe(room.id);
  });

  it("gives the blocker's sockets, history and sync a placeholder with the same seq, and nothing unread", async () => {
    const { a, b, room } = await blockedPair();
    const before = await say(room.id, b, "before");
    expect((await unblock(a, b)).status).toBe(204);
    // Unblocked: a starts reading after the last message, then blocks again with a socket open.
    expect((await block(a, b)).status).toBe(200);
    const sa = await roomSocket(room.id, a);
    const hidden = await say(room.id, b, "secret");
    const live = await sa.next((f) => f.type === "message" && f.message.seq === hidden.seq);
    expect(live).toEqual({ type: "message", message: placeholderOf(hidden) });
    sa.send({ type: "sync", after: 0 });
    await sa.next((f) => f.type === "synced");
    expect(sa.ofType("message").filter((f) => f.message.seq === hidden.seq)).toHaveLength(2);
    for (const f of sa.ofType("message")) expect(f.message).toEqual(placeholderOf(hidden));
    sa.close();
    expect(await history(room.id, a)).toEqual([placeholderOf(hidden)]);
    expect(before.seq).toBeLessThan(hidden.seq);
    expect((await roomView(room.id, a)).unreadCount).toBe(0);
  });

  it("keeps the room out of the blocker's chat list and unread total, and off their events socket", async () => {
    const { a, b, room } = await blockedPair();
    const c = await register();
    await befriend(a, c);
    const other = await directRoom(a, c);
    const events = await connect("/api/events", a.cookie);
    await say(room.id, b, "hidden");
    const seen = await say(other.id, c, "visible");
    await events.next((f) => f.type === "room" && f.room.id === other.id && f.room.lastSeq === seen.seq);
    expect(events.ofType("room").filter((f) => f.room.id === room.id)).toEqual([]);
    events.close();
    const list = await chatList(a);
    expect(list.rooms.map((r) => r.id)).toEqual([other.id]);
    expect(list.unread.total).toBe(1);
  });

  it("takes the room off the blocker's open tabs when they block (room_removed)", async () => {
    const a = await register();
    const b = await register();
    await befriend(a, b);
    const room = await directRoom(a, b);
    await say(room.id, b, "hello");
    const events = await connect("/api/events", a.cookie);
    expect((await block(a, b)).status).toBe(200);
    const removed = await events.next((f) => f.type === "room_removed");
    expect(removed).toMatchObject({ type: "room_removed", roomId: room.id, unread: { total: 0 } });
    events.close();
  });

  it("answers the blocked's POST /api/rooms/direct as if all were fine, for a room the blocker never sees", async () => {
    const a = await register();
    const b = await register();
    await befriend(a, b);
    expect((await block(a, b)).status).toBe(200);
    const room = (await body<{ room: Room }>(await openDirect(b, a), 200)).room;
    const message = await say(room.id, b, "몰래");
    expect(await history(room.id, a)).toEqual([placeholderOf(message)]);
    expect((await chatList(a)).rooms).toEqual([]);
    expect((await chatList(b)).rooms.map((r) => r.id)).toEqual([room.id]);
  });

  it("unblocking delivers nothing sent meanwhile: the room comes back with only what follows", async () => {
    const { a, b, room } = await blockedPair();
    const meanwhile = await say(room.id, b, "meanwhile");
    const events = await connect("/api/events", a.cookie);
    expect((await unblock(a, b)).status).toBe(204);
    expect((await chatList(a)).rooms).toEqual([]);
    expect(await history(room.id, a)).toEqual([]);
    // Nothing tells b either: a's cursor did not move past b's message.
    expect((await roomView(room.id, b)).members.find((m) => m.id === a.user.id)!.lastReadSeq).toBeLessThan(meanwhile.seq);
    const after = await say(room.id, b, "after");
    // a's tabs hear of the room only with the new message, never with what came meanwhile.
    await events.next((f) => f.type === "room" && f.room.id === room.id && f.room.lastSeq === after.seq);
    expect(events.ofType("room").filter((f) => f.room.id === room.id)).toEqual([
      expect.objectContaining({ room: expect.objectContaining({ lastMessage: after, unreadCount: 1 }) }),
    ]);
    events.close();
    const list = await chatList(a);
    expect(list.rooms.map((r) => r.id)).toEqual([room.id]);
    expect(list.rooms[0]).toMatchObject({ lastMessage: after, unreadCount: 1 });
    expect(list.unread.total).toBe(1);
    expect(await history(room.id, a)).toEqual([after]);
  });
});

describe("a block in a group room", () => {
  const groupWithBlock = async () => {
    const [a, b, c] = [await register(), await register(), await register()];
    await befriendAll(c, [a, b]);
    const room = await createGroup(c, [a, b]);
    await befriend(a, b);
    expect((await block(a, b)).status).toBe(200);
    return { a, b, c, room };
  };

  it("sends the blocker a placeholder with the same seq, others the message; history, list and unread agree", async () => {
    const { a, b, c, room } = await groupWithBlock();
    const [sa, sc] = [await roomSocket(room.id, a), await roomSocket(room.id, c)];
    const hidden = await say(room.id, b, "b says");
    const shown = await say(room.id, c, "c says");
    expect(await sa.next((f) => f.type === "message" && f.message.seq === hidden.seq)).toEqual({ type: "message", message: placeholderOf(hidden) });
    expect(await sc.next((f) => f.type === "message" && f.message.seq === hidden.seq)).toEqual({ type: "message", message: hidden });
    expect(await sa.next((f) => f.type === "message" && f.message.seq === shown.seq)).toEqual({ type: "message", message: shown });
    for (const s of [sa, sc]) s.close();
    const seen = (await history(room.id, a)).slice(-2);
    expect(seen).toEqual([placeholderOf(hidden), shown]);
    expect((await history(room.id, c)).slice(-2)).toEqual([hidden, shown]);
    // Unread: only c's message, in the room's own view and in the D1 chat list.
    expect((await roomView(room.id, a)).unreadCount).toBe(1);
    const list = await chatList(a);
    expect(list.rooms[0]).toMatchObject({ id: room.id, unreadCount: 1, lastMessage: shown });
    expect(list.unread.total).toBe(1);
  });

  it("shows a blocked sender's last message as a placeholder in the blocker's chat list", async () => {
    const { a, b, room } = await groupWithBlock();
    const hidden = await say(room.id, b, "last word");
    const list = await chatList(a);
    expect(list.rooms[0]).toMatchObject({ id: room.id, unreadCount: 0, lastMessage: placeholderOf(hidden) });
    expect((await roomView(room.id, a)).lastMessage).toEqual(placeholderOf(hidden));
  });

  it("keeps what was sent during the block hidden after the unblock, and shows what follows", async () => {
    const { a, b, room } = await groupWithBlock();
    const during = await say(room.id, b, "during");
    expect((await unblock(a, b)).status).toBe(204);
    const after = await say(room.id, b, "after");
    expect((await history(room.id, a)).slice(-2)).toEqual([placeholderOf(during), after]);
  });

  it("hides the blocked's messages in a group made after the block (the room reads D1's blocks when members join)", async () => {
    const [a, b, c] = [await register(), await register(), await register()];
    await befriend(a, b);
    expect((await block(a, b)).status).toBe(200);
    await befriendAll(c, [a, b]);
    const room = await createGroup(c, [a, b]);
    const hidden = await say(room.id, b, "new group");
    expect((await history(room.id, a)).at(-1)).toEqual(placeholderOf(hidden));
    expect((await history(room.id, c)).at(-1)).toEqual(hidden);
  });

  it("skips the blocker, without a word, when the blocked creates a group or invites them", async () => {
    const { a, b, c } = await groupWithBlock();
    const created = await body<{ room: Room }>(
      await call("/api/rooms/group", { method: "POST", cookie: b.cookie, json: { memberIds: [a.user.id, c.user.id] } }),
      201,
    );
    expect(created.room.members.map((m) => m.id).sort()).toEqual([b.user.id, c.user.id].sort());
    const invited = await body<{ room: Room }>(
      await call(`/api/rooms/${created.room.id}/members`, { method: "POST", cookie: b.cookie, json: { userIds: [a.user.id] } }),
      200,
    );
    expect(invited.room.members.map((m) => m.id).sort()).toEqual([b.user.id, c.user.id].sort());
    await expectError(await call(`/api/rooms/${created.room.id}`, { cookie: a.cookie }), 404, "room_not_found");
    // The blocker may still invite the blocked.
    const mine = await body<{ room: Room }>(
      await call("/api/rooms/group", { method: "POST", cookie: c.cookie, json: { memberIds: [b.user.id] } }),
      201,
    );
    await body(await call(`/api/rooms/${mine.room.id}/members`, { method: "POST", cookie: c.cookie, json: { userIds: [a.user.id] } }), 200);
    expect((await roomView(mine.room.id, c)).members).toHaveLength(3);
  });
});

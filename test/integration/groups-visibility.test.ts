/**
 * History visibility (docs/api.md, "Group rooms"): an invited member sees the room from their
 * invitation on, on every read path: history pages both ways, sync, hello, the chat list's last
 * message and unread counts; and the number beside each message follows joinedSeq.
 */
import { describe, expect, it } from "vitest";
import { type Message, type Room, type RoomsPage, unreadCountOf } from "../../worker/contract";
import { body } from "./contract-helpers";
import { type Session, befriendAll, call, connect, group, roomSocket, seedUsers } from "./harness";

const post = (path: string, s: Session, json?: unknown) => call(path, { method: "POST", cookie: s.cookie, ...(json !== undefined && { json }) });
const say = async (roomId: string, s: Session, text: string) =>
  (await body<{ message: Message }>(await post(`/api/rooms/${roomId}/messages`, s, { clientId: crypto.randomUUID(), body: text }), 201)).message;
const page = async (roomId: string, s: Session, query: string) =>
  body<{ messages: Message[]; hasMore: boolean }>(await call(`/api/rooms/${roomId}/messages${query}`, { cookie: s.cookie }), 200);
const seqs = (messages: Message[]) => messages.map((m) => m.seq);

/** A group of three who said seq 2..4, then invited D at seq 5. */
const invitedLate = async () => {
  const { owner, members, room } = await group(3);
  for (const [i, who] of [owner, members[1]!, owner].entries()) await say(room.id, who, `before ${i}`);
  const [d] = await seedUsers(1);
  await befriendAll(owner, [d!]);
  await post(`/api/rooms/${room.id}/members`, owner, { userIds: [d!.user.id] });
  return { owner, members, room, d: d! };
};

describe("an invited member sees the room from their invitation on", () => {
  it("in history pages, newest first and from any seq either way", async () => {
    const { owner, room, d } = await invitedLate();
    await say(room.id, owner, "after");
    expect(seqs((await page(room.id, owner, "")).messages)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await page(room.id, d, "")).toEqual({ messages: expect.any(Array), hasMore: false });
    expect(seqs((await page(room.id, d, "")).messages)).toEqual([5, 6]);
    expect(seqs((await page(room.id, d, "?limit=1")).messages)).toEqual([6]);
    expect(await page(room.id, d, "?before=6&limit=5")).toMatchObject({ hasMore: false });
    expect(seqs((await page(room.id, d, "?before=6&limit=5")).messages)).toEqual([5]);
    expect(seqs((await page(room.id, d, "?before=5")).messages)).toEqual([]);
    expect(seqs((await page(room.id, d, "?after=0")).messages)).toEqual([5, 6]);
    expect(seqs((await page(room.id, d, "?after=2&limit=1")).messages)).toEqual([5]);
  });

  it("in sync answers", async () => {
    const { owner, room, d } = await invitedLate();
    await say(room.id, owner, "after");
    const sock = await roomSocket(room.id, d);
    sock.send({ type: "sync", after: 0 });
    const synced = await sock.next((f) => f.type === "synced");
    expect(synced).toMatchObject({ lastSeq: 6 });
    expect(sock.ofType("message").map((f) => f.message.seq)).toEqual([5, 6]);
    sock.close();
  });

  it("in hello (its members' joinedSeq) and in the chat list (last message, no unread from before)", async () => {
    const { room, d } = await invitedLate();
    const sock = await connect(`/api/rooms/${room.id}/ws`, d.cookie);
    const hello = await sock.next((f) => f.type === "hello");
    expect(hello.members.find((m) => m.id === d.user.id)).toMatchObject({ joinedSeq: 5, lastReadSeq: 5 });
    sock.close();
    const list = await body<RoomsPage>(await call("/api/rooms", { cookie: d.cookie }), 200);
    expect(list.rooms[0]).toMatchObject({ id: room.id, lastSeq: 5, unreadCount: 0, lastMessage: { seq: 5, kind: "system" } });
    expect(list.unread.total).toBe(0);
  });

  it("the number beside each message counts only those who were in the room when it was said", async () => {
    const { owner, members, room, d } = await invitedLate();
    const after = await say(room.id, members[1]!, "after");
    const { room: view } = await body<{ room: Room }>(await call(`/api/rooms/${room.id}`, { cookie: owner.cookie }), 200);
    const history = (await page(room.id, owner, "")).messages;
    const counts = Object.fromEntries(history.map((m) => [m.seq, unreadCountOf(m, view.members)]));
    // Cursors: the owner 4 and members[1] 6 (what each wrote), members[2] 0, D 5 (joined at 5).
    // seq 2..4: only members[2] has not read them; D was not there. seq 6: the owner, members[2] and D.
    expect(counts).toEqual({ 1: 0, 2: 1, 3: 1, 4: 1, 5: 0, [after.seq]: 3 });
    expect(view.members.find((m) => m.id === d.user.id)!.joinedSeq).toBe(5);
  });
});

/**
 * Group rooms over HTTP (docs/api.md, "Group rooms"): every route and error of the contract, the
 * system messages they write, and that system messages are never unread.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Message, Room, SystemMessage } from "../../worker/contract";
import { body, chatList, expectError, expectMessage, expectRoom } from "./contract-helpers";
import { type Session, befriend, befriendAll, call, connect, createGroup, group, pair, register, seedUsers } from "./harness";
import { awayFromWindowEdge, expectRateLimited } from "./security/helpers";

const post = (path: string, s: Session, json?: unknown) => call(path, { method: "POST", cookie: s.cookie, ...(json !== undefined && { json }) });
const patch = (path: string, s: Session, json: unknown) => call(path, { method: "PATCH", cookie: s.cookie, json });
const getRoom = async (roomId: string, s: Session) => (await body<{ room: Room }>(await call(`/api/rooms/${roomId}`, { cookie: s.cookie }), 200)).room;
const say = async (roomId: string, s: Session, text: string) =>
  (await body<{ message: Message }>(await post(`/api/rooms/${roomId}/messages`, s, { clientId: crypto.randomUUID(), body: text }), 201)).message;
const ids = (sessions: Session[]) => sessions.map((s) => s.user.id);
const systemEvent = (m: Message | null) => (m as SystemMessage).event;

describe("POST /api/rooms/group", () => {
  it("creates a group of the caller and their friends, seq 1 the `created` line, in every member's list at once", async () => {
    const { owner, members, room } = await group(3, "저녁팟");
    expectRoom(room);
    expect(room).toMatchObject({ kind: "group", title: "저녁팟", memberCount: 3, lastSeq: 1, unreadCount: 0 });
    expect(room.members.map((m) => m.id).sort()).toEqual(ids(members).sort());
    for (const m of room.members) expect(m).toMatchObject({ joinedSeq: 0, lastReadSeq: 0 });
    expectMessage(room.lastMessage, { seq: 1, kind: "system", body: "", senderId: owner.user.id });
    expect(systemEvent(room.lastMessage)).toEqual({ type: "created", actorId: owner.user.id, userIds: ids(members.slice(1)), title: "저녁팟" });
    for (const m of members) {
      const list = await chatList(m);
      expect(list.rooms.map((r) => r.id)).toEqual([room.id]);
      expect(list.rooms[0]).toMatchObject({ kind: "group", memberCount: 3, unreadCount: 0 });
      expect(list.unread.total).toBe(0);
    }
  });

  it("tells each member's events socket at once", async () => {
    const owner = await register();
    const friend = await register();
    await befriend(owner, friend);
    const events = await connect("/api/events", friend.cookie);
    const room = await createGroup(owner, [friend]);
    const frame = await events.next((f) => f.type === "room" && f.room.id === room.id);
    expect(frame).toMatchObject({ type: "room", room: { kind: "group", title: null, memberCount: 2 } });
    events.close();
  });

  it("keeps no title when none, null or blank is given", async () => {
    const owner = await register();
    const [x] = await seedUsers(1);
    await befriendAll(owner, [x!]);
    for (const title of [undefined, null, "", "   "]) expect((await createGroup(owner, [x!], title)).title).toBeNull();
  });

  it("answers 400 invalid for an empty list, too many, duplicates, the caller, a long or invisible title", async () => {
    const owner = await register();
    const [x] = await seedUsers(1);
    await befriendAll(owner, [x!]);
    const id = x!.user.id;
    const cases: [unknown, string][] = [
      [{ memberIds: [] }, "memberIds"],
      [{ memberIds: Array.from({ length: 500 }, () => crypto.randomUUID()) }, "memberIds"],
      [{ memberIds: [id, id] }, "memberIds"],
      [{ memberIds: [id, owner.user.id] }, "memberIds"],
      [{ memberIds: id }, "memberIds"],
      [{ memberIds: [id], title: "가".repeat(51) }, "title"],
      [{ memberIds: [id], title: "a\u202Eb" }, "title"],
      [{ memberIds: [id], title: "\u200B\u3164" }, "title"],
    ];
    for (const [json, field] of cases) await expectError(await post("/api/rooms/group", owner, json), 400, "invalid", [field]);
    expect((await createGroup(owner, [x!], "가".repeat(50))).title).toBe("가".repeat(50));
  });

  it("answers 403 not_friends and 404 user_not_found naming the ids, and creates nothing", async () => {
    const owner = await register();
    const [friend, stranger] = await seedUsers(2);
    await befriendAll(owner, [friend!]);
    const missing = crypto.randomUUID();
    const notFriends = await expectError(await post("/api/rooms/group", owner, { memberIds: [friend!.user.id, stranger!.user.id] }), 403, "not_friends");
    expect(notFriends.error.ids).toEqual([stranger!.user.id]);
    const notFound = await expectError(await post("/api/rooms/group", owner, { memberIds: [friend!.user.id, missing] }), 404, "user_not_found");
    expect(notFound.error.ids).toEqual([missing]);
    expect((await chatList(owner)).rooms).toEqual([]);
  });

  it("answers 401 without a session", async () => {
    await expectError(await call("/api/rooms/group", { method: "POST", json: { memberIds: ["x"] } }), 401, "unauthenticated");
  });
});

describe("POST /api/rooms/:id/members", () => {
  it("adds friends with one `invited` line; they join at its seq and nobody's unread count moves", async () => {
    const { owner, members, room } = await group(3);
    await say(room.id, members[1]!, "before");
    const [d, e] = await seedUsers(2);
    await befriendAll(owner, [d!, e!]);
    const res = await body<{ room: Room }>(await post(`/api/rooms/${room.id}/members`, owner, { userIds: [d!.user.id, e!.user.id] }), 200);
    expectRoom(res.room);
    expect(res.room).toMatchObject({ memberCount: 5, lastSeq: 3 });
    expect(res.room.members.filter((m) => m.joinedSeq === 3).map((m) => m.id).sort()).toEqual([d!.user.id, e!.user.id].sort());
    expect(systemEvent(res.room.lastMessage)).toEqual({ type: "invited", actorId: owner.user.id, userIds: [d!.user.id, e!.user.id] });
    expect((await getRoom(room.id, d!)).unreadCount).toBe(0);
    // The owner had not read "before": the invitation does not count on top of it, nor move the owner's cursor.
    const ownerView = await getRoom(room.id, owner);
    expect(ownerView.unreadCount).toBe(1);
    expect(ownerView.members.find((m) => m.id === owner.user.id)!.lastReadSeq).toBe(0);
  });

  it("answers 409 already_member naming them, 403 not_friends, 404 user_not_found, 400 invalid", async () => {
    const { owner, members, room } = await group(3);
    const [stranger] = await seedUsers(1);
    const dup = await expectError(await post(`/api/rooms/${room.id}/members`, owner, { userIds: [members[1]!.user.id] }), 409, "already_member");
    expect(dup.error.ids).toEqual([members[1]!.user.id]);
    const nf = await expectError(await post(`/api/rooms/${room.id}/members`, owner, { userIds: [stranger!.user.id] }), 403, "not_friends");
    expect(nf.error.ids).toEqual([stranger!.user.id]);
    await expectError(await post(`/api/rooms/${room.id}/members`, owner, { userIds: [crypto.randomUUID()] }), 404, "user_not_found");
    await expectError(await post(`/api/rooms/${room.id}/members`, owner, { userIds: [] }), 400, "invalid", ["userIds"]);
    await expectError(await post(`/api/rooms/${room.id}/members`, owner, {}), 400, "invalid", ["userIds"]);
    expect((await getRoom(room.id, owner)).lastSeq).toBe(1);
  });

  it("answers 400 not_a_group in a 1:1 room (clients make a new group instead)", async () => {
    const { a, room } = await pair();
    const [c] = await seedUsers(1);
    await befriendAll(a, [c!]);
    await expectError(await post(`/api/rooms/${room.id}/members`, a, { userIds: [c!.user.id] }), 400, "not_a_group");
  });

  it("answers 404 room_not_found to a stranger and for a room that does not exist", async () => {
    const { members, room } = await group(2);
    const stranger = await register();
    await befriend(stranger, members[1]!);
    await expectError(await post(`/api/rooms/${room.id}/members`, stranger, { userIds: [members[1]!.user.id] }), 404, "room_not_found");
    await expectError(await post(`/api/rooms/${crypto.randomUUID()}/members`, stranger, { userIds: [members[1]!.user.id] }), 404, "room_not_found");
  });

  it("answers 409 room_full past 500 members", async () => {
    const owner = await register();
    const friends = await seedUsers(500);
    await befriendAll(owner, friends);
    const room = await createGroup(owner, friends.slice(0, 499));
    expect(room.memberCount).toBe(500);
    await expectError(await post(`/api/rooms/${room.id}/members`, owner, { userIds: [friends[499]!.user.id] }), 409, "room_full");
    expect((await getRoom(room.id, owner)).lastSeq).toBe(1);
  });
});

describe("POST /api/rooms/:id/leave", () => {
  it("writes a `left` line; the leaver no longer counts and the room leaves their list", async () => {
    const { owner, members, room } = await group(3);
    const leaver = members[2]!;
    await say(room.id, owner, "hi all");
    const res = await post(`/api/rooms/${room.id}/leave`, leaver);
    expect(res.status).toBe(204);
    const view = await getRoom(room.id, owner);
    expect(view).toMatchObject({ memberCount: 2, lastSeq: 3 });
    expect(view.members.map((m) => m.id)).not.toContain(leaver.user.id);
    expect(systemEvent(view.lastMessage)).toEqual({ type: "left", actorId: leaver.user.id });
    expect((await chatList(leaver)).rooms).toEqual([]);
    expect((await chatList(owner)).rooms[0]).toMatchObject({ id: room.id, memberCount: 2, unreadCount: 0 });
  });

  it("answers the leaver 404 like a stranger on every route afterwards", async () => {
    const { owner, members, room } = await group(3);
    const leaver = members[1]!;
    expect((await post(`/api/rooms/${room.id}/leave`, leaver)).status).toBe(204);
    const base = `/api/rooms/${room.id}`;
    await expectError(await call(base, { cookie: leaver.cookie }), 404, "room_not_found");
    await expectError(await call(`${base}/messages`, { cookie: leaver.cookie }), 404, "room_not_found");
    await expectError(await call(`${base}/messages?after=0`, { cookie: leaver.cookie }), 404, "room_not_found");
    await expectError(await post(`${base}/messages`, leaver, { clientId: "late", body: "still here?" }), 404, "room_not_found");
    await expectError(await post(`${base}/read`, leaver, { seq: 2 }), 404, "room_not_found");
    await expectError(await post(`${base}/leave`, leaver), 404, "room_not_found");
    await expectError(await post(`${base}/members`, leaver, { userIds: [owner.user.id] }), 404, "room_not_found");
    await expectError(await patch(base, leaver, { title: "mine" }), 404, "room_not_found");
    await expectError(await call(`${base}/ws`, { cookie: leaver.cookie, headers: { Upgrade: "websocket", Origin: "http://talk.test" } }), 404, "room_not_found");
  });

  it("answers 404 to a stranger (a 1:1 room's leave: direct-leave.test.ts)", async () => {
    const { room } = await pair();
    const stranger = await register();
    await expectError(await post(`/api/rooms/${room.id}/leave`, stranger), 404, "room_not_found");
  });

  it("keeps unread.version growing when a room with unread messages leaves the list", async () => {
    const { owner, members, room } = await group(3);
    await say(room.id, owner, "unread for the leaver");
    const leaver = members[1]!;
    const before = (await chatList(leaver)).unread;
    expect(before.total).toBe(1);
    await post(`/api/rooms/${room.id}/leave`, leaver);
    const after = (await chatList(leaver)).unread;
    expect(after.total).toBe(0);
    expect(after.version).toBeGreaterThan(before.version);
  });
});

describe("PATCH /api/rooms/:id", () => {
  it("renames with a `renamed` line; an empty title clears it", async () => {
    const { owner, members, room } = await group(3);
    const renamed = await body<{ room: Room }>(await patch(`/api/rooms/${room.id}`, members[1]!, { title: " 주말 등산 " }), 200);
    expectRoom(renamed.room);
    expect(renamed.room).toMatchObject({ title: "주말 등산", lastSeq: 2 });
    expect(systemEvent(renamed.room.lastMessage)).toEqual({ type: "renamed", actorId: members[1]!.user.id, title: "주말 등산" });
    expect((await getRoom(room.id, owner)).title).toBe("주말 등산");
    for (const title of ["", null]) {
      const cleared = await body<{ room: Room }>(await patch(`/api/rooms/${room.id}`, owner, { title }), 200);
      expect(cleared.room.title).toBeNull();
    }
    expect((await getRoom(room.id, owner)).unreadCount).toBe(0);
  });

  it("answers 400 invalid, 400 not_a_group, 404 to a stranger", async () => {
    const { owner, room } = await group(2);
    await expectError(await patch(`/api/rooms/${room.id}`, owner, { title: "x".repeat(51) }), 400, "invalid", ["title"]);
    await expectError(await patch(`/api/rooms/${room.id}`, owner, {}), 400, "invalid", ["title"]);
    const direct = await pair();
    await expectError(await patch(`/api/rooms/${direct.room.id}`, direct.a, { title: "x" }), 400, "not_a_group");
    await expectError(await patch(`/api/rooms/${room.id}`, direct.a, { title: "x" }), 404, "room_not_found");
  });
});

describe("group changes per hour", () => {
  it("past GROUP_CHANGES_PER_HOUR a user's creates, invites and renames get 429 with Retry-After and change nothing; leaving still works, and others are not held up", async () => {
    await awayFromWindowEdge(3_600_000, 20_000);
    const { owner, members, room } = await group(3, "처음");
    const [, friend, other] = members;
    const newcomer = await register();
    await befriend(owner, newcomer);
    const limit = Number(env.GROUP_CHANGES_PER_HOUR);
    // The create above was the first change of the hour.
    for (let i = 2; i <= limit; i++) await body(await patch(`/api/rooms/${room.id}`, owner, { title: `이름 ${i}` }), 200);

    const refused = [
      await patch(`/api/rooms/${room.id}`, owner, { title: "하나 더" }),
      await post("/api/rooms/group", owner, { memberIds: [friend!.user.id] }),
      await post(`/api/rooms/${room.id}/members`, owner, { userIds: [newcomer.user.id] }),
    ];
    for (const res of refused) await expectRateLimited(res, 3_600);
    const after = await getRoom(room.id, friend!);
    expect(after).toMatchObject({ title: `이름 ${limit}`, memberCount: 3 });
    expect((await chatList(owner)).rooms.map((r) => r.id)).toEqual([room.id]);

    // Another member's own allowance is untouched, and the limited user can still leave.
    await body(await patch(`/api/rooms/${room.id}`, other!, { title: "다른 사람" }), 200);
    expect((await post(`/api/rooms/${room.id}/leave`, owner)).status).toBe(204);
    expect((await getRoom(room.id, friend!)).memberCount).toBe(2);
  });
});

describe("system messages are never unread", () => {
  it("count in no one's unread count or total, and move no one's cursor", async () => {
    const { owner, members, room } = await group(3);
    const [d] = await seedUsers(1);
    await befriendAll(owner, [d!]);
    await patch(`/api/rooms/${room.id}`, owner, { title: "one" });
    await post(`/api/rooms/${room.id}/members`, owner, { userIds: [d!.user.id] });
    await post(`/api/rooms/${room.id}/leave`, members[2]!);
    for (const m of [owner, members[1]!, d!]) {
      const list = await chatList(m);
      expect(list.rooms[0]!.unreadCount).toBe(0);
      expect(list.unread.total).toBe(0);
    }
    const { results } = await env.DB.prepare("SELECT user_id, last_read_seq FROM room_members WHERE room_id = ? AND user_id IN (?, ?)")
      .bind(room.id, owner.user.id, members[1]!.user.id)
      .all<{ last_read_seq: number }>();
    expect(results.map((r) => r.last_read_seq)).toEqual([0, 0]);
    await say(room.id, owner, "text counts");
    expect((await chatList(members[1]!)).rooms[0]!.unreadCount).toBe(1);
    expect((await chatList(d!)).unread.total).toBe(1);
  });
});

import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import type { Message, Room, RoomsPage } from "../../worker/contract";
import { befriend, call, directRoom, pair, register, roomSocket, type Session } from "./harness";
import { getDb } from "../../worker/db/client";
import { roomsQuery } from "../../worker/db/chat-list";
import { d1CaughtUpFor } from "./room-log-helpers";
import { body, chatList, expectError, expectRoom, lazy, pairPool, sendAndAck } from "./contract-helpers";

// A ceiling, not a pace: sign-ups cost ~150 ms of scrypt each, and a loaded machine stretches that.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

const freshPair = pairPool();
/** A user with no friends and no rooms whose requests below are all refused. */
const loner = lazy(() => register());

const getRoom = async (id: string, s: Session) => (await body<{ room: Room }>(await call(`/api/rooms/${id}`, { cookie: s.cookie }), 200)).room;
const listRooms = async (s: Session) => (await chatList(s)).rooms;
const openDirect = (s: Session, json: unknown) => call("/api/rooms/direct", { method: "POST", cookie: s.cookie, json });
const markRead = (s: Session, roomId: string, json: unknown) => call(`/api/rooms/${roomId}/read`, { method: "POST", cookie: s.cookie, json });
const memberOf = (room: Room, s: Session) => room.members.find((m) => m.id === s.user.id)!;

/** Sends one message as `s` in `roomId` through the room socket and closes the socket. */
const say = async (roomId: string, s: Session, clientId: string, text = clientId): Promise<Message> => {
  const sock = await roomSocket(roomId, s);
  const msg = await sendAndAck(sock, clientId, text);
  sock.close();
  return msg;
};

describe("POST /api/rooms/direct", () => {
  it("creates the pair's room on the first call and answers the same room afterwards, from either side", async () => {
    const a = await register(undefined, "Ann");
    const b = await register(undefined, "Ben");
    await befriend(a, b);
    const res = await body<{ room: Room }>(await openDirect(a, { userId: b.user.id }), 200);
    expect(Object.keys(res)).toEqual(["room"]);
    expectRoom(res.room);
    expect(res.room).toMatchObject({ kind: "direct", lastMessage: null, lastSeq: 0, unreadCount: 0 });
    const byId = (x: { id: string }, y: { id: string }) => x.id.localeCompare(y.id);
    expect([...res.room.members].sort(byId)).toEqual([{ ...a.user, lastReadSeq: 0, joinedSeq: 0 }, { ...b.user, lastReadSeq: 0, joinedSeq: 0 }].sort(byId));
    expect(res.room).toMatchObject({ title: null, memberCount: 2, version: 0 });
    const again = await body<{ room: Room }>(await openDirect(a, { userId: b.user.id }), 200);
    expect(again.room.id).toBe(res.room.id);
    const fromB = await body<{ room: Room }>(await openDirect(b, { userId: a.user.id }), 200);
    expect(fromB.room.id).toBe(res.room.id);
    const { results } = await env.DB.prepare("select count(*) as n from room_members where user_id = ?").bind(a.user.id).all<{ n: number }>();
    expect(results[0]!.n).toBe(1);
  });

  it("gives both sides the same room with exactly two members when they call at the same moment", async () => {
    for (let round = 0; round < 3; round++) {
      const a = await register();
      const b = await register();
      await befriend(a, b);
      const [ra, rb] = await Promise.all([openDirect(a, { userId: b.user.id }), openDirect(b, { userId: a.user.id })]);
      const [{ room: roomA }, { room: roomB }] = [await body<{ room: Room }>(ra, 200), await body<{ room: Room }>(rb, 200)];
      expect(roomA.id).toBe(roomB.id);
      expect(roomA.members.map((m) => m.id).sort()).toEqual([a.user.id, b.user.id].sort());
      expect(roomB.members).toHaveLength(2);
      const { results } = await env.DB.prepare(
        "select count(distinct room_id) as rooms, count(*) as rows from room_members where user_id in (?, ?)",
      )
        .bind(a.user.id, b.user.id)
        .all<{ rooms: number; rows: number }>();
      expect(results[0]).toEqual({ rooms: 1, rows: 2 });
    }
  });

  it("answers 400 cannot_chat_with_self for your own id", async () => {
    const a = await loner();
    await expectError(await openDirect(a, { userId: a.user.id }), 400, "cannot_chat_with_self");
  });

  it("answers 403 not_friends for a user who is not a friend, and creates no room", async () => {
    const a = await register();
    const b = await register();
    await expectError(await openDirect(a, { userId: b.user.id }), 403, "not_friends");
    const { results } = await env.DB.prepare("select count(*) as n from room_members where user_id = ?").bind(a.user.id).all<{ n: number }>();
    expect(results[0]!.n).toBe(0);
  });

  it("answers 404 user_not_found for an id nobody has", async () => {
    const a = await loner();
    await expectError(await openDirect(a, { userId: crypto.randomUUID() }), 404, "user_not_found");
  });

  it.each([
    ["missing userId", {}],
    ["numeric userId", { userId: 7 }],
    ["empty userId", { userId: "" }],
  ])("answers 400 invalid naming userId for %s", async (_name, json) => {
    const a = await loner();
    await expectError(await openDirect(a, json), 400, "invalid", ["userId"]);
  });

  it("answers 401 without a session", async () => {
    const b = await loner();
    await expectError(await call("/api/rooms/direct", { method: "POST", json: { userId: b.user.id } }), 401, "unauthenticated");
  });
});

describe("GET /api/rooms", () => {
  it("reads the whole list in one statement that only searches indexes, whatever the number of rooms", async () => {
    const { sql, params } = roomsQuery(getDb(env), "some-user", { withMessagesOnly: true }).toSQL();
    const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .bind(...params)
      .all<{ detail: string }>();
    const steps = plan.results.map((r) => r.detail);
    // me, me_user, rooms, messages, other, users; per room: the preview's bound, the member count and
    // the system messages above the caller's cursor (unread counts leave them out): once each. And
    // what blocks hide: a 1:1 room with someone the caller blocks (its other member, the block), the
    // blocked's messages above the cursor (whether the caller blocks anyone; the messages, the
    // block), whether the last message is a blocked sender's.
    expect(steps.filter((d) => /^(SEARCH|SCAN)\b/.test(d))).toHaveLength(15);
    // SEARCH uses an index; a SCAN would read a whole table per call (or per room).
    expect(steps.filter((d) => d.startsWith("SCAN"))).toEqual([]);
    expect(steps.filter((d) => /SUBQUERY/.test(d)).map((d) => d.replace(/\d+$/, "n"))).toEqual(Array(7).fill("CORRELATED SCALAR SUBQUERY n"));
    // Every block lookup is a primary-key probe: (user_id) for "blocks anyone", (user_id, blocked_id) otherwise.
    expect(steps.filter((d) => /_block\b/.test(d))).toEqual([
      expect.stringMatching(/^SEARCH direct_block USING COVERING INDEX sqlite_autoindex_blocks_1 \(user_id=\? AND blocked_id=\?\)/),
      expect.stringMatching(/^SEARCH any_block USING COVERING INDEX sqlite_autoindex_blocks_1 \(user_id=\?\)/),
      expect.stringMatching(/^SEARCH hiding_block USING INDEX sqlite_autoindex_blocks_1 \(user_id=\? AND blocked_id=\?\)/),
      expect.stringMatching(/^SEARCH last_block USING INDEX sqlite_autoindex_blocks_1 \(user_id=\? AND blocked_id=\?\)/),
    ]);
    // A group's row joins the caller and at most 4 others, found by a primary-key range, not all 500.
    expect(steps).toContainEqual(expect.stringMatching(/^SEARCH other USING INDEX sqlite_autoindex_room_members_1 \(room_id=\? AND user_id<\?\)/));
    expect(steps).toContainEqual(expect.stringMatching(/^SEARCH system_message USING COVERING INDEX messages_room_system_idx \(room_id=\? AND seq>\?\)/));
  });

  it("reads a page by choosing its ids first, through indexes, then joining only those rooms, with the unread total", async () => {
    const before = { pinnedAt: null, updatedAt: 1_700_000_000_000, id: "some-room" };
    const { sql, params } = roomsQuery(getDb(env), "some-user", { withMessagesOnly: true, withUnread: true, page: { limit: 50, before } }).toSQL();
    const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .bind(...params)
      .all<{ detail: string }>();
    const steps = plan.results.map((r) => r.detail);
    expect(steps.filter((d) => d.startsWith("SCAN"))).toEqual([]);
    // The page's ids: one list, and the unread total's two sums, each built once per statement (SQLite
    // marks a subquery run again per row CORRELATED) ...
    // The per-room lookups of the whole list (preview bound, member count, system messages above the
    // cursor) are CORRELATED, as are the system messages above each cursor inside the unread total.
    expect(steps.filter((d) => /SUBQUERY/.test(d) && !d.startsWith("CORRELATED")).map((d) => d.replace(/\d+$/, "n"))).toEqual([
      "LIST SUBQUERY n",
      "REUSE LIST SUBQUERY n",
      "SCALAR SUBQUERY n",
      "SCALAR SUBQUERY n",
      "SCALAR SUBQUERY n",
    ]);
    // ... that drives the join: the caller's memberships are looked up by those room ids only.
    expect(steps).toContainEqual(expect.stringMatching(/^SEARCH me USING INDEX room_members_user_idx \(user_id=\? AND room_id=\?\)/));
    expect(steps.filter((d) => /^SEARCH messages\b/.test(d))).toHaveLength(1);
  });

  it("lists only rooms with at least one message", async () => {
    const { a, b, room } = await pair(); // fresh users: the room list is per user
    expect(await chatList(a)).toEqual({ rooms: [], nextCursor: null, unread: { total: 0, version: 0 } });
    expect(await listRooms(b)).toEqual([]);
    const msg = await say(room.id, a, "first");
    const rooms = await listRooms(b);
    expect(rooms.map((r) => r.id)).toEqual([room.id]);
    expectRoom(rooms[0]);
    expect(rooms[0]!.lastMessage).toEqual(msg);
  });

  it("puts the room with the newest message first, with lastMessage, lastSeq and the caller's unreadCount", async () => {
    const a = await register();
    const [b, c, d] = [await register(), await register(), await register()];
    for (const f of [b, c, d]) await befriend(a, f);
    const [ab, ac, ad] = [await directRoom(a, b), await directRoom(a, c), await directRoom(a, d)];

    await say(ac.id, a, "ac-1");
    await say(ab.id, b, "ab-1");
    const ab2 = await say(ab.id, b, "ab-2");
    const ad1 = await say(ad.id, d, "ad-1");
    let rooms = await listRooms(a);
    expect(rooms.map((r) => r.id)).toEqual([ad.id, ab.id, ac.id]);
    rooms.forEach(expectRoom);
    const byId = new Map(rooms.map((r) => [r.id, r]));
    expect(byId.get(ad.id)).toMatchObject({ lastSeq: 1, unreadCount: 1, lastMessage: ad1 });
    expect(byId.get(ab.id)).toMatchObject({ lastSeq: 2, unreadCount: 2, lastMessage: ab2 });
    // A's own message is not unread for A.
    expect(byId.get(ac.id)).toMatchObject({ lastSeq: 1, unreadCount: 0 });
    expect(byId.get(ac.id)!.lastMessage).toMatchObject({ seq: 1, senderId: a.user.id, body: "ac-1" });

    // C sees only its own room, with A's message unread.
    const cRooms = await listRooms(c);
    expect(cRooms.map((r) => r.id)).toEqual([ac.id]);
    expect(cRooms[0]).toMatchObject({ lastSeq: 1, unreadCount: 1 });
    // B wrote both of its room's messages: nothing unread for B.
    expect((await listRooms(b))[0]).toMatchObject({ id: ab.id, unreadCount: 0 });

    // A new message moves its room to the top.
    const ac2 = await say(ac.id, c, "ac-2");
    rooms = await listRooms(a);
    expect(rooms.map((r) => r.id)).toEqual([ac.id, ad.id, ab.id]);
    expect(rooms[0]).toMatchObject({ lastSeq: 2, unreadCount: 1, lastMessage: ac2 });
  });

  it("counts only others' messages above the caller's read cursor", async () => {
    const { a, b, room } = await pair(); // fresh users: the room list is per user
    const sa = await roomSocket(room.id, a);
    const sb = await roomSocket(room.id, b);
    await sendAndAck(sb, "b1");
    await sendAndAck(sb, "b2");
    await sendAndAck(sb, "b3");
    expect((await listRooms(a))[0]).toMatchObject({ lastSeq: 3, unreadCount: 3 });
    expect((await markRead(a, room.id, { seq: 1 })).status).toBe(204);
    expect((await listRooms(a))[0]).toMatchObject({ lastSeq: 3, unreadCount: 2 });
    // A answering means A has read everything up to its answer.
    await sendAndAck(sa, "a4");
    expect((await listRooms(a))[0]).toMatchObject({ lastSeq: 4, unreadCount: 0 });
    expect((await listRooms(b))[0]).toMatchObject({ lastSeq: 4, unreadCount: 1 });
    sa.close();
    sb.close();
  });

  it("answers 401 without a session", async () => {
    await expectError(await call("/api/rooms"), 401, "unauthenticated");
  });
});

describe("GET /api/rooms?limit&before (pages)", () => {
  const page = (s: Session, query: string) => chatList(s, `?${query}`);
  const whole = (s: Session) => chatList(s);
  /** Follows nextCursor from the first page to the end; the rooms' ids in the order they came. */
  const walk = async (s: Session, limit: number) => {
    const ids: string[] = [];
    for (let query: string | null = `limit=${limit}`; query; ) {
      const p: RoomsPage = await page(s, query);
      expect(p.rooms.length).toBeLessThanOrEqual(limit);
      ids.push(...p.rooms.map((r) => r.id));
      query = p.nextCursor === null ? null : `limit=${limit}&before=${encodeURIComponent(p.nextCursor)}`;
    }
    return ids;
  };
  /** A user with `n` 1:1 rooms, each with one message from the friend, the last created newest. */
  const userWithRooms = async (n: number) => {
    const me = await register();
    const made: { id: string; friend: Session }[] = [];
    for (let i = 0; i < n; i++) {
      const friend = await register();
      await befriend(me, friend);
      const room = await directRoom(me, friend);
      await say(room.id, friend, `m${i}`);
      made.unshift({ id: room.id, friend });
    }
    return { me, ids: made.map((r) => r.id), friends: made.map((r) => r.friend) };
  };
  const fiveRooms = lazy(() => userWithRooms(5));

  it("pages through the list newest first, every room once, and ends with nextCursor null", async () => {
    const { me, ids } = await fiveRooms();
    const first = await page(me, "limit=2");
    expect(first.rooms.map((r) => r.id)).toEqual(ids.slice(0, 2));
    first.rooms.forEach(expectRoom);
    expect(first.nextCursor).toEqual(expect.any(String));
    expect(await walk(me, 2)).toEqual(ids);
    expect(await walk(me, 5)).toEqual(ids);
    expect(await walk(me, 100)).toEqual(ids);
    // Without limit: the whole list in one answer, as the original contract has it.
    expect(await whole(me)).toMatchObject({ nextCursor: null });
    expect((await whole(me)).rooms.map((r) => r.id)).toEqual(ids);
  });

  it("keeps the next page stable when a room moves to the top meanwhile: no room twice, none skipped", async () => {
    const { me, ids } = await userWithRooms(4);
    const first = await page(me, "limit=2");
    expect(first.rooms.map((r) => r.id)).toEqual(ids.slice(0, 2));
    // The oldest room gets a message: it is now newest, so it belongs above page 1, not on page 2.
    await say(ids[3]!, me, "back to the top");
    const second = await page(me, `limit=2&before=${encodeURIComponent(first.nextCursor!)}`);
    expect(second.rooms.map((r) => r.id)).toEqual([ids[2]]);
    expect(second.nextCursor).toBeNull();
    expect((await whole(me)).rooms.map((r) => r.id)).toEqual([ids[3], ids[0], ids[1], ids[2]]);
  });

  it("breaks ties in activity time by room id, so rooms with the same time are neither repeated nor lost", async () => {
    const { me, ids } = await userWithRooms(4);
    // The messages reach D1 first, or their late arrival would move the times set here.
    await d1CaughtUpFor(me.user.id);
    await env.DB.prepare(`UPDATE rooms SET updated_at = 1700000000000 WHERE id IN (${ids.map(() => "?").join()})`)
      .bind(...ids)
      .run();
    const sorted = [...ids].sort().reverse();
    expect((await whole(me)).rooms.map((r) => r.id)).toEqual(sorted);
    expect(await walk(me, 1)).toEqual(sorted);
    expect(await walk(me, 3)).toEqual(sorted);
  });

  it("answers the caller's unread total over every room, whatever the page, with a version that grows with each change to it", async () => {
    const { me, ids, friends } = await userWithRooms(5);
    const all = await whole(me);
    const total = all.rooms.reduce((n, r) => n + r.unreadCount, 0);
    expect(total).toBe(5);
    const first = await page(me, "limit=1");
    expect(first.unread).toEqual(all.unread);
    expect(first.unread.total).toBe(5);
    const later = await page(me, `limit=1&before=${encodeURIComponent(first.nextCursor!)}`);
    expect(later.unread).toEqual(all.unread);

    // A new message from a friend: one more unread, a higher version.
    const [roomId, friend] = [ids[4]!, friends[4]!];
    await say(roomId, friend, "one more");
    const afterMessage = (await page(me, "limit=1")).unread;
    expect(afterMessage.total).toBe(6);
    expect(afterMessage.version).toBeGreaterThan(all.unread.version);

    // The friend reading changes nothing of mine; my reading lowers the total and still raises the version.
    expect((await markRead(friend, roomId, { seq: 2 })).status).toBe(204);
    expect((await page(me, "limit=1")).unread).toEqual(afterMessage);
    expect((await markRead(me, roomId, { seq: 2 })).status).toBe(204);
    const afterRead = (await page(me, "limit=1")).unread;
    expect(afterRead.total).toBe(4);
    expect(afterRead.version).toBeGreaterThan(afterMessage.version);
  });

  it("answers an empty last page, with the unread total, when every room below the cursor moved up", async () => {
    const { me, ids, friends } = await userWithRooms(2);
    const first = await page(me, "limit=1");
    expect(first.rooms.map((r) => r.id)).toEqual([ids[0]]);
    // The only room below the cursor gets a message: it is now above page 1, and nothing is left below.
    await say(ids[1]!, friends[1]!, "moved up");
    const second = await page(me, `limit=1&before=${encodeURIComponent(first.nextCursor!)}`);
    expect(second).toEqual({ rooms: [], nextCursor: null, unread: (await whole(me)).unread });
    expect(second.unread.total).toBe(3);
  });

  it("answers 400 invalid, naming the parameter, for a bad limit or cursor", async () => {
    const { me } = await fiveRooms();
    for (const bad of ["0", "101", "-1", "1.5", "abc", ""]) {
      const err = await expectError(await call(`/api/rooms?limit=${bad}`, { cookie: me.cookie }), 400, "invalid", ["limit"]);
      expect(err.error.fields?.limit).toBeTruthy();
    }
    for (const bad of ["abc", "123", "1.2.3", "x.room", `1.${"a".repeat(65)}`]) {
      await expectError(await call(`/api/rooms?limit=2&before=${encodeURIComponent(bad)}`, { cookie: me.cookie }), 400, "invalid", ["before"]);
    }
    // A cursor is only ever half of a page request.
    const cursor = (await page(me, "limit=1")).nextCursor!;
    await expectError(await call(`/api/rooms?before=${encodeURIComponent(cursor)}`, { cookie: me.cookie }), 400, "invalid", ["before"]);
  });

  it("answers 401 without a session, before looking at the query", async () => {
    await expectError(await call("/api/rooms?limit=0"), 401, "unauthenticated");
  });
});

describe("GET /api/rooms/:id", () => {
  it("answers 200 {room} to each member, with that member's unreadCount and everyone's cursor", async () => {
    const { a, b, room } = await freshPair();
    const m1 = await say(room.id, a, "hello");
    const res = await body<{ room: Room }>(await call(`/api/rooms/${room.id}`, { cookie: b.cookie }), 200);
    expect(Object.keys(res)).toEqual(["room"]);
    expectRoom(res.room);
    expect(res.room).toMatchObject({ id: room.id, kind: "direct", lastSeq: 1, unreadCount: 1, lastMessage: m1 });
    expect(memberOf(res.room, a).lastReadSeq).toBe(1);
    expect(memberOf(res.room, b).lastReadSeq).toBe(0);
    const forA = await getRoom(room.id, a);
    expect(forA).toMatchObject({ id: room.id, unreadCount: 0, lastMessage: m1 });
    expect(forA.members).toEqual(res.room.members);
  });

  it("answers 200 for a room with no messages yet", async () => {
    const { a, room } = await freshPair();
    expect(await getRoom(room.id, a)).toEqual(room);
  });
});

describe("POST /api/rooms/:id/read", () => {
  /** One room with one unread message for b, shared by the tests that must change nothing. */
  let fixture: Promise<{ a: Session; b: Session; room: Room }> | undefined;
  const readFixture = () =>
    (fixture ??= (async () => {
      const p = await freshPair();
      await say(p.room.id, p.a, "1");
      return p;
    })());

  it("answers 204 with no body and moves the caller's cursor forward", async () => {
    const { a, b, room } = await freshPair();
    for (const id of ["1", "2", "3"]) await say(room.id, a, id);
    const res = await markRead(b, room.id, { seq: 2 });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    const r = await getRoom(room.id, b);
    expect(memberOf(r, b).lastReadSeq).toBe(2);
    expect(r.unreadCount).toBe(1);
    // The other member's cursor is untouched.
    expect(memberOf(r, a).lastReadSeq).toBe(3);
  });

  it("never moves the cursor back", async () => {
    const { a, b, room } = await freshPair();
    for (const id of ["1", "2", "3"]) await say(room.id, a, id);
    expect((await markRead(b, room.id, { seq: 3 })).status).toBe(204);
    expect((await markRead(b, room.id, { seq: 1 })).status).toBe(204);
    expect((await markRead(b, room.id, { seq: 0 })).status).toBe(204);
    const r = await getRoom(room.id, b);
    expect(memberOf(r, b).lastReadSeq).toBe(3);
    expect(r.unreadCount).toBe(0);
  });

  it("takes a seq above the last as the last", async () => {
    const { a, b, room } = await freshPair();
    await say(room.id, a, "1");
    await say(room.id, a, "2");
    expect((await markRead(b, room.id, { seq: 1_000_000 })).status).toBe(204);
    let r = await getRoom(room.id, b);
    expect(memberOf(r, b).lastReadSeq).toBe(2);
    expect(r.unreadCount).toBe(0);
    // A later message is unread again: the cursor was not parked past the end.
    await say(room.id, a, "3");
    r = await getRoom(room.id, b);
    expect(memberOf(r, b).lastReadSeq).toBe(2);
    expect(r.unreadCount).toBe(1);
  });

  it("keeps the cursor at 0 in a room without messages", async () => {
    const { a, b, room } = await freshPair();
    expect((await markRead(b, room.id, { seq: 5 })).status).toBe(204);
    const r = await getRoom(room.id, b);
    expect(memberOf(r, b).lastReadSeq).toBe(0);
    await say(room.id, a, "1");
    expect((await getRoom(room.id, b)).unreadCount).toBe(1);
  });

  it.each([
    ["missing seq", {}],
    ["negative seq", { seq: -1 }],
    ["fractional seq", { seq: 1.5 }],
    ["string seq", { seq: "1" }],
    ["null seq", { seq: null }],
  ])("answers 400 invalid naming seq for %s, and moves nothing", async (_name, json) => {
    const { b, room } = await readFixture();
    await expectError(await markRead(b, room.id, json), 400, "invalid", ["seq"]);
    expect(memberOf(await getRoom(room.id, b), b).lastReadSeq).toBe(0);
  });

  it("answers 400 invalid for malformed JSON", async () => {
    const { b, room } = await readFixture();
    const res = await call(`/api/rooms/${room.id}/read`, { method: "POST", cookie: b.cookie, body: "{seq:", headers: { "content-type": "application/json" } });
    await expectError(res, 400, "invalid");
  });

  it("answers 404 room_not_found for a room that does not exist", async () => {
    const a = await loner();
    await expectError(await markRead(a, crypto.randomUUID(), { seq: 1 }), 404, "room_not_found");
  });
});

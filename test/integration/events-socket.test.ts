import { env } from "cloudflare:workers";
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import type { EventFrame, Room, User } from "../../worker/contract";
import { chatRoom, userHub } from "../../worker/lib/hubs";
import { ORIGIN, befriend, call, connect, directRoom, pair, register, roomSocket, upgrade, type Session } from "./harness";
import { waitFor } from "./delivery/support";
import { body, chatList, expectError, expectRoom, expectUser, lazy, nextRaw, pairPool, quiet, rawUpgrade, sendAndAck } from "./contract-helpers";

// A ceiling, not a pace: sign-ups cost ~150 ms of scrypt each, and a loaded machine stretches that.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

const freshPair = pairPool();

type RoomEvent = Extract<EventFrame, { type: "room" }>;
const roomEvent = (roomId: string, pred: (r: Room) => boolean = () => true) => (f: { type: string }): f is RoomEvent =>
  f.type === "room" && (f as RoomEvent).room.id === roomId && pred((f as RoomEvent).room);
const events = (s: Session) => connect("/api/events", s.cookie);
const memberOf = (room: Room, s: Session) => room.members.find((m) => m.id === s.user.id)!;

describe("events socket: upgrade", () => {
  const someone = lazy(() => register());

  it("opens with our Origin and a session cookie", async () => {
    const a = await someone();
    const res = await upgrade("/api/events", { cookie: a.cookie });
    expect(res.status).toBe(101);
    expect(res.webSocket).toBeTruthy();
    res.webSocket!.accept();
    res.webSocket!.close();
  });

  it.each([
    ["no Origin", { origin: null }, 403, "bad_origin"],
    ["a foreign Origin", { origin: "https://evil.example" }, 403, "bad_origin"],
    ["a look-alike Origin", { origin: `${ORIGIN}.evil.example` }, 403, "bad_origin"],
    ["no cookie", { cookie: "" }, 401, "unauthenticated"],
    ["a garbage cookie", { cookie: "session=garbage" }, 401, "unauthenticated"],
  ] as const)("refuses %s before upgrading", async (_name, opts, status, code) => {
    const a = await someone();
    const res = await upgrade("/api/events", { cookie: "cookie" in opts ? opts.cookie || undefined : a.cookie, origin: "origin" in opts ? opts.origin : undefined });
    expect(res.webSocket).toBeFalsy();
    await expectError(res, status, code);
  });

  it("checks Origin before the session", async () => {
    await expectError(await rawUpgrade("/api/events", { Origin: "https://evil.example", cookie: "session=garbage" }), 403, "bad_origin");
    await expectError(await upgrade("/api/events", { origin: null }), 403, "bad_origin");
  });

  it("answers 426 upgrade_required to a plain GET", async () => {
    const a = await someone();
    await expectError(await call("/api/events", { cookie: a.cookie, headers: { Origin: ORIGIN } }), 426, "upgrade_required");
  });

  it("answers the text `ping` with `pong`", async () => {
    const a = await someone();
    const ev = await events(a);
    const pong = nextRaw(ev.ws, (d) => d === "pong");
    ev.ws.send("ping");
    expect(await pong).toBe("pong");
    ev.close();
  });
});

/** b's room with a, and another with c, c's socket open in it. */
const twoRoomsOfB = async () => {
  const { a, b, room } = await pair();
  const c = await register();
  await befriend(b, c);
  const other = await directRoom(b, c);
  const sc = await roomSocket(other.id, c);
  return { a, b, room, other, sc };
};

describe("events socket: room events", () => {
  it("sends `room` to both members on a new message, with lastMessage and each one's unreadCount", async () => {
    const { a, b, room } = await freshPair();
    const [ea, eb] = [await events(a), await events(b)];
    const sa = await roomSocket(room.id, a);
    const msg = await sendAndAck(sa, "ev-1", "새 메시지");

    const forA = await ea.next(roomEvent(room.id, (r) => r.lastSeq === 1));
    const forB = await eb.next(roomEvent(room.id, (r) => r.lastSeq === 1));
    expect(Object.keys(forA).sort()).toEqual(["room", "type", "unread"]);
    expectRoom(forA.room);
    expectRoom(forB.room);
    expect(forA.room).toMatchObject({ id: room.id, kind: "direct", lastSeq: 1, lastMessage: msg, unreadCount: 0 });
    expect(forB.room).toMatchObject({ id: room.id, kind: "direct", lastSeq: 1, lastMessage: msg, unreadCount: 1 });
    expect(memberOf(forB.room, a).lastReadSeq).toBe(1);
    expect(memberOf(forB.room, b).lastReadSeq).toBe(0);
    for (const s of [ea, eb, sa]) s.close();
  });

  it("carries the member's unread total over all their rooms, the same as GET /api/rooms answers", async () => {
    const { a, b, room, other, sc } = await twoRoomsOfB();
    await sendAndAck(sc, "elsewhere-1");
    await sendAndAck(sc, "elsewhere-2");
    const eb = await events(b);
    const sa = await roomSocket(room.id, a);
    await sendAndAck(sa, "here-1");

    // Only one room changed, yet the frame counts B's unread in both.
    const frame = await eb.next(roomEvent(room.id, (r) => r.lastSeq === 1));
    expect(frame.room.unreadCount).toBe(1);
    expect(frame.unread.total).toBe(3);
    const listed = await chatList(b, "?limit=1");
    expect(frame.unread).toEqual(listed.unread);

    // Reading moves the total down and the version up, in the next frame.
    await call(`/api/rooms/${other.id}/read`, { method: "POST", cookie: b.cookie, json: { seq: 2 } });
    const afterRead = await eb.next(roomEvent(other.id, (r) => r.unreadCount === 0));
    expect(afterRead.unread.total).toBe(1);
    expect(afterRead.unread.version).toBeGreaterThan(frame.unread.version);
    for (const s of [eb, sa, sc]) s.close();
  });

  it("a tab opening gets the rows of rooms that changed while no tab was open, ahead of D1, and a total that counts them", async () => {
    const { a, b, room, other, sc } = await twoRoomsOfB();
    // No tab of b's is open: the room is told to stop calling b's hub, and D1 has not caught up yet.
    await sendAndAck(sc, "elsewhere-1");
    await waitFor(
      () => runInDurableObject(userHub(env, b.user.id), (_: object, state: DurableObjectState) => state.storage.kv.get(`quiet:${other.id}`) !== undefined),
      () => "b's hub to tell the room nobody listens",
    );
    const eb = await events(b);
    // Before D1 has it, the opening tab hears of it from the room itself.
    const woken = await eb.next(roomEvent(other.id, (r) => r.lastSeq === 1));
    expect(woken.room.unreadCount).toBe(1);
    expect(woken.unread.total).toBe(1);
    const sa = await roomSocket(room.id, a);
    await sendAndAck(sa, "here-1");
    expect((await eb.next(roomEvent(room.id, (r) => r.lastSeq === 1))).unread.total).toBe(2);
    for (const s of [eb, sa, sc]) s.close();
  });

  it("a tab opening again (a reload) gets the rows pushed lately, which D1's chat list may not have yet", async () => {
    const { a, b, room } = await pair();
    const first = await events(b);
    const sa = await roomSocket(room.id, a);
    await sendAndAck(sa, "before the reload");
    await first.next(roomEvent(room.id, (r) => r.lastSeq === 1));
    first.close();
    // No change since: only the hub's memory of what it pushed can bring the row.
    const second = await events(b);
    const again = await second.next(roomEvent(room.id, (r) => r.lastSeq === 1));
    expect(again.room.lastMessage).toMatchObject({ body: "text before the reload" });
    expect(again.unread.total).toBe(1);
    for (const s of [second, sa]) s.close();
  });

  it("keeps the unread count current as messages arrive", async () => {
    const { a, b, room } = await freshPair();
    const eb = await events(b);
    const sa = await roomSocket(room.id, a);
    await sendAndAck(sa, "u1");
    await sendAndAck(sa, "u2");
    const third = await sendAndAck(sa, "u3");
    const last = await eb.next(roomEvent(room.id, (r) => r.lastSeq === 3));
    expect(last.room).toMatchObject({ unreadCount: 3, lastMessage: third });
    for (const s of [eb, sa]) s.close();
  });

  it("sends `room` with unreadCount 0 to the reader after POST /api/rooms/:id/read, and the new cursor to the other member", async () => {
    const { a, b, room } = await freshPair();
    const sa = await roomSocket(room.id, a);
    await sendAndAck(sa, "r1");
    await sendAndAck(sa, "r2");
    const [ea, eb] = [await events(a), await events(b)];
    expect((await call(`/api/rooms/${room.id}/read`, { method: "POST", cookie: b.cookie, json: { seq: 2 } })).status).toBe(204);
    const forB = await eb.next(roomEvent(room.id, (r) => r.unreadCount === 0));
    expect(forB.room).toMatchObject({ id: room.id, lastSeq: 2, unreadCount: 0 });
    expect(memberOf(forB.room, b).lastReadSeq).toBe(2);
    const forA = await ea.next(roomEvent(room.id, (r) => memberOf(r, b).lastReadSeq === 2));
    expect(forA.room.unreadCount).toBe(0);
    for (const s of [ea, eb, sa]) s.close();
  });

  it("sends `room` with unreadCount 0 to the reader after a `read` frame, counting only up to the cursor", async () => {
    const { a, b, room } = await freshPair();
    const sa = await roomSocket(room.id, a);
    for (const id of ["1", "2", "3"]) await sendAndAck(sa, id);
    const eb = await events(b);
    const sb = await roomSocket(room.id, b);
    sb.send({ type: "read", seq: 1 });
    const partial = await eb.next(roomEvent(room.id, (r) => memberOf(r, b).lastReadSeq === 1));
    expect(partial.room.unreadCount).toBe(2);
    sb.send({ type: "read", seq: 3 });
    const full = await eb.next(roomEvent(room.id, (r) => memberOf(r, b).lastReadSeq === 3));
    expect(full.room.unreadCount).toBe(0);
    for (const s of [eb, sa, sb]) s.close();
  });

  it("delivers to every events socket of the user (two tabs)", async () => {
    const { a, b, room } = await freshPair();
    const [tab1, tab2] = [await events(b), await events(b)];
    const sa = await roomSocket(room.id, a);
    const msg = await sendAndAck(sa, "tabs");
    const [e1, e2] = [await tab1.next(roomEvent(room.id)), await tab2.next(roomEvent(room.id))];
    expect(e1.room).toMatchObject({ lastMessage: msg, unreadCount: 1 });
    expect(e2.room).toEqual(e1.room);
    for (const s of [tab1, tab2, sa]) s.close();
  });

  it("tells no one outside the room", async () => {
    const { a, room } = await freshPair();
    const outsider = await register();
    const eo = await events(outsider);
    const ea = await events(a);
    const sa = await roomSocket(room.id, a);
    await sendAndAck(sa, "secret");
    await ea.next(roomEvent(room.id));
    await quiet(150);
    expect(eo.frames).toEqual([]);
    for (const s of [eo, ea, sa]) s.close();
  });
});

describe("events socket: friend and me events", () => {
  it("sends `friend` only to the adder's tabs: nothing tells the added person (as in KakaoTalk)", async () => {
    const a = await register(undefined, "에이");
    const b = await register(undefined, "비");
    const c = await register();
    const outsider = await register();
    const [ea, eb, eo] = [await events(a), await events(b), await events(outsider)];
    expect((await call("/api/friends", { method: "POST", cookie: a.cookie, json: { username: b.user.username } })).status).toBe(201);
    const forA = await ea.next((f) => f.type === "friend");
    expect(forA).toEqual({ type: "friend", friend: b.user });
    expectUser((forA as { friend: User }).friend);
    // b's own add afterwards is the first `friend` frame b's tab gets: a's add sent b none.
    expect((await call("/api/friends", { method: "POST", cookie: b.cookie, json: { username: c.user.username } })).status).toBe(201);
    await eb.next((f) => f.type === "friend");
    expect(eb.ofType("friend")).toEqual([{ type: "friend", friend: c.user }]);
    expect(eo.frames).toEqual([]);
    expect(ea.ofType("friend")).toHaveLength(1);
    for (const s of [ea, eb, eo]) s.close();
  });

  it("sends no `friend` event for a refused add", async () => {
    const a = await register();
    const b = await register();
    const c = await register();
    const ea = await events(a);
    await call("/api/friends", { method: "POST", cookie: a.cookie, json: { username: b.user.username } });
    await ea.next((f) => f.type === "friend");
    await expectError(await call("/api/friends", { method: "POST", cookie: a.cookie, json: { username: b.user.username } }), 409, "already_friends");
    // The next add's frame follows the first one directly: the refused add sent none.
    await call("/api/friends", { method: "POST", cookie: a.cookie, json: { username: c.user.username } });
    await ea.next((f) => f.type === "friend" && f.friend.id === c.user.id);
    expect(ea.ofType("friend").map((f) => f.friend.id)).toEqual([b.user.id, c.user.id]);
    ea.close();
  });

  it("sends each friend's tabs a `friend` frame with the new name after PATCH /api/me, and no one else any", async () => {
    const a = await register(undefined, "옛 이름");
    const friends = [await register(), await register(), await register()];
    const outsider = await register();
    for (const f of friends) await befriend(a, f);
    const [tab1, tab2] = [await events(friends[0]!), await events(friends[0]!)];
    const others = [await events(friends[1]!), await events(friends[2]!)];
    const eo = await events(outsider);
    const renamed = { ...a.user, displayName: "새 이름" };
    expect((await call("/api/me", { method: "PATCH", cookie: a.cookie, json: { displayName: "새 이름" } })).status).toBe(200);
    const isRename = (f: { type: string; friend?: User }) => f.type === "friend" && f.friend?.displayName === "새 이름";
    for (const sock of [tab1, tab2, ...others]) expect(await sock.next(isRename)).toEqual({ type: "friend", friend: renamed });
    await quiet(100);
    expect(eo.frames).toEqual([]);
    for (const s of [tab1, tab2, ...others, eo]) s.close();
  });

  it("the rooms a member is in take their new name: the room's view and the rows pushed to the others' chat lists", async () => {
    const { a, b, room } = await pair();
    const sa = await roomSocket(room.id, a);
    await sendAndAck(sa, "before the rename");
    const eb = await events(b);
    expect((await call("/api/me", { method: "PATCH", cookie: a.cookie, json: { displayName: "바꾼 이름" } })).status).toBe(200);
    const renamed = await eb.next(roomEvent(room.id, (r) => memberOf(r, a).displayName === "바꾼 이름"));
    expect(renamed.room.lastSeq).toBe(1);
    expect(memberOf((await body<{ room: Room }>(await call(`/api/rooms/${room.id}`, { cookie: b.cookie }), 200)).room, a).displayName).toBe("바꾼 이름");
    for (const s of [sa, eb]) s.close();
  });

  it("sends `me` to every events socket of the user after PATCH /api/me", async () => {
    const a = await register();
    const [tab1, tab2] = [await events(a), await events(a)];
    const res = await call("/api/me", { method: "PATCH", cookie: a.cookie, json: { displayName: "바뀐 이름" } });
    expect(res.status).toBe(200);
    const expected = { type: "me", user: { ...a.user, displayName: "바뀐 이름" } };
    expect(await tab1.next((f) => f.type === "me")).toEqual(expected);
    expect(await tab2.next((f) => f.type === "me")).toEqual(expected);
    for (const s of [tab1, tab2]) s.close();
  });
});

describe("events socket: the hub object may be evicted at any moment", () => {
  it("keeps delivering room events to an open events socket after the user's hub is evicted", async () => {
    const { a, b, room } = await freshPair();
    const eb = await events(b);
    const sa = await roomSocket(room.id, a);
    await sendAndAck(sa, "before");
    await eb.next(roomEvent(room.id, (r) => r.lastSeq === 1));
    await evictDurableObject(env.USER_HUB.get(env.USER_HUB.idFromName(b.user.id)));
    const msg = await sendAndAck(sa, "after");
    const ev = await eb.next(roomEvent(room.id, (r) => r.lastSeq === 2));
    expect(ev.room).toMatchObject({ lastMessage: msg, unreadCount: 2 });
    for (const s of [eb, sa]) s.close();
  });
});

describe("events socket: rooms stop calling the hub of a member with no tab open", () => {
  const hubOf = (s: Session) => userHub(env, s.user.id);
  const quietSince = (s: Session, roomId: string) =>
    runInDurableObject(hubOf(s), (_hub, state) => state.storage.kv.get<number>(`quiet:${roomId}`));
  /** Past the room's 300 ms notify window, so the next change is a fresh call, not a coalesced one. */
  const pastNotifyWindow = () => quiet(400);

  it("asks once, skips that hub afterwards, and a tab opening wakes the room so no change is missed", async () => {
    const { a, b, room } = await freshPair();
    const sa = await roomSocket(room.id, a);
    await sendAndAck(sa, "q-1");
    await vi.waitFor(async () => expect(await quietSince(b, room.id)).toBeTypeOf("number"));
    const firstAnswer = await quietSince(b, room.id);

    await pastNotifyWindow();
    await sendAndAck(sa, "q-2");
    await pastNotifyWindow();
    // Every call to a hub with no tab rewrites the entry: an unchanged one means the room skipped it.
    expect(await quietSince(b, room.id)).toBe(firstAnswer);

    const eb = await events(b);
    expect(await quietSince(b, room.id)).toBeUndefined();
    const msg = await sendAndAck(sa, "q-3");
    const ev = await eb.next(roomEvent(room.id, (r) => r.lastSeq === 3));
    expect(ev.room).toMatchObject({ lastMessage: msg, unreadCount: 3 });
    for (const s of [eb, sa]) s.close();
  });

  it("once every member's hub is quiet, a change opens no notify window (no timer per change), and a tab opening still hears the next one", async () => {
    const { a, b, room } = await freshPair();
    const sa = await roomSocket(room.id, a);
    await sendAndAck(sa, "w-1");
    await vi.waitFor(async () => {
      expect(await quietSince(a, room.id)).toBeTypeOf("number");
      expect(await quietSince(b, room.id)).toBeTypeOf("number");
    });
    const windowOpen = () =>
      runInDurableObject(chatRoom(env, room.id), (instance: object) => (instance as unknown as { chatLists: { windowEnd: number } }).chatLists.windowEnd > Date.now());
    await vi.waitFor(async () => expect(await windowOpen()).toBe(false));

    await sendAndAck(sa, "w-2");
    expect(await windowOpen()).toBe(false);

    const eb = await events(b);
    const msg = await sendAndAck(sa, "w-3");
    expect((await eb.next(roomEvent(room.id, (r) => r.lastSeq === 3))).room.lastMessage).toEqual(msg);
    expect(await windowOpen()).toBe(true);
    for (const s of [eb, sa]) s.close();
  });

  it("a room evicted after a quiet answer has forgotten it and calls the hub again: nothing is missed", async () => {
    const { a, b, room } = await freshPair();
    const sa = await roomSocket(room.id, a);
    await sendAndAck(sa, "s-1");
    await vi.waitFor(async () => expect(await quietSince(b, room.id)).toBeTypeOf("number"));
    await evictDurableObject(chatRoom(env, room.id));
    const sa2 = await roomSocket(room.id, a);
    const eb = await events(b);
    const msg = await sendAndAck(sa2, "s-2");
    expect((await eb.next(roomEvent(room.id, (r) => r.lastSeq === 2))).room.lastMessage).toEqual(msg);
    for (const s of [eb, sa, sa2]) s.close();
  });

  it("a quiet answer lets a room skip the hub for 4 to 6 minutes, spread per answer so rooms do not re-ask in step", async () => {
    const { b, room } = await pair();
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => hubOf(b).roomChanged(`quiet-room-${i}`, { ...room, id: `quiet-room-${i}` })));
    for (const ms of answers) expect(ms).toSatisfy((n: number) => n >= 240_000 && n <= 360_000);
    expect(new Set(answers).size).toBeGreaterThan(1);
  });

  it("closes a new events socket with 1013 when a quiet room cannot be told, and tells it on the next try", async () => {
    const b = await register();
    const told: string[] = [];
    let reachable = false;
    await runInDurableObject(hubOf(b), (hub: object, state) => {
      state.storage.kv.put("quiet:room-far-away", Date.now());
      const hub_ = hub as unknown as { env: Env };
      const rooms = {
        getByName: (name: string) => ({
          hubListening: async (userId: string) => {
            if (!reachable) throw new Error("room unreachable");
            told.push(`${name}:${userId}`);
          },
        }),
      };
      Object.assign(hub_, { env: { ...hub_.env, CHAT_ROOM: rooms } });
    });
    const refused = await events(b);
    expect(await refused.waitClosed()).toMatchObject({ code: 1013 });
    expect(await quietSince(b, "room-far-away")).toBeTypeOf("number");

    reachable = true;
    const eb = await events(b);
    await vi.waitFor(async () => expect(await quietSince(b, "room-far-away")).toBeUndefined());
    expect(told).toEqual([`room-far-away:${b.user.id}`]);
    expect(eb.closed).toBeNull();
    eb.close();
    await evictDurableObject(hubOf(b));
  });

  it("does not believe a quiet answer that crossed a wake-up from the same member", async () => {
    const { a, b, room } = await freshPair();
    const sa = await roomSocket(room.id, a);
    await sendAndAck(sa, "x-1");
    await vi.waitFor(async () => expect(await quietSince(b, room.id)).toBeTypeOf("number"));
    // Stand in for the crossing: the hub's quiet answer is still on its way when the tab's wake-up lands.
    const crossed = await runInDurableObject(chatRoom(env, room.id), async (instance: object) => {
      const notifier = (instance as unknown as { chatLists: { env: Env; quietHubs: Map<string, number>; hubListening(id: string): void; notifyMembers(): Promise<void> } })
        .chatLists;
      const realHubs = notifier.env.USER_HUB;
      const crossing = {
        getByName: (userId: string) => ({
          roomChanged: async () => {
            if (userId === b.user.id) notifier.hubListening(userId);
            return 60_000;
          },
        }),
      };
      notifier.quietHubs.clear();
      Object.assign(notifier, { env: { ...notifier.env, USER_HUB: crossing } });
      try {
        await notifier.notifyMembers();
      } finally {
        Object.assign(notifier, { env: { ...notifier.env, USER_HUB: realHubs } });
      }
      return { a: notifier.quietHubs.has(a.user.id), b: notifier.quietHubs.has(b.user.id) };
    });
    expect(crossed).toEqual({ a: true, b: false });
    sa.close();
  });
});

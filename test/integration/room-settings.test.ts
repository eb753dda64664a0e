/**
 * `PUT /api/rooms/:id/settings` (docs/api.md): a member's own 알림 끄기 and 상단 고정, in every view
 * of the room (the object's and D1's chat list), and the chat list's pinned-first order and paging.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Room } from "../../worker/contract";
import { ISO, body, chatList, expectError, expectRoom } from "./contract-helpers";
import { befriendAll, call, connect, directRoom, pair, register } from "./harness";
import { put, say, settle } from "./list-control-helpers";
import { d1CaughtUp, inRoom } from "./room-log-helpers";

const d1Flags = (roomId: string, userId: string) =>
  env.DB.prepare("SELECT muted, pinned_at FROM room_members WHERE room_id = ? AND user_id = ?").bind(roomId, userId).first<{ muted: number; pinned_at: number | null }>();

describe("PUT /api/rooms/:id/settings", () => {
  it("mutes for the caller only, in D1, in the object's mirror and in every view", async () => {
    const { a, b, room } = await pair();
    await say(room.id, b, "hello");
    const muted = await settle(room.id, a, { muted: true });
    expectRoom(muted);
    expect(muted).toMatchObject({ id: room.id, muted: true, pinnedAt: null });
    expect(await d1Flags(room.id, a.user.id)).toEqual({ muted: 1, pinned_at: null });
    expect(await inRoom(room.id, ({ log }) => log.member(a.user.id)?.muted)).toBe(true);
    expect((await body<{ room: Room }>(await call(`/api/rooms/${room.id}`, { cookie: a.cookie }), 200)).room.muted).toBe(true);
    expect((await chatList(a)).rooms.find((r) => r.id === room.id)?.muted).toBe(true);
    // The other member's flags are theirs.
    expect((await chatList(b)).rooms.find((r) => r.id === room.id)?.muted).toBe(false);
    // Unread still counts in a muted room.
    await say(room.id, b, "still counted");
    expect((await chatList(a)).rooms.find((r) => r.id === room.id)?.unreadCount).toBe(2);
    expect((await settle(room.id, a, { muted: false })).muted).toBe(false);
    expect(await d1Flags(room.id, a.user.id)).toEqual({ muted: 0, pinned_at: null });
  });

  it("pins with the time of the first pin (pinning again keeps it), unpins, and leaves muted alone", async () => {
    const { a, room } = await pair();
    await settle(room.id, a, { muted: true });
    const pinned = await settle(room.id, a, { pinned: true });
    expect(pinned.pinnedAt).toMatch(ISO);
    expect(pinned.muted).toBe(true);
    const again = await settle(room.id, a, { pinned: true });
    expect(again.pinnedAt).toBe(pinned.pinnedAt);
    expect((await d1Flags(room.id, a.user.id))?.pinned_at).toBe(Date.parse(pinned.pinnedAt!));
    const unpinned = await settle(room.id, a, { pinned: false });
    expect(unpinned).toMatchObject({ pinnedAt: null, muted: true });
    expect(await inRoom(room.id, ({ log }) => log.member(a.user.id)?.pinnedAt)).toBeNull();
  });

  it("grows the room's version, so the change wins over older views; the caller's events socket gets the row", async () => {
    const { a, b, room } = await pair();
    await say(room.id, b, "hi");
    const events = await connect("/api/events", a.cookie);
    const before = (await body<{ room: Room }>(await call(`/api/rooms/${room.id}`, { cookie: a.cookie }), 200)).room;
    const after = await settle(room.id, a, { pinned: true });
    expect(after.version).toBeGreaterThan(before.version);
    const frame = await events.next((f) => f.type === "room" && f.room.id === room.id && f.room.pinnedAt !== null);
    expect(frame).toMatchObject({ type: "room", room: { id: room.id, pinnedAt: after.pinnedAt, version: after.version } });
    events.close();
    // D1's copy catches up with the object's version (never ahead of it).
    await d1CaughtUp(room.id);
    const d1 = await env.DB.prepare("SELECT version FROM rooms WHERE id = ?").bind(room.id).first<{ version: number }>();
    expect(d1?.version).toBe(after.version);
  });

  it("answers 400 invalid to a bad body, 404 to a stranger, 401 without a session", async () => {
    const { a, room } = await pair();
    const path = `/api/rooms/${room.id}/settings`;
    await expectError(await put(path, a, {}), 400, "invalid");
    await expectError(await put(path, a, { muted: "yes" }), 400, "invalid", ["muted"]);
    await expectError(await put(path, a, { pinned: 1 }), 400, "invalid", ["pinned"]);
    await expectError(await put(path, a, { muted: true, starred: true }), 400, "invalid");
    await expectError(await put(path, await register(), { muted: true }), 404, "room_not_found");
    await expectError(await put(`/api/rooms/${crypto.randomUUID()}/settings`, a, { muted: true }), 404, "room_not_found");
    await expectError(await put(path, null, { muted: true }), 401, "unauthenticated");
    expect(await d1Flags(room.id, a.user.id)).toEqual({ muted: 0, pinned_at: null });
  });
});

describe("GET /api/rooms with pinned rooms", () => {
  /** A user with five 1:1 rooms, r[0] the oldest activity, r[4] the newest. */
  const fiveRooms = async () => {
    const me = await register();
    const friends = await Promise.all(Array.from({ length: 5 }, () => register()));
    await befriendAll(me, friends);
    const r: Room[] = [];
    for (const f of friends) {
      const room = await directRoom(me, f);
      await say(room.id, f, "hi");
      r.push(room);
    }
    return { me, friends, r };
  };

  it("lists pinned rooms first, newest pin first, whatever is said in them; then the rest by activity", async () => {
    const { me, friends, r } = await fiveRooms();
    await settle(r[1]!.id, me, { pinned: true });
    await settle(r[3]!.id, me, { pinned: true });
    await say(r[1]!.id, friends[1]!, "news in the older pin");
    const ids = (await chatList(me)).rooms.map((x) => x.id);
    expect(ids).toEqual([r[3], r[1], r[4], r[2], r[0]].map((x) => x!.id));
    await settle(r[3]!.id, me, { pinned: false });
    expect((await chatList(me)).rooms.map((x) => x.id)).toEqual([r[1], r[4], r[3], r[2], r[0]].map((x) => x!.id));
  });

  it("pages through pinned then unpinned rooms without repeating or losing one, at every page size", async () => {
    const { me, r } = await fiveRooms();
    await settle(r[0]!.id, me, { pinned: true });
    await settle(r[2]!.id, me, { pinned: true });
    const whole = (await chatList(me)).rooms.map((x) => x.id);
    expect(whole).toEqual([r[2], r[0], r[4], r[3], r[1]].map((x) => x!.id));
    for (const limit of [1, 2, 3]) {
      const seen: string[] = [];
      let page = await chatList(me, `?limit=${limit}`);
      seen.push(...page.rooms.map((x) => x.id));
      while (page.nextCursor) {
        page = await chatList(me, `?limit=${limit}&before=${encodeURIComponent(page.nextCursor)}`);
        expect(page.rooms.length).toBeLessThanOrEqual(limit);
        seen.push(...page.rooms.map((x) => x.id));
      }
      expect(seen).toEqual(whole);
    }
  });

  it("refuses a cursor it did not make", async () => {
    const { a } = await pair();
    await expectError(await call("/api/rooms?limit=2&before=q12.x", { cookie: a.cookie }), 400, "invalid", ["before"]);
  });
});

import { describe, expect, it } from "vitest";
import type { Message, Room } from "../../../worker/contract";
import { chatListOf, isStale, listKeyOf, newestFirst } from "./rooms";

const message = (seq: number, sentAt: string): Message => ({ id: `m${seq}`, roomId: "r", seq, senderId: "you", body: "hi", sentAt, clientId: `c${seq}`, kind: "text" });

/** A view of a room; its version is its seq unless given (the server raises it on reads and membership too). */
const room = (id: string, lastSeq: number, sentAt: string | null, cursors: [number, number] = [0, 0], version = lastSeq): Room => ({
  id,
  kind: "direct",
  title: null,
  members: [
    { id: "me", username: "me", displayName: "Me", lastReadSeq: cursors[0], joinedSeq: 0 },
    { id: "you", username: "you", displayName: "You", lastReadSeq: cursors[1], joinedSeq: 0 },
  ],
  memberCount: 2,
  lastMessage: sentAt ? message(lastSeq, sentAt) : null,
  lastSeq,
  unreadCount: 0,
  version,
  muted: false,
  pinnedAt: null,
});

describe("chatListOf", () => {
  it("orders by the latest message, newest first, and leaves out rooms without messages", () => {
    const list = chatListOf([
      room("a", 3, "2026-11-24T06:00:00.000Z"),
      room("empty", 0, null),
      room("b", 9, "2026-11-24T07:30:00.000Z"),
      room("c", 1, "2025-01-01T00:00:00.000Z"),
    ]);
    expect(list.map((r) => r.id)).toEqual(["b", "a", "c"]);
  });

  it("breaks a tie by id, so the order is stable", () => {
    const at = "2026-11-24T06:00:00.000Z";
    expect([room("x", 1, at), room("y", 1, at)].sort(newestFirst).map((r) => r.id)).toEqual(["y", "x"]);
    expect([room("y", 1, at), room("x", 1, at)].sort(newestFirst).map((r) => r.id)).toEqual(["y", "x"]);
  });
});

describe("chatListOf with pinned rooms", () => {
  const pinned = (r: Room, pinnedAt: string): Room => ({ ...r, pinnedAt });

  it("puts pinned rooms first, newest pin first whatever their activity, then the rest by activity", () => {
    const list = chatListOf([
      room("active", 5, "2026-11-24T09:00:00.000Z"),
      pinned(room("old-pin", 1, "2026-11-24T08:59:00.000Z"), "2026-11-01T00:00:00.000Z"),
      pinned(room("new-pin", 1, "2025-01-01T00:00:00.000Z"), "2026-11-02T00:00:00.000Z"),
      room("quiet", 1, "2026-11-20T00:00:00.000Z"),
    ]);
    expect(list.map((r) => r.id)).toEqual(["new-pin", "old-pin", "active", "quiet"]);
  });

  it("holds back, below the loaded end in a pinned section, every unpinned room", () => {
    const a = pinned(room("a", 1, "2026-11-24T08:00:00.000Z"), "2026-11-02T00:00:00.000Z");
    const b = room("b", 1, "2026-11-24T09:00:00.000Z");
    expect(chatListOf([a, b], listKeyOf(a)).map((r) => r.id)).toEqual(["a"]);
  });
});

describe("chatListOf with the end of the loaded pages", () => {
  const rooms = [
    room("newest", 3, "2026-11-24T08:00:00.000Z"),
    room("m-end", 2, "2026-11-24T07:00:00.000Z"),
    room("b-same-time", 2, "2026-11-24T07:00:00.000Z"),
    room("older", 1, "2026-11-23T07:00:00.000Z"),
  ];

  it("shows the rooms down to the last loaded one, and holds back those below it until their page comes", () => {
    const end = listKeyOf(rooms[1]!);
    expect(chatListOf(rooms, end).map((r) => r.id)).toEqual(["newest", "m-end"]);
  });

  it("shows everything when every page is loaded", () => {
    expect(chatListOf(rooms, null).map((r) => r.id)).toEqual(["newest", "m-end", "b-same-time", "older"]);
  });

  it("orders ids by code unit, as the server does, not by locale", () => {
    const at = "2026-11-24T06:00:00.000Z";
    // SQLite puts "B" below "a" (0x42 < 0x61); a locale compare would put it above.
    expect([room("B", 1, at), room("a", 1, at)].sort(newestFirst).map((r) => r.id)).toEqual(["a", "B"]);
  });
});

describe("isStale: an older view never replaces a newer one", () => {
  const at = "2026-11-24T06:00:00.000Z";
  it("anything replaces nothing", () => {
    expect(isStale(room("a", 1, at), undefined)).toBe(false);
  });

  it("a lower version is stale, a higher one is not", () => {
    expect(isStale(room("a", 4, at), room("a", 5, at))).toBe(true);
    expect(isStale(room("a", 6, at), room("a", 5, at))).toBe(false);
  });

  it("orders by the server's version, not by seq: a member who joined or a rename is newer at the same seq", () => {
    expect(isStale(room("a", 5, at, [0, 0], 7), room("a", 5, at, [0, 0], 8))).toBe(true);
    expect(isStale(room("a", 5, at, [0, 0], 9), room("a", 5, at, [5, 5], 8))).toBe(false);
  });

  it("at the same version, cursors that moved back are stale (a read made here overtaken by an older answer)", () => {
    expect(isStale(room("a", 5, at, [3, 5]), room("a", 5, at, [5, 5]))).toBe(true);
    expect(isStale(room("a", 5, at, [5, 5]), room("a", 5, at, [3, 5]))).toBe(false);
    expect(isStale(room("a", 5, at, [5, 5]), room("a", 5, at, [5, 5]))).toBe(false);
  });
});

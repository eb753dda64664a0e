/**
 * The chat list's order and how two views of one room are reconciled. HTTP answers and events
 * frames can overtake each other, so a room view is only ever replaced by a newer one.
 */
import type { Room } from "../../../worker/contract";

/**
 * A room's place in the chat list (the server's order too): pinned rooms first, newest pin first;
 * then the rest by last activity; then the id.
 */
export interface ListKey {
  /** "" when not pinned. */
  pinnedAt: string;
  sentAt: string;
  id: string;
}

export const listKeyOf = (room: Room): ListKey => ({ pinnedAt: room.pinnedAt ?? "", sentAt: room.lastMessage?.sentAt ?? "", id: room.id });

// Code-unit order, as SQLite compares ids; ISO times of one format compare the same way.
const desc = (a: string, b: string) => (a < b ? 1 : a > b ? -1 : 0);
// A pinned room keeps its place whatever is said in it: activity orders the unpinned only.
const compareKeys = (a: ListKey, b: ListKey) => desc(a.pinnedAt, b.pinnedAt) || (a.pinnedAt ? 0 : desc(a.sentAt, b.sentAt)) || desc(a.id, b.id);

/** Pinned first, then latest activity first; ties (same instant) broken by id so the order never flickers. */
export const newestFirst = (a: Room, b: Room): number => compareKeys(listKeyOf(a), listKeyOf(b));

/**
 * The chat list: rooms with at least one message, latest activity first. With `end` (the last room
 * of the pages loaded so far) rooms that sort below it wait for their page: one known only from an
 * event would otherwise show up past a gap of rooms not loaded yet.
 */
export const chatListOf = (rooms: Iterable<Room>, end?: ListKey | null): Room[] =>
  [...rooms].filter((r) => r.lastMessage && (!end || compareKeys(listKeyOf(r), end) <= 0)).sort(newestFirst);

/** Read cursors only move forward: of two views of one version, a read made here (readLocally) is the newer. */
const cursorSum = (room: Room) => room.members.reduce((sum, m) => sum + m.lastReadSeq, 0);

/**
 * True when `incoming` is an older view of the room than `current` and must not replace it: the
 * server's room version orders its views (a message, a read, members, title each raise it).
 */
export const isStale = (incoming: Room, current: Room | undefined): boolean =>
  current !== undefined &&
  (incoming.version < current.version || (incoming.version === current.version && cursorSum(incoming) < cursorSum(current)));

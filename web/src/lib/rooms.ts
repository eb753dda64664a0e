/**
 * The chat list's order and how two views of one room are reconciled. HTTP answers and events
 * frames can overtake each other, so a room view is only ever replaced by a newer one.
 */
import type { Room } from "../../../worker/contract";

/** Latest activity first; ties (same instant) broken by id so the order never flickers. */
export const newestFirst = (a: Room, b: Room): number =>
  (b.lastMessage?.sentAt ?? "").localeCompare(a.lastMessage?.sentAt ?? "") || b.id.localeCompare(a.id);

/** The chat list: rooms with at least one message, latest activity first. */
export const chatListOf = (rooms: Iterable<Room>): Room[] => [...rooms].filter((r) => r.lastMessage).sort(newestFirst);

/** Read cursors only move forward, so their sum orders two views of a room with the same last message. */
const cursorSum = (room: Room) => room.members.reduce((sum, m) => sum + m.lastReadSeq, 0);

/** True when `incoming` is an older view of the room than `current` and must not replace it. */
export const isStale = (incoming: Room, current: Room | undefined): boolean =>
  current !== undefined &&
  (incoming.lastSeq < current.lastSeq || (incoming.lastSeq === current.lastSeq && cursorSum(incoming) < cursorSum(current)));

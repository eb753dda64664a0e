/**
 * The unread arithmetic the screens show. Pure, so it is tested on its own.
 * - beside each message: how many other members have not read it (`unreadCountOf` in the contract);
 * - on a chat-list row: the room's `unreadCount` (the server's count for the caller);
 * - on the tab bar and in the title: the server's total over all rooms (the chat list may hold only
 *   its first pages), less what this device read and the server has not confirmed yet; `999+` past 999.
 */
import type { Room, UnreadTotal } from "../../../worker/contract";

/** The server's total less the unconfirmed local reads, never below 0. */
export const shownTotal = (server: UnreadTotal | null, unconfirmedDrops: Iterable<number>): number => {
  let n = server?.total ?? 0;
  for (const drop of unconfirmedDrops) n -= drop;
  return Math.max(0, n);
};

/** Of two totals the one with the higher version is the newer (docs/api.md), however they arrived. */
export const newerTotal = (incoming: UnreadTotal, current: UnreadTotal | null): UnreadTotal =>
  current === null || incoming.version >= current.version ? incoming : current;

/** What a badge shows: the count, or `999+` past 999. */
export const badgeText = (n: number): string => (n > 999 ? "999+" : String(n));

/**
 * A room as the reader sees it right after reading up to `seq` on this device: its unread count
 * drops to what is still above `seq` and my cursor moves forward (never back). The server's
 * `room` event confirms it a moment later.
 */
export const readLocally = (room: Room, meId: string, seq: number): Room => {
  const mine = room.members.find((m) => m.id === meId);
  if (!mine || mine.lastReadSeq >= seq) return room;
  const left = room.lastSeq > seq ? Math.min(room.unreadCount, room.lastSeq - seq) : 0;
  return {
    ...room,
    unreadCount: left,
    members: room.members.map((m) => (m.id === meId ? { ...m, lastReadSeq: seq } : m)),
  };
};

/** How much reading up to `seq` here lowers the count in `server`, the newest view the server sent of the room. */
export const unconfirmedDrop = (server: Room, meId: string, seq: number): number => server.unreadCount - readLocally(server, meId, seq).unreadCount;

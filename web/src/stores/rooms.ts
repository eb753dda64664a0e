import { createMemo, createSignal } from "solid-js";
import type { Room, RoomsPage, UnreadTotal, User } from "../../../worker/contract";
import { api } from "../api/endpoints";
import { chatListOf, isStale, type ListKey, listKeyOf } from "../lib/rooms";
import { newerTotal, readLocally, shownTotal, unconfirmedDrop } from "../lib/unread";
import type { LoadState } from "./friends";
import { onSignedOut } from "./session";

/** A read made on this device that the server has not confirmed yet, with the newest server view of its room. */
interface UnconfirmedRead {
  meId: string;
  seq: number;
  server: Room;
  readAt: number;
}

/** Every room we know of by id, including ones opened but still empty (the chat list hides those). */
const [roomMap, setRoomMap] = createSignal<ReadonlyMap<string, Room>>(new Map());
const [roomsState, setRoomsState] = createSignal<LoadState>("idle");
/** The list is read in pages: where the loaded ones end and the cursor to the next; null once all are in. */
const [listEnd, setListEnd] = createSignal<{ cursor: string; key: ListKey } | null>(null);
const [moreState, setMoreState] = createSignal<"idle" | "loading" | "error">("idle");
/** Re-reads from the top under way: each sets where the list ends, so no page is loaded below meanwhile. */
const [reloads, setReloads] = createSignal(0);
const [unread, setUnread] = createSignal<UnreadTotal | null>(null);
const [unconfirmed, setUnconfirmed] = createSignal<ReadonlyMap<string, UnconfirmedRead>>(new Map());
/** Bumped on sign-out, so an answer still in flight for the previous user is dropped. */
let generation = 0;
/** Bumped when a re-read sets where the list ends: a page asked for below the old end is not appended. */
let endVersion = 0;

export { moreState as moreRoomsState, roomsState };

/** The chat list: rooms with a message, latest activity first, down to the last loaded page. */
export const chatList = createMemo(() => chatListOf(roomMap().values(), listEnd()?.key));

export const hasMoreRooms = (): boolean => listEnd() !== null;

/** Unread over all rooms, loaded or not (the tab bar and the title). */
export const totalUnread = createMemo(() =>
  shownTotal(unread(), [...unconfirmed().values()].map((r) => unconfirmedDrop(r.server, r.meId, r.seq))),
);

export const roomById = (id: string): Room | undefined => roomMap().get(id);

/** Server views (HTTP answers, events), each room kept at its newest seen state. */
const mergeRooms = (rooms: readonly Room[]): void => {
  setRoomMap((map) => {
    let next: Map<string, Room> | undefined;
    for (const room of rooms) {
      if (isStale(room, (next ?? map).get(room.id))) continue;
      next ??= new Map(map);
      next.set(room.id, room);
    }
    return next ?? map;
  });
  // A view with my cursor at or past a local read is the server confirming it: its total counts it
  // now. Any other newer view is what the server's total counts for that room until then.
  setUnconfirmed((reads) => {
    let next: Map<string, UnconfirmedRead> | undefined;
    for (const room of rooms) {
      const read = reads.get(room.id);
      if (!read || isStale(room, read.server)) continue;
      next ??= new Map(reads);
      if ((room.members.find((m) => m.id === read.meId)?.lastReadSeq ?? 0) >= read.seq) next.delete(room.id);
      else next.set(room.id, { ...read, server: room });
    }
    return next ?? reads;
  });
};

export const upsertRoom = (room: Room, total?: UnreadTotal): void => {
  mergeRooms([room]);
  if (total) setUnread((current) => newerTotal(total, current));
};

/** A room I left (here or in another tab): gone from the list, with the server's new total when told. */
export const removeRoom = (roomId: string, total?: UnreadTotal): void => {
  if (roomMap().has(roomId)) {
    setRoomMap((map) => {
      const next = new Map(map);
      next.delete(roomId);
      return next;
    });
  }
  setUnconfirmed((reads) => {
    if (!reads.has(roomId)) return reads;
    const next = new Map(reads);
    next.delete(roomId);
    return next;
  });
  if (total) setUnread((current) => newerTotal(total, current));
};

/**
 * A member's new profile (a friend renamed): their rows show it now. Only the name changes, not the
 * room's seq or cursors, so this is no newer view of the room and bypasses the staleness check.
 */
export const renameMember = (user: User): void => {
  setRoomMap((map) => {
    let next: Map<string, Room> | undefined;
    for (const room of map.values()) {
      const held = room.members.find((m) => m.id === user.id);
      if (!held || (held.displayName === user.displayName && held.username === user.username)) continue;
      next ??= new Map(map);
      const members = room.members.map((m) => (m.id === user.id ? { ...m, displayName: user.displayName, username: user.username } : m));
      next.set(room.id, { ...room, members });
    }
    return next ?? map;
  });
};

/** The chat list and the counts drop at once when I read here, rather than after the server's round trip. */
export const readRoomLocally = (roomId: string, meId: string, seq: number): void => {
  const current = roomMap().get(roomId);
  if (!current) return;
  const read = readLocally(current, meId, seq);
  if (read === current) return;
  setRoomMap((map) => new Map(map).set(roomId, read));
  // Without an unconfirmed read the shown view is the server's; with one, the server's is kept there.
  setUnconfirmed((reads) => new Map(reads).set(roomId, { meId, seq, server: reads.get(roomId)?.server ?? current, readAt: Date.now() }));
};

const takePage = (page: RoomsPage): void => {
  mergeRooms(page.rooms);
  setUnread((current) => newerTotal(page.unread, current));
};

const endOf = (page: RoomsPage) => {
  const last = page.rooms.at(-1);
  return page.nextCursor && last ? { cursor: page.nextCursor, key: listKeyOf(last) } : null;
};

/**
 * (Re)reads the list from the top, as far down as it is shown now, so a reconnect refreshes every
 * visible row without losing the user's place. Rows of later pages are read again when scrolled to.
 */
export const loadRooms = async (): Promise<void> => {
  const mine = generation;
  const startedAt = Date.now();
  const wanted = Math.max(1, chatList().length);
  if (roomsState() !== "ready") setRoomsState("loading");
  setMoreState("idle");
  setReloads((n) => n + 1);
  // Two re-reads may overlap (the screen's and the events socket's): both answers are good, and
  // the first one shows without waiting for the second.
  try {
    let page = await api.roomsPage();
    let loaded = page.rooms.length;
    if (mine !== generation) return;
    takePage(page);
    while (page.nextCursor && loaded < wanted) {
      page = await api.roomsPage(page.nextCursor);
      if (mine !== generation) return;
      takePage(page);
      loaded += page.rooms.length;
    }
    endVersion++;
    setListEnd(endOf(page));
    // A local read older than this answer that it does not reflect was lost on the way: trust the server.
    setUnconfirmed((reads) => new Map([...reads].filter(([, read]) => read.readAt >= startedAt)));
    setRoomsState("ready");
  } catch {
    if (mine === generation && roomsState() !== "ready") setRoomsState("error");
  } finally {
    if (mine === generation) setReloads((n) => n - 1);
  }
};

/** The next page below the loaded ones (the list scrolled near its end). */
export const loadMoreRooms = async (): Promise<void> => {
  const end = listEnd();
  if (!end || moreState() === "loading" || roomsState() !== "ready" || reloads() > 0) return;
  const mine = generation;
  const version = endVersion;
  setMoreState("loading");
  try {
    const page = await api.roomsPage(end.cursor);
    if (mine !== generation) return;
    takePage(page);
    if (version === endVersion) setListEnd(endOf(page));
    setMoreState("idle");
  } catch {
    if (mine === generation) setMoreState("error");
  }
};

onSignedOut(() => {
  generation++;
  setRoomMap(new Map());
  setRoomsState("idle");
  setListEnd(null);
  setMoreState("idle");
  setReloads(0);
  setUnread(null);
  setUnconfirmed(new Map());
});

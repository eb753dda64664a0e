import { createMemo, createSignal } from "solid-js";
import type { Room } from "../../../worker/contract";
import { api } from "../api/endpoints";
import type { LoadState } from "./friends";
import { onSignedOut } from "./session";

/** Every room we know of by id, including ones opened but still empty (the chat list hides those). */
const [roomMap, setRoomMap] = createSignal<ReadonlyMap<string, Room>>(new Map());
const [roomsState, setRoomsState] = createSignal<LoadState>("idle");
/** Bumped on sign-out, so an answer still in flight for the previous user is dropped. */
let generation = 0;

export { roomsState };

const newestFirst = (a: Room, b: Room) =>
  (b.lastMessage?.sentAt ?? "").localeCompare(a.lastMessage?.sentAt ?? "") || b.id.localeCompare(a.id);

/** The chat list: rooms with a message, latest activity first. */
export const chatList = createMemo(() => [...roomMap().values()].filter((r) => r.lastMessage).sort(newestFirst));

export const totalUnread = createMemo(() => chatList().reduce((sum, room) => sum + room.unreadCount, 0));

export const roomById = (id: string): Room | undefined => roomMap().get(id);

/** Read cursors only move forward, so their sum orders two views of a room with the same last message. */
const cursorSum = (room: Room) => room.members.reduce((sum, m) => sum + m.lastReadSeq, 0);

/** Answers and frames can overtake each other: never let an older view of a room replace a newer one. */
const isStale = (incoming: Room, current: Room | undefined) =>
  current !== undefined &&
  (incoming.lastSeq < current.lastSeq || (incoming.lastSeq === current.lastSeq && cursorSum(incoming) < cursorSum(current)));

export const upsertRoom = (room: Room): void => {
  setRoomMap((map) => {
    if (isStale(room, map.get(room.id))) return map;
    const next = new Map(map);
    next.set(room.id, room);
    return next;
  });
};

/** Loaded rooms are merged into what live frames brought, each room kept at its newest seen state. */
export const loadRooms = async (): Promise<void> => {
  const started = generation;
  if (roomsState() !== "ready") setRoomsState("loading");
  try {
    const rooms = await api.rooms();
    if (started !== generation) return;
    setRoomMap((map) => {
      const next = new Map(map);
      for (const room of rooms) if (!isStale(room, next.get(room.id))) next.set(room.id, room);
      return next;
    });
    setRoomsState("ready");
  } catch {
    if (started === generation && roomsState() !== "ready") setRoomsState("error");
  }
};

onSignedOut(() => {
  generation++;
  setRoomMap(new Map());
  setRoomsState("idle");
});

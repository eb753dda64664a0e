import { createMemo, createSignal } from "solid-js";
import type { Room } from "../../../worker/contract";
import { api } from "../api/endpoints";
import { chatListOf, isStale } from "../lib/rooms";
import { totalUnread as sumUnread } from "../lib/unread";
import type { LoadState } from "./friends";
import { onSignedOut } from "./session";

/** Every room we know of by id, including ones opened but still empty (the chat list hides those). */
const [roomMap, setRoomMap] = createSignal<ReadonlyMap<string, Room>>(new Map());
const [roomsState, setRoomsState] = createSignal<LoadState>("idle");
/** Bumped on sign-out, so an answer still in flight for the previous user is dropped. */
let generation = 0;

export { roomsState };

/** The chat list: rooms with a message, latest activity first. */
export const chatList = createMemo(() => chatListOf(roomMap().values()));

export const totalUnread = createMemo(() => sumUnread(chatList()));

export const roomById = (id: string): Room | undefined => roomMap().get(id);

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

import { HttpError } from "../api/client";
import { api } from "../api/endpoints";
import { sendOrder } from "../lib/outbox";
import { dropEntries, readOutbox, refuseStoredEntries, roomsWithPending } from "./outbox";
import { onSignedOut } from "./session";

/** How often pending messages of rooms not open here are looked for. */
const EVERY_MS = 5_000;
/** A room open in another tab sends its own outbox within moments; only what waits longer is sent from here. */
const WAITING_MS = 10_000;

/** Rooms this tab has open (with their socket sending their outbox), counted per session. */
const open = new Map<string, number>();

/** Marks a room open in this tab until the returned function is called. */
export const openHere = (roomId: string): (() => void) => {
  open.set(roomId, (open.get(roomId) ?? 0) + 1);
  return () => {
    const n = open.get(roomId)! - 1;
    if (n === 0) open.delete(roomId);
    else open.set(roomId, n);
  };
};

/**
 * Sends one room's waiting messages over HTTP, one after another in the order written, each
 * naming the one before it. Stops at the first that does not go: it and those after it wait for
 * the next round (or for the room to be opened).
 */
const drainRoom = async (meId: string, roomId: string): Promise<void> => {
  const order = sendOrder(readOutbox(meId, roomId));
  if (order.length === 0 || Date.now() - order[0]!.entry.createdAt < WAITING_MS) return;
  for (const { entry, after } of order) {
    try {
      await api.send(roomId, { clientId: entry.clientId, body: entry.body, ...(after !== undefined && { after }) });
    } catch (err) {
      // Refused for good (the body, or a room we are no longer in): out of the order, retry by hand.
      if (err instanceof HttpError && (err.status === 400 || err.status === 404)) refuseStoredEntries(meId, roomId, new Set([entry.clientId]));
      return;
    }
    // Every tab with this room open hears of it through the storage event.
    dropEntries(meId, roomId, new Set([entry.clientId]));
  }
};

let draining = false;

const drainAll = async (meId: string) => {
  if (draining) return;
  draining = true;
  try {
    for (const roomId of roomsWithPending(meId)) if (!open.has(roomId)) await drainRoom(meId, roomId);
  } finally {
    draining = false;
  }
};

let stop: (() => void) | undefined;

/**
 * Pending messages reach their rooms from any screen: those of rooms not open in this tab are sent
 * over HTTP every few seconds and when the network comes back. Not at once: a tab that starts on a
 * room's page opens that room (and sends its outbox there) first.
 */
export const startOutboxDrain = (meId: string): void => {
  if (stop) return;
  const run = () => void drainAll(meId);
  const timer = setInterval(run, EVERY_MS);
  window.addEventListener("online", run);
  stop = () => {
    clearInterval(timer);
    window.removeEventListener("online", run);
    stop = undefined;
  };
};

onSignedOut(() => stop?.());

/**
 * The persisted outbox: sends not yet acknowledged by the server, per user and room in
 * localStorage, so a reload (or a crash) resends them. Several tabs may have the same room open:
 * each change reads the shared list, changes only the entries it names and writes it back
 * (never a tab's whole copy), and other tabs hear of it through the `storage` event.
 */
import { failEntries, type OutboxEntry, parseOutbox, putEntry, refuseEntries, removeEntries, serializeOutbox } from "../lib/outbox";

export type { OutboxEntry };

const PREFIX = "talk.outbox.";
const key = (userId: string, roomId: string) => `${PREFIX}${userId}.${roomId}`;

const load = (k: string): OutboxEntry[] => {
  try {
    return parseOutbox(localStorage.getItem(k));
  } catch {
    return []; // storage blocked: the outbox still works for this page's lifetime
  }
};

/** Read, change, write back: one synchronous step, so no other tab's write falls in between. */
const update = (userId: string, roomId: string, change: (stored: OutboxEntry[]) => readonly OutboxEntry[]): void => {
  const k = key(userId, roomId);
  try {
    const stored = load(k);
    const next = change(stored);
    if (next === stored) return;
    const text = serializeOutbox(next);
    if (text === null) localStorage.removeItem(k);
    else localStorage.setItem(k, text);
  } catch {
    // storage full or blocked: this tab still holds the entry in memory
  }
};

export const readOutbox = (userId: string, roomId: string): OutboxEntry[] => load(key(userId, roomId));

/** Adds one entry, or replaces the one with its clientId (a retry). */
export const storeEntry = (userId: string, roomId: string, entry: OutboxEntry): void =>
  update(userId, roomId, (stored) => putEntry(stored, entry));

export const dropEntries = (userId: string, roomId: string, clientIds: ReadonlySet<string>): void =>
  update(userId, roomId, (stored) => removeEntries(stored, clientIds));

/** Marks these entries failed where they are still stored (another tab may have settled them). */
export const failStoredEntries = (userId: string, roomId: string, clientIds: ReadonlySet<string>): void =>
  update(userId, roomId, (stored) => failEntries(stored, (e) => clientIds.has(e.clientId)));

/** Marks these entries refused for good where they are still stored. */
export const refuseStoredEntries = (userId: string, roomId: string, clientIds: ReadonlySet<string>): void =>
  update(userId, roomId, (stored) => refuseEntries(stored, clientIds));

/** The rooms in which this user has messages waiting to be sent, as stored by any tab. */
export const roomsWithPending = (userId: string): string[] => {
  const prefix = key(userId, "");
  try {
    return Object.keys(localStorage)
      .filter((k) => k.startsWith(prefix))
      .map((k) => k.slice(prefix.length));
  } catch {
    return [];
  }
};

/**
 * Calls `listener(before, after)` whenever another tab changes this room's stored outbox
 * (`localStorage.clear()` elsewhere counts as emptying it). Returns the unsubscribe function.
 */
export const watchOutbox = (
  userId: string,
  roomId: string,
  listener: (before: OutboxEntry[], after: OutboxEntry[]) => void,
): (() => void) => {
  const k = key(userId, roomId);
  const onStorage = (event: StorageEvent) => {
    if (event.storageArea !== localStorage) return;
    if (event.key === k) listener(parseOutbox(event.oldValue), parseOutbox(event.newValue));
    else if (event.key === null) listener(parseOutbox(null), load(k));
  };
  window.addEventListener("storage", onStorage);
  return () => window.removeEventListener("storage", onStorage);
};

import { createSignal, onCleanup } from "solid-js";
import { newClientId } from "../lib/ids";
import { failEntries, putEntry, reconcile, refuseEntries, removeEntries } from "../lib/outbox";
import { dropEntries, failStoredEntries, type OutboxEntry, readOutbox, refuseStoredEntries, storeEntry, watchOutbox } from "./outbox";

/**
 * One room's outbox in this tab: the entries in memory, mirrored entry by entry to the list all
 * tabs share (stores/outbox.ts), and followed when another tab changes it. Sending is room-sender's.
 * Call inside a component; it stops watching when that unmounts.
 */
export const createRoomOutbox = (
  meId: string,
  roomId: string,
  opts: {
    /** The clientIds of our own messages this tab already holds: an entry among them is settled. */
    echoed: () => ReadonlySet<string>;
    /** Entries another tab wrote: it is sending them itself. */
    onAdopted: (clientIds: readonly string[]) => void;
  },
) => {
  const [entries, setEntries] = createSignal<readonly OutboxEntry[]>(readOutbox(meId, roomId));

  /** Our echoes settle entries: in memory and in the shared list (other tabs then drop them too). */
  const settle = (clientIds: ReadonlySet<string>) => {
    if (clientIds.size === 0) return;
    setEntries((list) => removeEntries(list, clientIds));
    dropEntries(meId, roomId, clientIds);
  };

  const markFailed = (clientIds: ReadonlySet<string>) => {
    if (clientIds.size === 0) return;
    setEntries((list) => failEntries(list, (e) => clientIds.has(e.clientId)));
    failStoredEntries(meId, roomId, clientIds);
  };

  const refuse = (clientIds: ReadonlySet<string>) => {
    setEntries((list) => refuseEntries(list, clientIds));
    refuseStoredEntries(meId, roomId, clientIds);
  };

  const put = (entry: OutboxEntry) => {
    setEntries((list) => putEntry(list, entry));
    storeEntry(meId, roomId, entry);
  };

  const unwatch = watchOutbox(meId, roomId, (before, after) => {
    const current = entries();
    const next = reconcile(current, before, after);
    if (next === current) return;
    // An entry whose echo we already hold is settled, whatever the other tab still thinks.
    const held = opts.echoed();
    const echoed = new Set(next.filter((e) => held.has(e.clientId)).map((e) => e.clientId));
    // Told first: setting the entries sends whatever is pending and not in flight.
    const mine = new Set(current.map((e) => e.clientId));
    opts.onAdopted(next.filter((e) => !mine.has(e.clientId)).map((e) => e.clientId));
    setEntries(echoed.size > 0 ? removeEntries(next, echoed) : next);
    if (echoed.size > 0) dropEntries(meId, roomId, echoed);
  });
  onCleanup(unwatch);

  return {
    entries,
    settle,
    markFailed,
    refuse,
    /** A new message, written now: last in the order. */
    write: (body: string) => put({ clientId: newClientId(), body, createdAt: Date.now(), failed: false }),
    /** Retrying by hand writes the message anew, last in the order (as KakaoTalk's 재전송 does). */
    retry: (clientId: string) => {
      const entry = entries().find((e) => e.clientId === clientId);
      if (entry) put({ clientId: entry.clientId, body: entry.body, createdAt: Date.now(), failed: false });
    },
    discard: (clientId: string) => settle(new Set([clientId])),
  };
};

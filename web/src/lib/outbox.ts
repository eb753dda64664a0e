/**
 * The outbox as pure list operations. Every tab of a user that has a room open keeps its own
 * copy in memory and shares one persisted list per room (localStorage). Tabs change the shared
 * list only entry by entry (read, change one clientId, write back), never by writing their whole
 * copy, so one tab can't drop another tab's unsent messages. An entry held by two tabs is sent
 * by both at worst; the server de-duplicates by (sender, clientId).
 *
 * The list is in the order its messages were written, across tabs (by `createdAt`), and that is
 * the order the server stores them in: each send names the entry before it (`after`, see
 * `sendOrder`), and the server stores nothing before the entry it names.
 */
export interface OutboxEntry {
  clientId: string;
  body: string;
  /** When it was written (or retried by hand, which writes it anew, last); after ~2 minutes unacked it counts as failed. */
  createdAt: number;
  failed: boolean;
  /** Refused for good (the server will never store it as it is): out of the send order until retried by hand. */
  refused?: boolean;
}

const isEntry = (value: unknown): value is OutboxEntry => {
  const e = value as OutboxEntry | null;
  return typeof e?.clientId === "string" && e.clientId.length > 0 && typeof e.body === "string" && typeof e.createdAt === "number";
};

/** Parses what localStorage holds; anything unreadable counts as empty, one bad entry is skipped. */
export const parseOutbox = (raw: string | null): OutboxEntry[] => {
  if (!raw) return [];
  try {
    const parsed: unknown = JSON.parse(raw);
    if (!Array.isArray(parsed)) return [];
    const seen = new Set<string>();
    const entries: OutboxEntry[] = [];
    for (const value of parsed) {
      if (!isEntry(value) || seen.has(value.clientId)) continue;
      seen.add(value.clientId);
      entries.push({
        clientId: value.clientId,
        body: value.body,
        createdAt: value.createdAt,
        failed: value.failed === true,
        ...(value.refused === true && { refused: true }),
      });
    }
    return entries;
  } catch {
    return [];
  }
};

export const serializeOutbox = (entries: readonly OutboxEntry[]): string | null => (entries.length === 0 ? null : JSON.stringify(entries));

const byCreated = (a: OutboxEntry, b: OutboxEntry) => a.createdAt - b.createdAt || (a.clientId < b.clientId ? -1 : a.clientId > b.clientId ? 1 : 0);

/** Adds or replaces one entry by clientId, keeping the list in the order the messages were written. */
export const putEntry = (entries: readonly OutboxEntry[], entry: OutboxEntry): OutboxEntry[] => {
  const rest = entries.filter((e) => e.clientId !== entry.clientId);
  return [...rest, entry].sort(byCreated);
};

/** Removes the entries with these clientIds; returns `entries` itself when none was there. */
export const removeEntries = <T extends readonly OutboxEntry[]>(entries: T, clientIds: ReadonlySet<string>): T | OutboxEntry[] =>
  entries.some((e) => clientIds.has(e.clientId)) ? entries.filter((e) => !clientIds.has(e.clientId)) : entries;

/** Marks pending entries matching `isFailed` as failed; returns `entries` itself when none changed. */
export const failEntries = <T extends readonly OutboxEntry[]>(entries: T, isFailed: (e: OutboxEntry) => boolean): T | OutboxEntry[] =>
  entries.some((e) => !e.failed && isFailed(e)) ? entries.map((e) => (!e.failed && isFailed(e) ? { ...e, failed: true } : e)) : entries;

/** Marks these entries refused for good (and failed, so they offer a retry by hand). */
export const refuseEntries = <T extends readonly OutboxEntry[]>(entries: T, clientIds: ReadonlySet<string>): T | OutboxEntry[] =>
  entries.some((e) => clientIds.has(e.clientId) && !e.refused)
    ? entries.map((e) => (clientIds.has(e.clientId) && !e.refused ? { ...e, failed: true, refused: true } : e))
    : entries;

/** A send as it goes out: the entry and the clientId of the one written before it, if still pending. */
export interface OutgoingSend {
  entry: OutboxEntry;
  after?: string;
}

/**
 * The entries to send, in the order written, each naming the one before it. A refused entry is
 * left out (the server would never store it, and nothing may wait for it); the entry after it names
 * the one before it instead. The first names nothing: what came before it is stored already.
 */
export const sendOrder = (entries: readonly OutboxEntry[]): OutgoingSend[] => {
  const out: OutgoingSend[] = [];
  let after: string | undefined;
  for (const entry of entries) {
    if (entry.refused) continue;
    out.push(after === undefined ? { entry } : { entry, after });
    after = entry.clientId;
  }
  return out;
};

/**
 * This tab's copy after another tab changed the shared list from `before` to `after` (a
 * `storage` event): entries the other tab added are adopted (they are ours too: same user, same
 * room), entries it removed (acknowledged there, or discarded) go, and entries only this tab
 * knows (never persisted, e.g. storage full) stay. Of an entry both hold, the version retried
 * last (the later `createdAt`) wins, so a resend by hand in one tab un-fails it in the other.
 */
export const reconcile = (local: readonly OutboxEntry[], before: readonly OutboxEntry[], after: readonly OutboxEntry[]): readonly OutboxEntry[] => {
  const was = new Set(before.map((e) => e.clientId));
  const now = new Map(after.map((e) => [e.clientId, e]));
  const mine = new Set(local.map((e) => e.clientId));
  let changed = false;
  const kept: OutboxEntry[] = [];
  for (const e of local) {
    const theirs = now.get(e.clientId);
    if (!theirs && was.has(e.clientId)) {
      changed = true;
      continue;
    }
    if (theirs && theirs.createdAt > e.createdAt) {
      changed = true;
      kept.push(theirs);
    } else kept.push(e);
  }
  const adopted = after.filter((e) => !mine.has(e.clientId));
  if (!changed && adopted.length === 0) return local;
  return [...kept, ...adopted].sort(byCreated);
};

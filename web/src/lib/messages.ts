/**
 * The room's message list as pure functions (docs/architecture.md, "Invariants" 4 and 5):
 * messages are merged by seq, so a message that arrives twice (live frame, ack, sync, history
 * page) is held once; our own echoes settle outbox entries by clientId; a sync starts from the
 * highest seq below which we hold everything.
 */
import type { Message } from "../../../worker/contract";

export const bySeq = (a: { seq: number }, b: { seq: number }): number => a.seq - b.seq;

/**
 * Adds the messages not held yet (by seq) and keeps the result sorted by seq. Held objects are
 * kept (rendered rows stay put) and `current` itself is returned when nothing is new.
 */
export const mergeMessages = (current: readonly Message[], incoming: readonly Message[]): readonly Message[] => {
  const held = new Set(current.map((m) => m.seq));
  const fresh: Message[] = [];
  for (const m of incoming) {
    if (held.has(m.seq)) continue;
    held.add(m.seq);
    fresh.push(m);
  }
  if (fresh.length === 0) return current;
  fresh.sort(bySeq);
  const last = current[current.length - 1];
  // The common cases, live messages at the end or an older page at the start, need no full sort.
  if (!last || fresh[0]!.seq > last.seq) return [...current, ...fresh];
  if (fresh[fresh.length - 1]!.seq < current[0]!.seq) return [...fresh, ...current];
  return [...current, ...fresh].sort(bySeq);
};

/**
 * The highest seq below which we hold every message, counting from the oldest one we hold
 * (older pages load on demand and don't matter for catching up): where a `sync` must start.
 * `sorted` must be ascending by seq and free of duplicates, as `mergeMessages` keeps it.
 * Nothing held: 0, so the sync asks for the room from its start.
 */
export const contiguousHigh = (sorted: readonly { seq: number }[]): number => {
  const first = sorted[0];
  if (!first) return 0;
  let high = first.seq;
  for (let i = 1; i < sorted.length; i++) {
    const seq = sorted[i]!.seq;
    if (seq === high + 1) high = seq;
    else if (seq > high + 1) break;
  }
  return high;
};

/** The clientIds of my own messages among `incoming`: each settles the outbox entry with that id. */
export const settledClientIds = (incoming: readonly Message[], meId: string): Set<string> => {
  const ids = new Set<string>();
  // A system message names its actor as sender but was never in anyone's outbox.
  for (const m of incoming) if (m.senderId === meId && m.kind === "text") ids.add(m.clientId);
  return ids;
};

/** True when a `synced` answer still leaves a gap: ask again from where we hold everything. */
export const needsMoreSync = (held: readonly { seq: number }[], syncedLastSeq: number): boolean =>
  contiguousHigh(held) < syncedLastSeq;

/**
 * True when a message above `from`, up to `to`, is someone else's text: only those need a read
 * receipt. My own are read already (the server moves my cursor as it stores them) and system
 * lines are never unread, so a room where only I wrote sends no `read` frames, which would spend the
 * send allowance my messages need. `sorted` ascending by seq.
 */
export const othersWroteBetween = (sorted: readonly Message[], meId: string, from: number, to: number): boolean => {
  for (let i = sorted.length - 1; i >= 0; i--) {
    const m = sorted[i]!;
    if (m.seq <= from) return false;
    if (m.seq <= to && m.kind === "text" && m.senderId !== meId) return true;
  }
  return false;
};

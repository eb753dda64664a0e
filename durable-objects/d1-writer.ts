import { DurableObject } from "cloudflare:workers";
import { type LogChanges, logStatements } from "./d1-log-statements";
import type { LogMessage } from "./room-log/room-log";

/** What D1 lacks of one room's log, as its write-behind hands it over. */
export interface RoomWrite {
  roomId: string;
  /** Ascending by seq. */
  messages: LogMessage[];
  /** Cursors to move in D1 (user id → seq), forward only. */
  cursors: Record<string, number>;
  /** The room's version, when the write carries everything the log has. */
  version?: number;
  /** Since when D1 lacks what this write carries: the room's first change in it (unknown after the room woke up). */
  since?: number;
}

/** What became of a write: D1 committed it, or refused it (an expected failure, so an answer, not a throw). */
export type WriteOutcome = { ok: true } | { ok: false; error: string };

/** Where a room's write-behind hands its writes: a writer's stub, or a test's wrapper around one. */
export interface RoomWriteSink {
  write(write: RoomWrite): Promise<WriteOutcome>;
}

/** How long the first write waits for other rooms' writes to share its D1 transaction. */
const WINDOW_MS = 200;

interface Waiting {
  write: RoomWrite;
  answer: (outcome: WriteOutcome) => void;
}

/**
 * Writes many rooms' write-behind into D1 together: the rooms of a shard hand it what D1 lacks, and
 * each window's worth goes in one D1 transaction of at most three statements, however many rooms it
 * carries (docs/scaling.md: D1 takes a few hundred write transactions a second, and a transaction's
 * fixed cost was most of what a room's own paid). Each caller is answered once D1 committed its
 * write, or with D1's error; a transaction that fails is tried again room by room, so one room's
 * bad row holds up no other. It keeps nothing: the rooms' logs are the truth, and a caller whose
 * write failed, or whose call did (an eviction here included), sends it again.
 */
export class D1Writer extends DurableObject<Env> {
  /** The binding it writes through; a field, so tests can put failures in front of it. */
  d1: D1Database = this.env.DB;
  private gathered: Waiting[] = [];
  private timer?: ReturnType<typeof setTimeout>;
  /** The transaction in flight, one at a time: writes gathered meanwhile go in the next. */
  private committing: Promise<void> = Promise.resolve();

  write(write: RoomWrite): Promise<WriteOutcome> {
    const done = new Promise<WriteOutcome>((answer) => this.gathered.push({ write, answer }));
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.committing = this.committing.then(() => this.commitGathered());
    }, WINDOW_MS);
    return done;
  }

  private async commitGathered(): Promise<void> {
    const waiting = this.gathered.splice(0);
    if (waiting.length === 0) return;
    const outcome = await this.commit(waiting.map((w) => w.write));
    if (outcome.ok || waiting.length === 1) return waiting.forEach((w) => w.answer(outcome));
    for (const w of waiting) w.answer(await this.commit([w.write]));
  }

  /** One D1 transaction for these rooms' writes. */
  private async commit(writes: RoomWrite[]): Promise<WriteOutcome> {
    const changes: LogChanges = { rows: [], cursors: {}, versions: {} };
    let since = Number.POSITIVE_INFINITY;
    for (const { roomId, messages, cursors, version, since: behindSince } of writes) {
      for (const m of messages) changes.rows.push({ ...m, roomId });
      since = Math.min(since, behindSince ?? messages[0]?.sentAt ?? Number.POSITIVE_INFINITY);
      if (Object.keys(cursors).length > 0) changes.cursors[roomId] = cursors;
      if (version !== undefined) changes.versions[roomId] = version;
    }
    const cursors = Object.values(changes.cursors).reduce((n, c) => n + Object.keys(c).length, 0);
    try {
      await loggedBatch(this.d1, () => logStatements(this.d1).for(changes), { kind: "write_behind", rooms: writes.length, messages: changes.rows.length, cursors }, since);
      return { ok: true };
    } catch (err) {
      return { ok: false, error: String(err) };
    }
  }
}

/**
 * Runs one D1 write transaction and logs it as one `d1_write` line (bench/README.md counts them),
 * with how long D1 lacked the oldest change it carries (`maxLagMs`: from the room's commit, which
 * acked it; from the message's send when the room does not know). Statements that cannot even be
 * built (a row D1 could not take) fail the same way.
 */
export const loggedBatch = async (
  d1: D1Database,
  statements: () => D1PreparedStatement[],
  what: { kind: "write_behind" | "membership"; rooms: number; messages: number; cursors: number },
  since: number,
): Promise<void> => {
  const line = { event: "d1_write", ...what };
  try {
    await d1.batch(statements());
  } catch (err) {
    console.log(JSON.stringify({ ...line, ok: false, error: String(err) }));
    throw err;
  }
  console.log(JSON.stringify({ ...line, maxLagMs: Number.isFinite(since) ? Math.max(0, Date.now() - since) : 0, ok: true }));
};

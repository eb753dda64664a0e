import { drizzle } from "drizzle-orm/d1";
import { type Db, prepareForBatch } from "../worker/db/client";
import type { AlarmClock } from "./alarm-clock";
import { type LogChanges, logStatements } from "./d1-log-statements";
import { type RoomWriteSink, loggedBatch } from "./d1-writer";
import type { LogMessage, RoomLog } from "./room-log/room-log";

/**
 * How long the first change waits for others to share its write (lag bound, docs/scaling.md), ± the
 * spread; the writer then waits up to its own window for other rooms' writes (d1-writer.ts).
 */
const WINDOW_MS = 400;
/**
 * Each window is this much shorter or longer, at random: rooms that got busy together (a slice of
 * the bench, a popular moment) would otherwise all write D1 in the same instant, every window.
 */
const WINDOW_SPREAD_MS = 100;
/** A batch goes at once when this many messages wait, and carries at most this many. */
const BATCH_MESSAGES = 200;
/**
 * When the backstop alarm fires after a change, in case this instance is evicted with the change
 * unsent. Late, because a busy room's alarm otherwise fires every few seconds for nothing, and each
 * wakes the object and calls its writer (bench/README.md).
 */
const BACKSTOP_MS = 10_000;
/** Retries of a failed batch, by the alarm: 1 s, doubling, at most 30 s apart. */
const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 30_000;

/** A statement drizzle built for a membership change's batch. */
type Built = Parameters<typeof prepareForBatch>[1];

/**
 * Writes the room log into D1 behind the acks (docs/architecture.md, "Where a room's data lives"):
 * every message and cursor move reaches D1, a window's worth in one write, handed to the D1 writer
 * of the room's shard (which puts many rooms' writes in one transaction), one write in flight per
 * room, retried by the alarm until D1 has it. Nothing on the send, read or sync path waits for it.
 * A membership change goes to D1 straight, in its own transaction with what D1 still lacks.
 */
export class D1WriteBehind {
  /** The binding membership changes go through; a field, so tests can put failures and delays in front of it. */
  d1: D1Database;
  /** Where the window's writes go; a field for the same reason. */
  writer: RoomWriteSink;
  private timer?: ReturnType<typeof setTimeout>;
  private inFlight?: Promise<void>;
  /** A window ended (or a write's worth piled up) while a write was in flight: the next goes when it is answered. */
  private due = false;
  /** Since when D1 lacks a change not yet handed to the writer (this instance's clock; unknown after a wake-up). */
  private behindSince?: number;
  private failures = 0;

  constructor(
    private readonly log: RoomLog,
    d1: D1Database,
    writer: RoomWriteSink,
    private readonly clock: AlarmClock,
  ) {
    this.d1 = d1;
    this.writer = writer;
  }

  /**
   * The log changed (a message, a cursor): D1 gets it within the window, or at once past a batch's
   * worth. The window starts now even while a write is in flight (it waits at its writer for up to
   * the writer's window): a window that ends meanwhile sends the next write as soon as that one is
   * answered, so a change waits one window, not one plus the write before it.
   */
  changed(now = Date.now()): void {
    this.behindSince ??= now;
    if (this.failures > 0) return;
    if (this.log.pendingCount() >= BATCH_MESSAGES) {
      clearTimeout(this.timer);
      this.timer = undefined;
      void this.flush();
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, WINDOW_MS + (Math.random() * 2 - 1) * WINDOW_SPREAD_MS);
    this.clock.at(now + WINDOW_MS + WINDOW_SPREAD_MS + BACKSTOP_MS, now);
  }

  /**
   * The alarm: whatever D1 does not have yet goes now (after an eviction, or as a retry). An
   * instance whose window is running sends on its own: it only sets the backstop again.
   */
  async alarm(now = Date.now()): Promise<void> {
    if (this.failures === 0 && (this.timer || this.inFlight)) {
      if (this.log.behindInD1()) this.clock.at(now + BACKSTOP_MS, now);
      return;
    }
    await this.flush();
  }

  /**
   * Sends one write now, or, with one in flight, right after it is answered; resolves when the one
   * in flight (or the new one) has been answered.
   */
  flush(): Promise<void> {
    if (this.inFlight) {
      this.due = true;
      return this.inFlight;
    }
    this.due = false;
    this.inFlight = this.writeBatch().finally(() => {
      this.inFlight = undefined;
      if (this.failures > 0 || !this.log.behindInD1()) return;
      if (this.due) void this.flush();
      else this.changed();
    });
    return this.inFlight;
  }

  /** Until D1 holds the whole log, retrying at once (tests: "what D1 holds once it caught up"). */
  async drain(attempts = 10): Promise<void> {
    for (let i = 0; this.log.behindInD1(); i++) {
      if (i === attempts) throw new Error("D1 did not take the room's log");
      await this.flush();
    }
  }

  /**
   * One D1 transaction with a membership change in it: `before`, then every message D1 lacks and the
   * change's system message, the cursors, the version, then `after`. Resolves once D1 committed it,
   * with the cursors D1 now has; throws if it did not (nothing changed then, here or there).
   */
  async withChange(message: LogMessage, version: number, before: (db: Db) => Built[], after: (db: Db) => Built[]): Promise<Map<string, number>> {
    await this.inFlight;
    const { messages, cursors } = this.log.ready ? this.log.pendingForD1(Number.MAX_SAFE_INTEGER) : { messages: [], cursors: new Map<string, number>() };
    const rows = [...messages, message];
    const db = drizzle(this.d1);
    const bound = (built: Built[]) => built.map((query) => prepareForBatch(this.d1, query)({}));
    const roomId = this.log.roomId;
    const moved = notImplied(rows, cursors);
    const changes: LogChanges = {
      rows: rows.map((m) => ({ ...m, roomId })),
      cursors: Object.keys(moved).length > 0 ? { [roomId]: moved } : {},
      versions: { [roomId]: version },
    };
    const statements = () => [...bound(before(db)), ...logStatements(this.d1).for(changes), ...bound(after(db))];
    const since = this.behindSince ?? rows[0]!.sentAt;
    await loggedBatch(this.d1, statements, { kind: "membership", rooms: 1, messages: rows.length, cursors: cursors.size }, since);
    this.behindSince = undefined;
    return cursors;
  }

  private async writeBatch(): Promise<void> {
    if (!this.log.ready) return;
    const { messages, cursors } = this.log.pendingForD1(BATCH_MESSAGES);
    if (messages.length === 0 && cursors.size === 0) return;
    const lastSeq = messages.at(-1)?.seq ?? this.log.room.d1Seq;
    // The version says "everything up to now": only with a write that carries everything.
    const whole = lastSeq === this.log.room.lastSeq;
    const since = this.behindSince;
    // Changes from now on go in a later write; what this one leaves for later (past a write's worth) was behind before.
    this.behindSince = whole ? undefined : since;
    const write = {
      roomId: this.log.roomId,
      messages,
      cursors: notImplied(messages, cursors),
      ...(whole && { version: this.log.room.version }),
      ...(since !== undefined && { since }),
    };
    // Refused by D1, or the call itself failed (the writer evicted, say): either way, again later.
    const outcome = await this.writer.write(write).catch((err: unknown) => ({ ok: false, error: String(err) }));
    if (!outcome.ok) {
      if (since !== undefined) this.behindSince = Math.min(since, this.behindSince ?? since);
      this.failures += 1;
      this.clock.at(Date.now() + Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** (this.failures - 1)));
      return;
    }
    this.failures = 0;
    this.log.sentToD1(lastSeq, cursors);
  }
}

/**
 * The cursors D1 needs a statement for: a sender's cursor on their own message is moved by the
 * insert's trigger (in a conversation that is every cursor, and each costs D1 a round of bookkeeping).
 */
const notImplied = (messages: LogMessage[], cursors: Map<string, number>): Record<string, number> =>
  Object.fromEntries([...cursors].filter(([userId, seq]) => !messages.some((m) => m.seq === seq && m.senderId === userId && m.kind === "text")));

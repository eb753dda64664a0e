import { drizzle } from "drizzle-orm/d1";
import { type Db, prepareForBatch } from "../worker/db/client";
import type { AlarmClock } from "./alarm-clock";
import { logStatements } from "./d1-log-statements";
import type { LogMessage, RoomLog } from "./room-log/room-log";

/** How long the first change waits for others to share its D1 transaction (lag bound, docs/scaling.md), ± the spread. */
const WINDOW_MS = 500;
/**
 * Each window is this much shorter or longer, at random: rooms that got busy together (a slice of
 * the bench, a popular moment) would otherwise all write D1 in the same instant, every window.
 */
const WINDOW_SPREAD_MS = 100;
/** A batch goes at once when this many messages wait, and carries at most this many. */
const BATCH_MESSAGES = 200;
/** When the backstop alarm fires after a change, in case this instance is evicted with the change unsent. */
const BACKSTOP_MS = 2_000;
/** Retries of a failed batch, by the alarm: 1 s, doubling, at most 30 s apart. */
const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 30_000;

/** A statement drizzle built for a membership change's batch. */
type Built = Parameters<typeof prepareForBatch>[1];

/**
 * Writes the room log into D1 behind the acks (docs/architecture.md, "Where a room's data lives"):
 * every message and cursor move reaches D1, a window's worth in one transaction, one transaction in
 * flight per room, retried by the alarm until D1 has it. Nothing on the send, read or sync path
 * waits for it. Each D1 write transaction logs one `d1_write` line (bench/README.md counts them).
 */
export class D1WriteBehind {
  /** The binding it writes through; a field, so tests can put failures and delays in front of it. */
  d1: D1Database;
  private timer?: ReturnType<typeof setTimeout>;
  private inFlight?: Promise<void>;
  private failures = 0;

  constructor(
    private readonly log: RoomLog,
    d1: D1Database,
    private readonly clock: AlarmClock,
  ) {
    this.d1 = d1;
  }

  /** The log changed (a message, a cursor): D1 gets it within the window, or at once past a batch's worth. */
  changed(now = Date.now()): void {
    if (this.inFlight || this.failures > 0) return;
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

  /** The alarm: whatever D1 does not have yet goes now (after an eviction, or as a retry). */
  async alarm(): Promise<void> {
    await this.flush();
  }

  /** Sends one batch now (or waits for the one in flight); resolves when it has been answered. */
  flush(): Promise<void> {
    this.inFlight ??= this.writeBatch().finally(() => {
      this.inFlight = undefined;
      if (this.failures === 0 && this.log.behindInD1()) this.changed();
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
    await this.commit([...bound(before(db)), ...this.statements(rows, cursors, version), ...bound(after(db))], "membership", rows, cursors);
    return cursors;
  }

  private async writeBatch(): Promise<void> {
    if (!this.log.ready) return;
    const { messages, cursors } = this.log.pendingForD1(BATCH_MESSAGES);
    if (messages.length === 0 && cursors.size === 0) return;
    const lastSeq = messages.at(-1)?.seq ?? this.log.room.d1Seq;
    // The version says "everything up to now": only with a batch that carries everything.
    const whole = lastSeq === this.log.room.lastSeq;
    try {
      await this.commit(this.statements(messages, cursors, whole ? this.log.room.version : undefined), "write_behind", messages, cursors);
    } catch {
      this.failures += 1;
      this.clock.at(Date.now() + Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** (this.failures - 1)));
      return;
    }
    this.failures = 0;
    this.log.sentToD1(lastSeq, cursors);
  }

  private statements(messages: LogMessage[], cursors: Map<string, number>, version: number | undefined): D1PreparedStatement[] {
    const roomId = this.log.roomId;
    const statements = logStatements(this.d1);
    // A sender's cursor on their own message is moved by the insert's trigger: no statement for it
    // (in a conversation that is every cursor, and each statement costs D1 a round of bookkeeping).
    const moved = new Map([...cursors].filter(([userId, seq]) => !messages.some((m) => m.seq === seq && m.senderId === userId && m.kind === "text")));
    return [
      ...statements.messages(roomId, messages),
      ...(moved.size > 0 ? [statements.cursors(roomId, moved)] : []),
      ...(version !== undefined ? [statements.version(roomId, version)] : []),
    ];
  }

  private async commit(statements: D1PreparedStatement[], kind: "write_behind" | "membership", messages: LogMessage[], cursors: Map<string, number>): Promise<void> {
    const line = { event: "d1_write", kind, roomId: this.log.roomId, messages: messages.length, cursors: cursors.size };
    try {
      await this.d1.batch(statements);
    } catch (err) {
      console.log(JSON.stringify({ ...line, ok: false, error: String(err) }));
      throw err;
    }
    const oldest = messages[0]?.sentAt;
    console.log(JSON.stringify({ ...line, maxLagMs: oldest === undefined ? 0 : Date.now() - oldest, ok: true }));
  }
}

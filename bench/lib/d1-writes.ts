/**
 * The app's D1 write transactions as its D1 writers and room objects report them: one stdout line
 * per D1 write transaction, `{"event":"d1_write","kind":"write_behind"|"membership","rooms":n,
 * "messages":n,"cursors":n,"maxLagMs":n,"ok":true}` (a failed one has `"ok":false` and an `error`
 * instead of `maxLagMs`; it is retried, so it counts as a transaction but delivers no messages).
 * From them: D1 write transactions per message, and each message's lag behind its ack, bounded
 * above by its transaction's `maxLagMs`.
 */
import { waitFor } from "./slices.ts";

export interface D1Write {
  kind: string;
  /** How many rooms' writes the transaction carried. */
  rooms: number;
  messages: number;
  cursors: number;
  /** 0 for a failed one. */
  maxLagMs: number;
  ok: boolean;
}

const count = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v >= 0;

/** The write a line reports, or null for any other line; throws for a `d1_write` line not in the format. */
export const parseD1Write = (line: string): D1Write | null => {
  if (!line.includes('"d1_write"')) return null;
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(line.slice(line.indexOf("{"))) as Record<string, unknown>;
  } catch {
    throw new Error(`not JSON: ${line.slice(0, 200)}`);
  }
  if (v.event !== "d1_write") return null;
  const { kind, rooms, messages, cursors, maxLagMs = 0, ok } = v;
  if (typeof kind !== "string" || !count(rooms) || !count(messages) || !count(cursors) || typeof ok !== "boolean" || (ok && !count(v.maxLagMs)) || !count(maxLagMs)) {
    throw new Error(`unexpected fields: ${line.slice(0, 200)}`);
  }
  return { kind, rooms, messages, cursors, maxLagMs, ok };
};

/** Nearest-rank percentile of values that each stand for `weight` samples; NaN for none. */
export const weightedPercentile = (samples: readonly { value: number; weight: number }[], p: number): number => {
  const sorted = samples.filter((s) => s.weight > 0).sort((a, b) => a.value - b.value);
  const total = sorted.reduce((n, s) => n + s.weight, 0);
  if (total === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  let seen = 0;
  for (const s of sorted) {
    seen += s.weight;
    if (seen >= rank) return s.value;
  }
  return sorted.at(-1)!.value;
};

export interface D1WriteSummary {
  /** Messages the app was sent in the window. */
  sent: number;
  /** D1 write transactions (lines), failed ones included. */
  transactions: number;
  failed: number;
  /** Messages D1 took (the successful lines' sum). */
  messages: number;
  /** transactions / messages. */
  txPerMessage: number;
  /** Each message counted at its transaction's maxLagMs: an upper bound on its lag behind its ack (ms). */
  lagP50: number;
  lagP99: number;
  lagMax: number;
  byKind: Record<string, number>;
}

export const summarizeWrites = (writes: readonly D1Write[], sent: number): D1WriteSummary => {
  const done = writes.filter((w) => w.ok);
  const messages = done.reduce((n, w) => n + w.messages, 0);
  const lags = done.map((w) => ({ value: w.maxLagMs, weight: w.messages }));
  const byKind: Record<string, number> = {};
  for (const w of writes) byKind[w.kind] = (byKind[w.kind] ?? 0) + 1;
  return {
    sent,
    transactions: writes.length,
    failed: writes.length - done.length,
    messages,
    txPerMessage: messages > 0 ? writes.length / messages : Number.NaN,
    lagP50: weightedPercentile(lags, 50),
    lagP99: weightedPercentile(lags, 99),
    lagMax: weightedPercentile(lags, 100),
    byKind,
  };
};

/** The d1_write lines of one server, in arrival order, with marks to cut them into phases. */
export class D1WriteLog {
  private readonly writes: D1Write[] = [];
  private lastAt = Number.NEGATIVE_INFINITY;
  /** d1_write lines that did not parse, with the reason (the format drifted: worth a look). */
  readonly malformed: string[] = [];

  add(line: string, at = performance.now()): void {
    try {
      const write = parseD1Write(line);
      if (!write) return;
      this.writes.push(write);
      this.lastAt = at;
    } catch (err) {
      this.malformed.push((err as Error).message);
    }
  }

  /** True once any d1_write line arrived. */
  get seen(): boolean {
    return this.writes.length > 0;
  }

  /** A position in the log, for `between`. */
  mark(): number {
    return this.writes.length;
  }

  between(from: number, to = this.writes.length): D1Write[] {
    return this.writes.slice(from, to);
  }

  /** Messages D1 took since `from`. */
  messagesSince(from: number): number {
    return this.between(from).reduce((n, w) => n + (w.ok ? w.messages : 0), 0);
  }

  /**
   * Waits until D1 took `expected` messages since `from`, or no line came for `quietMs` (counted
   * from the call at the earliest, so a batch due after it is not missed), at most `capMs`. A
   * server that does not report costs `quietMs`. Whether D1 has them all.
   */
  async settle(from: number, expected: number, { quietMs = 2000, capMs = 30_000 } = {}): Promise<boolean> {
    const start = performance.now();
    const done = () => this.messagesSince(from) >= expected;
    await waitFor(() => done() || performance.now() - Math.max(this.lastAt, start) > quietMs, capMs);
    return done();
  }
}

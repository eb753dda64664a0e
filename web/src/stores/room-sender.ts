import { createEffect, onCleanup } from "solid-js";
import type { RoomErrorCode, SendAllowance } from "../../../worker/contract";
import { type Bucket, refill } from "../../../durable-objects/token-bucket";
import { type OutboxEntry, sendOrder } from "../lib/outbox";

const FAIL_AFTER_MS = 2 * 60_000;
const RESEND_AFTER_STORE_FAILED_MS = 3_000;
/** A send with no answer for this long goes again (same clientId, so never stored twice). */
const RESEND_UNANSWERED_MS = 15_000;
const TICK_MS = 5_000;
/** Codes for which sending the same frame again can never succeed. */
const PERMANENT_ERRORS = new Set<RoomErrorCode>(["invalid"]);

export interface SendFrame {
  type: "send";
  clientId: string;
  body: string;
  after?: string;
}

/**
 * Sends a room's outbox over its socket, in the order written (docs/architecture.md, "Sender
 * order"), paced by the member's allowance as the server counts it (`hello` tells it), so a fast
 * typist is slowed rather than refused. Each send names the entry before it, so whatever happens to
 * one send (refused, lost, resent from another tab) nothing written after it is stored before it.
 * Call inside a component; it stops when that unmounts.
 */
export const createRoomSender = (opts: {
  outbox: () => readonly OutboxEntry[];
  /** Puts a frame on the socket; false when it is not open. */
  transmit: (frame: SendFrame) => boolean;
  markFailed: (clientIds: ReadonlySet<string>) => void;
  refuse: (clientIds: ReadonlySet<string>) => void;
}) => {
  let allowance: SendAllowance | null = null;
  const bucket: Bucket = { tokens: 0, at: 0, strikes: 0 };
  /** When each entry was last sent on this connection. */
  const inFlight = new Map<string, number>();
  /**
   * Entries another tab is sending, and since when. Kept when this tab reconnects: the other tab's
   * connection is its own, and sending its entries from here too would race it for no gain.
   */
  const adopted = new Map<string, number>();
  let holdUntil = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timerAt = Infinity;

  /** Pumps again in `ms`, unless a pump is due sooner already. */
  const later = (ms: number) => {
    const at = Date.now() + ms;
    if (at >= timerAt) return;
    clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(() => {
      timerAt = Infinity;
      pump();
    }, ms);
  };

  /** Spends one frame of the allowance; false (and a pump once it refills) when there is none. */
  const spend = (now: number): boolean => {
    if (!allowance) return false;
    refill(bucket, allowance, now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return true;
    }
    later(Math.ceil(((1 - bucket.tokens) / allowance.perSecond) * 1000));
    return false;
  };

  /** Settled entries leave the outbox: nothing here needs their times any more. */
  const forgetSettled = (pending: readonly string[]) => {
    const keep = new Set(pending);
    for (const times of [inFlight, adopted]) for (const id of times.keys()) if (!keep.has(id)) times.delete(id);
  };

  /** Sends, in order, every pending entry not in flight, for as long as the allowance lasts. */
  const pump = () => {
    const now = Date.now();
    if (!allowance) return;
    if (now < holdUntil) return later(holdUntil - now);
    const order = sendOrder(opts.outbox());
    forgetSettled(order.map((s) => s.entry.clientId));
    for (const { entry, after } of order) {
      const sent = inFlight.get(entry.clientId) ?? adopted.get(entry.clientId);
      if (sent !== undefined && now - sent < RESEND_UNANSWERED_MS) continue;
      if (!spend(now)) return;
      if (!opts.transmit({ type: "send", clientId: entry.clientId, body: entry.body, ...(after !== undefined && { after }) })) return;
      inFlight.set(entry.clientId, now);
    }
  };

  // A written, settled, retried or adopted entry: whatever is pending and not in flight goes now.
  createEffect(() => {
    opts.outbox();
    pump();
  });

  /** Entries unacknowledged for ~2 minutes are marked failed; they keep going out with the rest. */
  const tick = () => {
    const now = Date.now();
    opts.markFailed(new Set(opts.outbox().filter((e) => !e.failed && now - e.createdAt > FAIL_AFTER_MS).map((e) => e.clientId)));
    pump();
  };
  tick();
  const ticker = setInterval(tick, TICK_MS);
  onCleanup(() => {
    clearInterval(ticker);
    clearTimeout(timer);
  });

  return {
    /** A connection is ready for sends, with the allowance the server counts for us. */
    connected: (given: SendAllowance) => {
      allowance = given;
      Object.assign(bucket, { tokens: given.tokens, at: Date.now() });
      inFlight.clear();
      holdUntil = 0;
      pump();
    },
    disconnected: () => {
      allowance = null;
    },
    /** Another frame (read, sync) spent allowance too. */
    spent: () => {
      if (allowance) {
        refill(bucket, allowance, Date.now());
        bucket.tokens = Math.max(0, bucket.tokens - 1);
      }
    },
    /** Entries another tab is sending: not sent from here unless they stay unanswered. */
    adopt: (clientIds: readonly string[]) => {
      const now = Date.now();
      for (const id of clientIds) if (!adopted.has(id)) adopted.set(id, now);
    },
    /** The server refused a send: it and everything written after it go again, in order. */
    refused: (clientId: string, code: RoomErrorCode) => {
      if (PERMANENT_ERRORS.has(code)) return opts.refuse(new Set([clientId]));
      const order = sendOrder(opts.outbox());
      const from = order.findIndex((s) => s.entry.clientId === clientId);
      for (const { entry } of from < 0 ? [] : order.slice(from)) {
        inFlight.delete(entry.clientId);
        adopted.delete(entry.clientId);
      }
      if (code === "rate_limited") bucket.tokens = 0;
      if (code === "store_failed") holdUntil = Date.now() + RESEND_AFTER_STORE_FAILED_MS * (1 + Math.random());
      // out_of_order: the entry before it is on its way; its answer (or the next tick) sends this again.
      later(code === "rate_limited" && allowance ? 1000 / allowance.perSecond : TICK_MS);
    },
  };
};

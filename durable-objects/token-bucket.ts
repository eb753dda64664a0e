/**
 * A send allowance: a burst of `burst` frames (an outbox flushed after a reconnect) is fine,
 * sustained traffic above `perSecond` is refused, and a client that keeps pushing while refused
 * is closed. Plain data so it can be stored and survive hibernation and eviction.
 */
export interface Bucket {
  tokens: number;
  at: number;
  strikes: number;
}

/** The allowance's shape; its numbers are Worker vars (wrangler.toml), which the benchmark lifts. */
export interface Allowance {
  burst: number;
  perSecond: number;
}

export const STRIKES_BEFORE_CLOSE = 40;

export const allowanceFrom = (vars: { SEND_BURST: string; SEND_PER_SECOND: string }): Allowance => ({
  burst: Number(vars.SEND_BURST),
  perSecond: Number(vars.SEND_PER_SECOND),
});

export const fullBucket = (allowance: Allowance, now: number): Bucket => ({ tokens: allowance.burst, at: now, strikes: 0 });

/** The bucket as of `now`: refilled for the time since it was last used. */
export const refill = (bucket: Bucket, allowance: Allowance, now: number): void => {
  bucket.tokens = Math.min(allowance.burst, bucket.tokens + (Math.max(0, now - bucket.at) / 1000) * allowance.perSecond);
  bucket.at = now;
};

type Verdict = "ok" | "refuse" | "close";

export const take = (bucket: Bucket, allowance: Allowance, now: number): Verdict => {
  refill(bucket, allowance, now);
  // Strikes are forgiven only once the client has let the bucket refill halfway: a flood that
  // slips a frame through on every refilled token must still reach the close.
  if (bucket.tokens >= allowance.burst / 2) bucket.strikes = 0;
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return "ok";
  }
  bucket.strikes += 1;
  return bucket.strikes >= STRIKES_BEFORE_CLOSE ? "close" : "refuse";
};

/**
 * Spends `amount` (bytes, say) if anything is left: the last spend may overdraw, and the debt is
 * paid by the refill. False, spending nothing, when the bucket is empty.
 */
export const spend = (bucket: Bucket, allowance: Allowance, now: number, amount: number): boolean => {
  refill(bucket, allowance, now);
  if (bucket.tokens <= 0) return false;
  bucket.tokens -= amount;
  return true;
};

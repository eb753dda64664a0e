/**
 * Per-socket send allowance: a burst of BURST frames (an outbox flushed after a reconnect) is fine,
 * sustained traffic above REFILL_PER_SEC is refused, and a socket that keeps pushing while refused
 * is closed. Plain data so it can live in the socket's attachment and survive hibernation.
 */
export interface Bucket {
  tokens: number;
  at: number;
  strikes: number;
}

export const BURST = 60;
export const REFILL_PER_SEC = 5;
export const STRIKES_BEFORE_CLOSE = 40;

export const fullBucket = (now: number): Bucket => ({ tokens: BURST, at: now, strikes: 0 });

type Verdict = "ok" | "refuse" | "close";

export const take = (bucket: Bucket, now: number): Verdict => {
  bucket.tokens = Math.min(BURST, bucket.tokens + ((now - bucket.at) / 1000) * REFILL_PER_SEC);
  bucket.at = now;
  // Strikes are forgiven only once the client has let the bucket refill halfway: a flood that
  // slips a frame through on every refilled token must still reach the close.
  if (bucket.tokens >= BURST / 2) bucket.strikes = 0;
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return "ok";
  }
  bucket.strikes += 1;
  return bucket.strikes >= STRIKES_BEFORE_CLOSE ? "close" : "refuse";
};

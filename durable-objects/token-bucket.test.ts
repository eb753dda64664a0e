import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { STRIKES_BEFORE_CLOSE, allowanceFrom, fullBucket as fullBucketFor, take as takeFrom } from "./token-bucket";

// The production allowance, as wrangler.toml sets it.
const allowance = allowanceFrom(env);
const { burst: BURST, perSecond: REFILL_PER_SEC } = allowance;
const fullBucket = (now: number) => fullBucketFor(allowance, now);
const take = (bucket: ReturnType<typeof fullBucket>, now: number) => takeFrom(bucket, allowance, now);

const run = (bucket: ReturnType<typeof fullBucket>, frames: number, at: (i: number) => number) =>
  Array.from({ length: frames }, (_, i) => take(bucket, at(i)));

describe("token bucket", () => {
  it("lets a burst the size of an outbox flush through at once", () => {
    const verdicts = run(fullBucket(0), BURST, () => 0);
    expect(verdicts.every((v) => v === "ok")).toBe(true);
  });

  it("closes a flood that slips a frame through on every refilled token", () => {
    // 20 frames a second, four times the refill rate, for as long as it takes.
    const bucket = fullBucket(0);
    const verdicts = run(bucket, 10_000, (i) => i * 50);
    const closedAt = verdicts.indexOf("close");
    expect(closedAt).toBeGreaterThan(BURST);
    expect(verdicts.slice(0, closedAt).filter((v) => v === "refuse").length).toBe(STRIKES_BEFORE_CLOSE - 1);
  });

  it("forgives the refusals of a client that waits for the bucket to refill", () => {
    const bucket = fullBucket(0);
    run(bucket, BURST + STRIKES_BEFORE_CLOSE - 1, () => 0);
    const rested = (BURST / 2 / REFILL_PER_SEC) * 1000;
    expect(run(bucket, BURST / 2, () => rested).every((v) => v === "ok")).toBe(true);
    expect(take(bucket, rested)).toBe("refuse");
  });

  it("keeps a steady typist at the refill rate under the limit forever", () => {
    const verdicts = run(fullBucket(0), 5_000, (i) => (i * 1000) / REFILL_PER_SEC);
    expect(verdicts.every((v) => v === "ok")).toBe(true);
  });
});

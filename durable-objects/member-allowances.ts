import { type Allowance, type Bucket, fullBucket, refill, spend, take } from "./token-bucket";

/** Where a member's allowance of a kind is kept in this object's storage. */
export const allowanceKey = (kind: string, userId: string) => `${kind}:${userId}`;

/**
 * One allowance per member of this room, across all their sockets: parallel sockets share it, and
 * a reconnect (or this object's eviction) does not refill it. Kept in the object's own storage, but
 * written only while it is less than half full: every write holds the object's outgoing messages
 * until it is durable (bench/README.md), and a conversation at a person's pace never gets there.
 * What an eviction can give back is what was spent since the last write: less than half a burst.
 */
export class MemberAllowances {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly kv: SyncKvStorage,
    /** Names this kind of allowance in storage. */
    private readonly kind: string,
    readonly allowance: Allowance,
  ) {}

  /** One frame's worth: refused past the allowance, closed after too many refusals. */
  take(userId: string, now: number): ReturnType<typeof take> {
    return this.using(userId, now, (bucket) => take(bucket, this.allowance, now));
  }

  /** `amount` of it, if any is left (the last use may overdraw). */
  spend(userId: string, amount: number, now: number): boolean {
    return this.using(userId, now, (bucket) => spend(bucket, this.allowance, now, amount));
  }

  /** What is left right now (whole units; never below 0). */
  tokens(userId: string, now: number): number {
    const bucket = this.bucket(userId, now);
    refill(bucket, this.allowance, now);
    return Math.max(0, Math.floor(bucket.tokens));
  }

  private using<T>(userId: string, now: number, use: (bucket: Bucket) => T): T {
    const bucket = this.bucket(userId, now);
    const result = use(bucket);
    if (bucket.tokens < this.allowance.burst / 2) this.kv.put(allowanceKey(this.kind, userId), bucket);
    return result;
  }

  private bucket(userId: string, now: number): Bucket {
    let bucket = this.buckets.get(userId);
    if (!bucket) this.buckets.set(userId, (bucket = this.kv.get<Bucket>(allowanceKey(this.kind, userId)) ?? fullBucket(this.allowance, now)));
    return bucket;
  }
}

import { type Allowance, type Bucket, fullBucket, refill, take } from "./token-bucket";

/** Where a member's allowance is kept in this object's storage. */
export const allowanceKey = (userId: string) => `allowance:${userId}`;

/**
 * Each member's send allowance in this room, across all their sockets: parallel sockets share
 * one, and a reconnect (or this object's eviction) does not refill it. Kept in the object's own
 * storage, so it costs no round trip; a write per frame joins whatever else that frame writes.
 */
export class MemberAllowances {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly kv: SyncKvStorage,
    readonly allowance: Allowance,
  ) {}

  take(userId: string, now: number): ReturnType<typeof take> {
    const bucket = this.bucket(userId, now);
    const verdict = take(bucket, this.allowance, now);
    this.kv.put(allowanceKey(userId), bucket);
    return verdict;
  }

  /** What the member may send at once right now, for the client to pace itself by. */
  tokens(userId: string, now: number): number {
    const bucket = this.bucket(userId, now);
    refill(bucket, this.allowance, now);
    return Math.floor(bucket.tokens);
  }

  private bucket(userId: string, now: number): Bucket {
    let bucket = this.buckets.get(userId);
    if (!bucket) this.buckets.set(userId, (bucket = this.kv.get<Bucket>(allowanceKey(userId)) ?? fullBucket(this.allowance, now)));
    return bucket;
  }
}

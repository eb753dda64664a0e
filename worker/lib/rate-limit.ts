import { and, eq, sql } from "drizzle-orm";
import { getDb } from "../db/client";
import { rateLimits } from "../db/schema";
import { ApiError } from "./errors";

/** The windows the limits count in. */
export const QUARTER = 15 * 60_000;
export const HOUR = 3_600_000;

export interface Window {
  key: string;
  limit: number;
  ms: number;
}

const windowStart = (w: Window, now: number) => now - (now % w.ms);

const refuse = (w: Window, now: number): never => {
  const retryAfter = Math.max(1, Math.ceil((windowStart(w, now) + w.ms - now) / 1000));
  throw new ApiError(429, "rate_limited", `Too many attempts. Try again in ${retryAfter} seconds.`, undefined, {
    "Retry-After": String(retryAfter),
  });
};

/**
 * Counts one attempt in a fixed window shared by every Worker instance (one atomic D1 upsert) and
 * throws 429 with Retry-After once the window's limit is passed.
 */
export const hit = async (env: Env, w: Window): Promise<void> => {
  const now = Date.now();
  const start = windowStart(w, now);
  const row = await getDb(env)
    .insert(rateLimits)
    .values({ key: w.key, windowStart: start, count: 1 })
    .onConflictDoUpdate({
      target: rateLimits.key,
      set: {
        count: sql`case when ${rateLimits.windowStart} = excluded.window_start then ${rateLimits.count} + 1 else 1 end`,
        windowStart: sql`excluded.window_start`,
      },
    })
    .returning({ count: rateLimits.count })
    .get();
  if (row && row.count > w.limit) refuse(w, now);
};

/** Gives back an attempt counted by `hit` (a login that turned out right is not a failure). */
export const forgive = async (env: Env, w: Window): Promise<void> => {
  await getDb(env)
    .update(rateLimits)
    .set({ count: sql`max(${rateLimits.count} - 1, 0)` })
    .where(and(eq(rateLimits.key, w.key), eq(rateLimits.windowStart, windowStart(w, Date.now()))));
};

export const clientIp = (req: Request): string => req.headers.get("CF-Connecting-IP") ?? "local";

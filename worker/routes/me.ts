import { eq } from "drizzle-orm";
import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { UpdateMeBody, type User } from "../contract";
import { getDb } from "../db/client";
import { friendships, users } from "../db/schema";
import { userColumns } from "../db/views";
import { userHub } from "../lib/hubs";
import { valid } from "../lib/validate";
import { requireUser } from "../middleware/auth";

/**
 * Tells my other tabs (`me`) and every friend's tabs (`friend`, the frame a new friend arrives in:
 * the app replaces the friend by id) about a new profile. Runs after the answer (waitUntil) and
 * calls the hubs concurrently: a user with hundreds of friends neither waits for them nor makes
 * the last friend wait for the first one's round trip. allSettled: one unreachable hub must not
 * keep the others from hearing of it.
 */
const announceProfile = async (env: Env, user: User): Promise<void> => {
  const friends = await getDb(env).select({ id: friendships.friendId }).from(friendships).where(eq(friendships.userId, user.id));
  const results = await Promise.allSettled([
    userHub(env, user.id).profileChanged(user),
    ...friends.map(({ id }) => userHub(env, id).friendAdded(user)),
  ]);
  for (const r of results) if (r.status === "rejected") console.error("announcing a profile change failed", r.reason);
};

export const meRoutes = new Hono<AppEnv>()
  .use(requireUser)
  .get("/", (c) => c.json({ user: c.var.user }))
  .patch("/", valid("json", UpdateMeBody), async (c) => {
    const { displayName } = c.req.valid("json");
    const user = (await getDb(c.env).update(users).set({ displayName }).where(eq(users.id, c.var.user.id)).returning(userColumns).get())!;
    c.executionCtx.waitUntil(announceProfile(c.env, user));
    return c.json({ user });
  });

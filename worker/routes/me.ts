import { eq } from "drizzle-orm";
import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { UpdateMeBody, type User } from "../contract";
import { getDb } from "../db/client";
import { friendships, roomMembers, users } from "../db/schema";
import { userColumns } from "../db/views";
import { chatRoom, userHub } from "../lib/hubs";
import { valid } from "../lib/validate";
import { requireUser } from "../middleware/auth";

/**
 * Tells my other tabs (`me`), every friend's tabs (`friend`, the frame a new friend arrives in:
 * the app replaces the friend by id) and every room I am in about a new profile. Runs after the answer (waitUntil) and
 * calls the hubs concurrently: a user with hundreds of friends neither waits for them nor makes
 * the last friend wait for the first one's round trip. allSettled: one unreachable hub must not
 * keep the others from hearing of it.
 */
const announceProfile = async (env: Env, user: User): Promise<void> => {
  const db = getDb(env);
  const [friends, memberships] = await db.batch([
    db.select({ id: friendships.friendId }).from(friendships).where(eq(friendships.userId, user.id)),
    db.select({ roomId: roomMembers.roomId }).from(roomMembers).where(eq(roomMembers.userId, user.id)),
  ]);
  const results = await Promise.allSettled([
    userHub(env, user.id).profileChanged(user),
    ...friends.map(({ id }) => userHub(env, id).friendAdded(user)),
    // Each room keeps its members' names for the rows it pushes (room-log): they take the new one.
    ...memberships.map(({ roomId }) => chatRoom(env, roomId).memberRenamed(user)),
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

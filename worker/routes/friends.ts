import { asc, eq } from "drizzle-orm";
import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { AddFriendBody } from "../contract";
import { getDb } from "../db/client";
import { friendships, users } from "../db/schema";
import { userColumns } from "../db/views";
import { userHub } from "../lib/hubs";
import { ApiError } from "../lib/errors";
import { valid } from "../lib/validate";
import { requireUser } from "../middleware/auth";

export const friendRoutes = new Hono<AppEnv>()
  .use(requireUser)
  .get("/", async (c) => {
    const rows = await getDb(c.env)
      .select(userColumns)
      .from(friendships)
      .innerJoin(users, eq(users.id, friendships.friendId))
      .where(eq(friendships.userId, c.var.user.id))
      .orderBy(asc(users.displayName), asc(users.username));
    return c.json({ friends: rows });
  })
  .post("/", valid("json", AddFriendBody), async (c) => {
    const me = c.var.user;
    const { username } = c.req.valid("json");
    if (username === me.username) throw new ApiError(400, "cannot_add_self", "That's your own ID.");
    const db = getDb(c.env);
    const friend = await db.select(userColumns).from(users).where(eq(users.username, username)).get();
    if (!friend) throw new ApiError(404, "user_not_found", "No one has that ID.");
    // One way, as in KakaoTalk: they become my friend; nothing is added to, or told to, them.
    const added = await db.insert(friendships).values({ userId: me.id, friendId: friend.id, createdAt: Date.now() }).onConflictDoNothing().returning();
    if (added.length === 0) throw new ApiError(409, "already_friends", "You are already friends.");
    c.executionCtx.waitUntil(userHub(c.env, me.id).friendAdded(friend));
    return c.json({ friend }, 201);
  });

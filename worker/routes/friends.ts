import { and, asc, desc, eq } from "drizzle-orm";
import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { AddFriendBody, FriendSettingsBody } from "../contract";
import { getDb } from "../db/client";
import { friendships, users } from "../db/schema";
import { userColumns } from "../db/views";
import { userHub } from "../lib/hubs";
import { ApiError } from "../lib/errors";
import { valid } from "../lib/validate";
import { requireUser } from "../middleware/auth";

export const friendRoutes = new Hono<AppEnv>()
  .use(requireUser)
  // 즐겨찾기 first, then by name.
  .get("/", async (c) => {
    const rows = await getDb(c.env)
      .select({ ...userColumns, favorite: friendships.favorite })
      .from(friendships)
      .innerJoin(users, eq(users.id, friendships.friendId))
      .where(eq(friendships.userId, c.var.user.id))
      .orderBy(desc(friendships.favorite), asc(users.displayName), asc(users.username));
    return c.json({ friends: rows });
  })
  .put("/:id", valid("json", FriendSettingsBody), async (c) => {
    const db = getDb(c.env);
    const { favorite } = c.req.valid("json");
    const [row] = await db
      .update(friendships)
      .set({ favorite })
      .where(and(eq(friendships.userId, c.var.user.id), eq(friendships.friendId, c.req.param("id"))))
      .returning({ friendId: friendships.friendId });
    if (!row) throw new ApiError(404, "user_not_found", "This person is not in your friends.");
    const friend = await db.select(userColumns).from(users).where(eq(users.id, row.friendId)).get();
    return c.json({ friend: { ...friend!, favorite } });
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

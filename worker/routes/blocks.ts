import { and, asc, eq } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { BlockBody, BlockParam } from "../contract";
import { type Db, getDb } from "../db/client";
import { blocks, friendships, roomMembers, rooms, users } from "../db/schema";
import { userColumns } from "../db/views";
import { ApiError } from "../lib/errors";
import { chatRoom, userHub } from "../lib/hubs";
import { valid } from "../lib/validate";
import { requireUser } from "../middleware/auth";

const mine = alias(roomMembers, "mine");
const theirs = alias(roomMembers, "theirs");

/** The rooms both users are in: each must hide (or stop hiding) the blocked's messages from the blocker. */
const sharedRooms = (db: Db, a: string, b: string) =>
  db
    .select({ id: rooms.id, kind: rooms.kind })
    .from(mine)
    .innerJoin(theirs, and(eq(theirs.roomId, mine.roomId), eq(theirs.userId, b)))
    .innerJoin(rooms, eq(rooms.id, mine.roomId))
    .where(eq(mine.userId, a));

/**
 * Tells every room the two share, before answering, so the next message is already filtered. A
 * group room is told too (a user is in few rooms with any one person); a call that fails is made
 * good by the room's own reading of D1's `blocks` when it next wakes (room-blocks.ts).
 */
const tellRooms = async (env: Env, db: Db, blockerId: string, blockedId: string, standing: boolean, at: number) => {
  const shared = await sharedRooms(db, blockerId, blockedId);
  await Promise.all(shared.map((r) => chatRoom(env, r.id).blockChanged(blockerId, blockedId, standing, at)));
  return shared;
};

/** Blocks (docs/api.md, "Blocks"): the caller's own list; nothing tells the blocked. */
export const blockRoutes = new Hono<AppEnv>()
  .use(requireUser)
  .get("/", async (c) => {
    const rows = await getDb(c.env)
      .select(userColumns)
      .from(blocks)
      .innerJoin(users, eq(users.id, blocks.blockedId))
      .where(eq(blocks.userId, c.var.user.id))
      .orderBy(asc(users.displayName), asc(users.username));
    return c.json({ blocked: rows });
  })
  .post("/", valid("json", BlockBody), async (c) => {
    const me = c.var.user;
    const { userId } = c.req.valid("json");
    if (userId === me.id) throw new ApiError(400, "cannot_block_self", "You cannot block yourself.", { userId: "that is you" });
    const db = getDb(c.env);
    const target = await db.select(userColumns).from(users).where(eq(users.id, userId)).get();
    if (!target) throw new ApiError(404, "user_not_found", "No such user.");
    const now = Date.now();
    const [, [row]] = await db.batch([
      db.insert(blocks).values({ userId: me.id, blockedId: userId, createdAt: now }).onConflictDoNothing(),
      db.select({ createdAt: blocks.createdAt }).from(blocks).where(and(eq(blocks.userId, me.id), eq(blocks.blockedId, userId))),
      // Blocking someone takes them off my friends; my row in their list is theirs and stays.
      db.delete(friendships).where(and(eq(friendships.userId, me.id), eq(friendships.friendId, userId))),
    ]);
    const shared = await tellRooms(c.env, db, me.id, userId, true, row!.createdAt);
    // A 1:1 room with someone I block leaves my list (every tab of mine).
    const direct = shared.find((r) => r.kind === "direct");
    if (direct) await userHub(c.env, me.id).roomRemoved(direct.id);
    return c.json({ blocked: target });
  })
  .delete("/:userId", valid("param", BlockParam), async (c) => {
    const me = c.var.user;
    const { userId } = c.req.valid("param");
    const db = getDb(c.env);
    const removed = await db.delete(blocks).where(and(eq(blocks.userId, me.id), eq(blocks.blockedId, userId))).returning();
    if (removed.length === 0) throw new ApiError(404, "user_not_found", "You have not blocked this user.");
    await tellRooms(c.env, db, me.id, userId, false, Date.now());
    return c.body(null, 204);
  });

import { and, eq, inArray, sql } from "drizzle-orm";
import { Hono } from "hono";
import type { MembershipChange, MembershipRefusal } from "../../durable-objects/room-membership";
import type { AppEnv } from "../app-env";
import { CreateGroupBody, InviteBody, RenameBody } from "../contract";
import { loadRooms } from "../db/chat-list";
import { type Db, getDb } from "../db/client";
import { blocks, friendships, users } from "../db/schema";
import { ApiError } from "../lib/errors";
import { chatRoom } from "../lib/hubs";
import { HOUR, hit } from "../lib/rate-limit";
import { valid } from "../lib/validate";
import { requireMember, roomNotFound } from "../middleware/room-member";

const refusals: Record<MembershipRefusal, (ids?: string[]) => ApiError> = {
  room_not_found: roomNotFound,
  not_a_group: () => new ApiError(400, "not_a_group", "This is a 1:1 chat: start a new group chat instead."),
  already_member: (ids = []) => ApiError.about(409, "already_member", "Some of them are in this chat already.", ids),
  room_full: () => new ApiError(409, "room_full", "A group chat has at most 500 members."),
  // Membership is D1's to hold: with D1 failing, the change is refused whole and worth retrying.
  store_failed: () => new ApiError(503, "store_failed", "The change was not saved; try again.", undefined, { "Retry-After": "1" }),
};

/**
 * Every id must be a user who is the caller's friend: one statement whatever the number of ids (the
 * list is one JSON parameter: D1 binds at most 100).
 */
const requireFriends = async (db: Db, meId: string, ids: string[]): Promise<void> => {
  const rows = await db
    .select({ id: users.id, friend: sql<number>`exists (select 1 from ${friendships} where ${friendships.userId} = ${meId} and ${friendships.friendId} = ${users.id})` })
    .from(users)
    .where(inArray(users.id, sql`(select value from json_each(${JSON.stringify(ids)}))`));
  const found = new Set(rows.map((r) => r.id));
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length > 0) throw ApiError.about(404, "user_not_found", "No such user.", missing);
  const strangers = rows.filter((r) => !r.friend).map((r) => r.id);
  if (strangers.length > 0) throw ApiError.about(403, "not_friends", "Add them as friends first.", strangers);
};

/**
 * The ids less those who block the caller: a blocked user's create or invite skips them without a
 * word (docs/security.md, "Blocks"), so nothing tells the blocked.
 */
const withoutBlockers = async (db: Db, meId: string, ids: string[]): Promise<string[]> => {
  const blockers = await db
    .select({ id: blocks.userId })
    .from(blocks)
    .where(and(eq(blocks.blockedId, meId), inArray(blocks.userId, sql`(select value from json_each(${JSON.stringify(ids)}))`)));
  return ids.filter((id) => !blockers.some((b) => b.id === id));
};

/**
 * Counts a group change by the caller (create, invite, rename: each a system message in other
 * people's chats) against `GROUP_CHANGES_PER_HOUR`; 429 past it. Leaving is not counted.
 */
const countGroupChange = (env: Env, userId: string): Promise<void> =>
  hit(env, { key: `group-changes:${userId}`, limit: Number(env.GROUP_CHANGES_PER_HOUR), ms: HOUR });

/** Asks the room's object for the change (it serialises them with the room's sends); a refusal becomes its error. */
const change = async (env: Env, roomId: string, what: MembershipChange): Promise<void> => {
  const outcome = await chatRoom(env, roomId).changeMembers(what);
  if (!outcome.ok) throw refusals[outcome.code](outcome.ids);
};

const fullRoom = async (db: Db, userId: string, roomId: string) => {
  const [room] = await loadRooms(db, userId, { roomId, allMembers: true });
  if (!room) throw roomNotFound();
  return room;
};

/** Group rooms: create, invite, leave, rename (docs/api.md, "Group rooms"). Mounted under /api/rooms, after requireUser. */
export const groupRoutes = new Hono<AppEnv>()
  .post("/group", valid("json", CreateGroupBody), async (c) => {
    const me = c.var.user;
    const { memberIds, title } = c.req.valid("json");
    if (memberIds.includes(me.id)) throw new ApiError(400, "invalid", "memberIds: must not include you", { memberIds: "must not include you" });
    await countGroupChange(c.env, me.id);
    const db = getDb(c.env);
    await requireFriends(db, me.id, memberIds);
    const roomId = crypto.randomUUID();
    await change(c.env, roomId, { type: "create", actorId: me.id, memberIds: await withoutBlockers(db, me.id, memberIds), title });
    return c.json({ room: await fullRoom(db, me.id, roomId) }, 201);
  })
  .post("/:id/members", requireMember, valid("json", InviteBody), async (c) => {
    const me = c.var.user;
    const roomId = c.req.param("id");
    const { userIds } = c.req.valid("json");
    await countGroupChange(c.env, me.id);
    const db = getDb(c.env);
    await requireFriends(db, me.id, userIds.filter((id) => id !== me.id));
    const invited = await withoutBlockers(db, me.id, userIds);
    if (invited.length > 0) await change(c.env, roomId, { type: "invite", actorId: me.id, userIds: invited });
    return c.json({ room: await fullRoom(db, me.id, roomId) });
  })
  .post("/:id/leave", requireMember, async (c) => {
    await change(c.env, c.req.param("id"), { type: "leave", actorId: c.var.user.id });
    return c.body(null, 204);
  })
  .patch("/:id", requireMember, valid("json", RenameBody), async (c) => {
    const roomId = c.req.param("id");
    await countGroupChange(c.env, c.var.user.id);
    await change(c.env, roomId, { type: "rename", actorId: c.var.user.id, title: c.req.valid("json").title });
    return c.json({ room: await fullRoom(getDb(c.env), c.var.user.id, roomId) });
  });


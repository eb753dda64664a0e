import { and, eq, sql } from "drizzle-orm";
import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { DirectRoomBody, MessagesQuery, ReadBody, RoomsQuery, SendBody } from "../contract";
import { getDb } from "../db/client";
import { newMemberRow } from "../db/member-row";
import { friendships, roomMembers, rooms, users } from "../db/schema";
import { loadChatList, loadRooms } from "../db/chat-list";
import { ApiError } from "../lib/errors";
import { forwardUpgrade } from "../lib/forward-socket";
import { chatRoom } from "../lib/hubs";
import { valid } from "../lib/validate";
import { requireUser } from "../middleware/auth";
import { requireMember, roomNotFound } from "../middleware/room-member";
import { websocketGuard } from "../middleware/websocket";
import { groupRoutes } from "./rooms-groups";

/** A refused `POST …/messages`, by the room's reason; each is worth retrying with the same clientId. */
const sendRefused = {
  rate_limited: () => new ApiError(429, "rate_limited", "Sending too fast; resend this one shortly.", undefined, { "Retry-After": "1" }),
  out_of_order: () => new ApiError(409, "out_of_order", "The message written before this one (after) is not stored yet; send that one first."),
  store_failed: () => new ApiError(503, "store_failed", "The message was not saved; resend it with the same clientId.", undefined, { "Retry-After": "1" }),
  // The sender left the group while the send waited its turn.
  not_member: roomNotFound,
};

/** A room as a member sees it, from its object; a member the object does not know (left meanwhile) is answered like a stranger. */
const roomView = async (env: Env, roomId: string, userId: string) => {
  const room = await chatRoom(env, roomId).view(userId);
  if (!room) throw roomNotFound();
  return room;
};

export const roomRoutes = new Hono<AppEnv>()
  .use("/:id/ws", websocketGuard)
  .use(requireUser)
  .get("/", valid("query", RoomsQuery), async (c) => c.json(await loadChatList(getDb(c.env), c.var.user.id, c.req.valid("query"))))
  .post("/direct", valid("json", DirectRoomBody), async (c) => {
    const me = c.var.user;
    const { userId } = c.req.valid("json");
    if (userId === me.id) throw new ApiError(400, "cannot_chat_with_self", "You cannot open a 1:1 chat with yourself.", { userId: "that is you" });
    const db = getDb(c.env);
    const [target, friendship] = await db.batch([
      db.select({ id: users.id }).from(users).where(eq(users.id, userId)),
      db.select({ userId: friendships.userId }).from(friendships).where(and(eq(friendships.userId, me.id), eq(friendships.friendId, userId))),
    ]);
    if (target.length === 0) throw new ApiError(404, "user_not_found", "No such user.");
    if (friendship.length === 0) throw new ApiError(403, "not_friends", "Add this person as a friend first.");
    // Both sides may click at once: the unique pair key lets one insert win and both read the winner.
    const pairKey = [me.id, userId].sort().join(":");
    const now = Date.now();
    const joinWinner = (memberId: string) =>
      db
        .insert(roomMembers)
        .select(
          db
            .select(newMemberRow(rooms.id, memberId, 0, now))
            .from(rooms)
            .where(eq(rooms.pairKey, pairKey)),
        )
        .onConflictDoNothing();
    await db.batch([
      db.insert(rooms).values({ id: crypto.randomUUID(), kind: "direct", pairKey, updatedAt: now }).onConflictDoNothing({ target: rooms.pairKey }),
      joinWinner(me.id),
      joinWinner(userId),
    ]);
    const winner = await db.select({ id: rooms.id }).from(rooms).where(eq(rooms.pairKey, pairKey)).get();
    // From D1, without waking the room's object: the room socket's hello brings it current.
    const [room] = await loadRooms(db, me.id, { roomId: winner!.id, allMembers: true });
    return c.json({ room });
  })
  // The room's own object answers from its log: D1's copy may be a write-behind window behind.
  .get("/:id", requireMember, async (c) => c.json({ room: await roomView(c.env, c.req.param("id"), c.var.user.id) }))
  .get("/:id/messages", requireMember, valid("query", MessagesQuery), async (c) => {
    const page = await chatRoom(c.env, c.req.param("id")).history(c.var.user.id, c.req.valid("query"));
    if (!page) throw roomNotFound();
    return c.json(page);
  })
  .post("/:id/read", requireMember, valid("json", ReadBody), async (c) => {
    const roomId = c.req.param("id");
    await chatRoom(c.env, roomId).markRead(c.var.user.id, c.req.valid("json").seq);
    return c.body(null, 204);
  })
  .post("/:id/messages", requireMember, valid("json", SendBody), async (c) => {
    const outcome = await chatRoom(c.env, c.req.param("id")).send(c.var.user.id, c.req.valid("json"));
    if (outcome.ok) return c.json({ message: outcome.message }, 201);
    throw sendRefused[outcome.code]();
  })
  .get("/:id/ws", requireMember, (c) => forwardUpgrade(c, chatRoom(c.env, c.req.param("id"))))
  .route("/", groupRoutes);

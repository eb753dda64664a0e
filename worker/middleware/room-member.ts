import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { getDb } from "../db/client";
import { membership } from "../db/views";
import { ApiError } from "../lib/errors";

export const roomNotFound = () => new ApiError(404, "room_not_found", "No such room.");

/**
 * A room the caller is not in (never was, or left) answers exactly like a room that does not exist.
 * Sets the caller's `joinedSeq`: they see the room's messages from it on.
 */
export const requireMember = createMiddleware<AppEnv, "/:id/*" | "/:id">(async (c, next) => {
  const roomId = c.req.param("id");
  const found = roomId.length > 64 ? undefined : await membership(getDb(c.env), roomId, c.var.user.id);
  if (!found) throw roomNotFound();
  c.set("joinedSeq", found.joinedSeq);
  await next();
});

import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { ApiError } from "../lib/errors";
import { isAllowedOrigin } from "../lib/origin";

/** Runs before authentication on upgrade routes so a foreign page learns nothing beyond 403. */
export const websocketGuard = createMiddleware<AppEnv>(async (c, next) => {
  // Other methods fall through to the 405 for this path.
  if (c.req.method !== "GET") return next();
  if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
    throw new ApiError(426, "upgrade_required", "This endpoint only accepts WebSocket upgrades.");
  }
  if (!isAllowedOrigin(c.req.raw, c.env)) throw new ApiError(403, "bad_origin", "This origin may not open sockets here.");
  await next();
});

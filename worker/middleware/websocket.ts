import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { ApiError } from "../lib/errors";
import { wrongMethod } from "../lib/method-not-allowed";
import { isAllowedOrigin } from "../lib/origin";

/**
 * Runs before authentication on upgrade routes, for every method, so a foreign page learns nothing
 * beyond 403 and only a GET upgrade ever reaches a Durable Object. Hono hands HEAD to GET handlers:
 * answered here, a HEAD with a cookie would otherwise reach the object and register a socket.
 */
export const websocketGuard = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.method !== "GET") throw wrongMethod(["GET"]);
  if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
    throw new ApiError(426, "upgrade_required", "This endpoint only accepts WebSocket upgrades.");
  }
  if (!isAllowedOrigin(c.req.raw, c.env)) throw new ApiError(403, "bad_origin", "This origin may not open sockets here.");
  await next();
});

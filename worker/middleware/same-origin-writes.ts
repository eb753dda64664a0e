import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { ApiError } from "../lib/errors";
import { isAllowedOrigin } from "../lib/origin";

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Defence in depth beside SameSite=Lax: a browser names the page that sent a write in Origin,
 * so a write from another site is refused. Clients that send no Origin (curl, servers) pass.
 */
export const sameOriginWrites = createMiddleware<AppEnv>(async (c, next) => {
  if (!SAFE.has(c.req.method) && c.req.header("Origin") !== undefined && !isAllowedOrigin(c.req.raw, c.env)) {
    throw new ApiError(403, "bad_origin", "Requests from other sites are not accepted.");
  }
  await next();
});

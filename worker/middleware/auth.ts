import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { ApiError } from "../lib/errors";
import { readSession } from "../lib/session";

/** Every route behind this needs a live session; the user and session land in `c.var`. */
export const requireUser = createMiddleware<AppEnv>(async (c, next) => {
  const found = await readSession(c);
  if (!found) throw new ApiError(401, "unauthenticated", "Log in to continue.");
  c.set("user", found.user);
  c.set("session", found.session);
  await next();
});

import { eq } from "drizzle-orm";
import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { UpdateMeBody } from "../contract";
import { getDb } from "../db/client";
import { users } from "../db/schema";
import { userColumns } from "../db/views";
import { userHub } from "../lib/hubs";
import { valid } from "../lib/validate";
import { requireUser } from "../middleware/auth";

export const meRoutes = new Hono<AppEnv>()
  .use(requireUser)
  .get("/", (c) => c.json({ user: c.var.user }))
  .patch("/", valid("json", UpdateMeBody), async (c) => {
    const { displayName } = c.req.valid("json");
    const user = (await getDb(c.env).update(users).set({ displayName }).where(eq(users.id, c.var.user.id)).returning(userColumns).get())!;
    c.executionCtx.waitUntil(userHub(c.env, user.id).profileChanged(user));
    return c.json({ user });
  });

import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { forwardUpgrade } from "../lib/forward-socket";
import { userHub } from "../lib/hubs";
import { requireUser } from "../middleware/auth";
import { websocketGuard } from "../middleware/websocket";

export const eventRoutes = new Hono<AppEnv>()
  .use("/", websocketGuard)
  .get("/", requireUser, (c) => forwardUpgrade(c, userHub(c.env, c.var.user.id)));

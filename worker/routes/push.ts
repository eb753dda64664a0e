import { and, desc, eq, ne, notInArray } from "drizzle-orm";
import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { LIMITS, PushSubscriptionBody, PushUnsubscribeBody } from "../contract";
import { getDb } from "../db/client";
import { pushSubscriptions } from "../db/schema";
import { ApiError } from "../lib/errors";
import { pushEnabled } from "../lib/push-sender";
import { valid } from "../lib/validate";
import { requireUser } from "../middleware/auth";

const disabled = () => new ApiError(404, "push_disabled", "Push notifications are not set up on this server.");

export const pushRoutes = new Hono<AppEnv>()
  .use(requireUser)
  .get("/key", (c) => {
    if (!pushEnabled(c.env)) throw disabled();
    return c.json({ publicKey: c.env.VAPID_PUBLIC_KEY });
  })
  .post("/subscriptions", valid("json", PushSubscriptionBody), async (c) => {
    if (!pushEnabled(c.env)) throw disabled();
    const { endpoint, keys } = c.req.valid("json");
    const userId = c.var.user.id;
    const row = { userId, sessionId: c.var.session.id, p256dh: keys.p256dh, auth: keys.auth, createdAt: Date.now() };
    const db = getDb(c.env);
    // One row per endpoint: a device that subscribes again, or now for someone else, is re-owned
    // by the caller. Then this one and the newest others up to the limit stay.
    const others = and(eq(pushSubscriptions.userId, userId), ne(pushSubscriptions.endpoint, endpoint));
    const kept = db
      .select({ endpoint: pushSubscriptions.endpoint })
      .from(pushSubscriptions)
      .where(others)
      .orderBy(desc(pushSubscriptions.createdAt), desc(pushSubscriptions.endpoint))
      .limit(LIMITS.pushSubscriptionsMax - 1);
    await db.batch([
      db.insert(pushSubscriptions).values({ endpoint, ...row }).onConflictDoUpdate({ target: pushSubscriptions.endpoint, set: row }),
      db.delete(pushSubscriptions).where(and(others, notInArray(pushSubscriptions.endpoint, kept))),
    ]);
    return c.body(null, 204);
  })
  .delete("/subscriptions", valid("json", PushUnsubscribeBody), async (c) => {
    const { endpoint } = c.req.valid("json");
    await getDb(c.env)
      .delete(pushSubscriptions)
      .where(and(eq(pushSubscriptions.endpoint, endpoint), eq(pushSubscriptions.userId, c.var.user.id)));
    return c.body(null, 204);
  });

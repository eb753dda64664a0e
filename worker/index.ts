import { Hono } from "hono";
import { secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "./app-env";
import { ApiError, errorResponse } from "./lib/errors";
import { methodNotAllowed } from "./lib/method-not-allowed";
import { authRoutes } from "./routes/auth";
import { eventRoutes } from "./routes/events";
import { friendRoutes } from "./routes/friends";
import { meRoutes } from "./routes/me";
import { sameOriginWrites } from "./middleware/same-origin-writes";
import { roomRoutes } from "./routes/rooms";

export { ChatRoom } from "../durable-objects/chat-room";
export { UserHub } from "../durable-objects/user-hub";

const isUpgrade = (req: Request) => req.headers.get("Upgrade")?.toLowerCase() === "websocket";
const apiHeaders = secureHeaders({
  contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  referrerPolicy: "strict-origin-when-cross-origin",
  crossOriginResourcePolicy: "same-origin",
});

const app = new Hono<AppEnv>().basePath("/api");

// 101 responses have immutable headers, so header middleware stays off upgrades.
app.use((c, next) => (isUpgrade(c.req.raw) ? next() : apiHeaders(c, next)));
app.use(async (c, next) => {
  await next();
  if (!isUpgrade(c.req.raw)) c.header("Cache-Control", "no-store");
});

app.use(sameOriginWrites);

app.get("/health", (c) => c.json({ ok: true }));
app.route("/auth", authRoutes);
app.route("/me", meRoutes);
app.route("/friends", friendRoutes);
app.route("/rooms", roomRoutes);
app.route("/events", eventRoutes);

const wrongMethod = methodNotAllowed(app);
app.notFound((c) => errorResponse(c, wrongMethod(c.req.raw) ?? new ApiError(404, "not_found", "No such endpoint.")));
app.onError((err, c) => errorResponse(c, err));

export default app;

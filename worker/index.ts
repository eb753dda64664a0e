import { Hono } from "hono";
import type { AppEnv } from "./app-env";
import { ApiError, errorResponse } from "./lib/errors";
import { methodNotAllowed } from "./lib/method-not-allowed";
import { apiHeaders } from "./middleware/api-headers";
import { sameOriginWrites } from "./middleware/same-origin-writes";
import { authRoutes } from "./routes/auth";
import { eventRoutes } from "./routes/events";
import { blockRoutes } from "./routes/blocks";
import { friendRoutes } from "./routes/friends";
import { meRoutes } from "./routes/me";
import { pushRoutes } from "./routes/push";
import { roomRoutes } from "./routes/rooms";

export { ChatRoom } from "../durable-objects/chat-room";
export { D1Writer } from "../durable-objects/d1-writer";
export { UserHub } from "../durable-objects/user-hub";

const app = new Hono<AppEnv>().basePath("/api");

app.use(apiHeaders);
app.use(sameOriginWrites);

app.get("/health", (c) => c.json({ ok: true }));
app.route("/auth", authRoutes);
app.route("/me", meRoutes);
app.route("/friends", friendRoutes);
app.route("/blocks", blockRoutes);
app.route("/rooms", roomRoutes);
app.route("/events", eventRoutes);
app.route("/push", pushRoutes);

const wrongMethod = methodNotAllowed(app);
app.notFound((c) => errorResponse(c, wrongMethod(c.req.raw) ?? new ApiError(404, "not_found", "No such endpoint.")));
app.onError((err, c) => errorResponse(c, err));

export default app;

import type { Context } from "hono";
import { TRUSTED } from "../../durable-objects/socket-io";
import type { AppEnv } from "../app-env";

/**
 * Hands an authenticated upgrade to a Durable Object. The forwarded request is built from scratch,
 * so identity headers a client might have sent never reach the object.
 */
export const forwardUpgrade = (c: Context<AppEnv>, stub: { fetch(req: Request): Promise<Response> }) => {
  const headers = new Headers({
    Upgrade: "websocket",
    [TRUSTED.userId]: c.var.user.id,
    [TRUSTED.sessionId]: c.var.session.id,
    [TRUSTED.sessionExpires]: String(c.var.session.expiresAt),
  });
  return stub.fetch(new Request(c.req.url, { headers }));
};

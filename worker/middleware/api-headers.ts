import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";

/** What every /api answer carries: JSON that is never framed, sniffed, cached or read cross-site. */
const HEADERS: Record<string, string> = {
  "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "strict-origin-when-cross-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
  "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
  "Cache-Control": "no-store",
};

/** Set after the handler, on everything but a 101: an accepted upgrade's headers are immutable. */
export const apiHeaders = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  if (c.res.status === 101) return;
  for (const [name, value] of Object.entries(HEADERS)) c.res.headers.set(name, value);
});

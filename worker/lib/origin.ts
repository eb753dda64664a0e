/**
 * WebSocket upgrades carry cookies from any site, so the Origin header is the only thing that
 * stops cross-site WebSocket hijacking: exact match against our own origin or the dev list.
 */
export const isAllowedOrigin = (req: Request, env: Env): boolean => {
  const origin = req.headers.get("Origin");
  if (!origin) return false;
  if (origin === new URL(req.url).origin) return true;
  return env.ALLOWED_ORIGINS.split(",").map((o) => o.trim()).filter(Boolean).includes(origin);
};

import type { Hono } from "hono";
import { PatternRouter } from "hono/router/pattern-router";
import { ApiError } from "./errors";

/**
 * Hono answers 404 for a known path with the wrong method; the contract wants 405 with Allow.
 * Builds a path-only index of the app's routes and gives the 405 for paths that exist under other methods.
 */
export const methodNotAllowed = (app: Hono<any>) => {
  let router: PatternRouter<string> | undefined;
  return (req: Request): ApiError | undefined => {
    if (!router) {
      router = new PatternRouter<string>();
      for (const r of app.routes) if (r.method !== "ALL") router.add("ALL", r.path, r.method);
    }
    const [matches] = router.match("ALL", new URL(req.url).pathname);
    const allowed = [...new Set(matches.map(([method]) => method))];
    return allowed.length === 0 ? undefined : wrongMethod(allowed);
  };
};

/** The contract's 405: which methods the path takes, in the message and in `Allow`. */
export const wrongMethod = (allowed: string[]): ApiError =>
  new ApiError(405, "method_not_allowed", `Use ${allowed.join(", ")} here.`, undefined, { Allow: allowed.join(", ") });

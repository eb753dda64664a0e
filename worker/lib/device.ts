import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import { jwtVerify } from "jose";
import type { AppEnv } from "../app-env";
import { ISSUER, secretKey, setTokenCookie, signToken } from "./session";

/**
 * OWASP's device cookie: a browser that logged in to a username carries a signed token naming that
 * username, and its later attempts for it are limited on their own instead of with everyone's. It
 * proves nothing else: it is not a session, outlives logout, and a new login replaces it.
 */
const DEVICE_COOKIE = "device";
const AUDIENCE = "talk-edge/device";
const DEVICE_DAYS = 365;

export const trustDevice = async (c: Context<AppEnv>, username: string): Promise<void> => {
  const now = Date.now();
  const expires = now + DEVICE_DAYS * 86_400_000;
  // Only the auth routes read it, and only same-site requests need it.
  const token = await signToken(c.env, { audience: AUDIENCE, subject: username, claims: { did: crypto.randomUUID() }, issuedAt: now, expires });
  setTokenCookie(c, DEVICE_COOKIE, token, { expires, sameSite: "Strict", path: "/api/auth" });
};

/** The id of this browser's device cookie if it was issued for `username`, else null. */
export const knownDevice = async (c: Context<AppEnv>, username: string): Promise<string | null> => {
  const token = getCookie(c, DEVICE_COOKIE);
  if (!token) return null;
  const key = secretKey(c.env);
  try {
    const { payload } = await jwtVerify(token, key, { algorithms: ["HS256"], issuer: ISSUER, audience: AUDIENCE, subject: username, requiredClaims: ["exp", "did"] });
    return typeof payload.did === "string" ? payload.did : null;
  } catch {
    return null;
  }
};

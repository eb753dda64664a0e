import { and, eq, gt, isNull } from "drizzle-orm";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { SignJWT, jwtVerify } from "jose";
import * as v from "valibot";
import type { AppEnv, SessionInfo } from "../app-env";
import type { User } from "../contract";
import { getDb } from "../db/client";
import { sessions, users } from "../db/schema";
import { userColumns } from "../db/views";

const SESSION_COOKIE = "session";
export const ISSUER = "talk-edge";
const AUDIENCE = "talk-edge/web";
const SESSION_DAYS = 30;

/**
 * The claims we read, checked like any input: a token signed with our secret but carrying a
 * non-string `sub` or `sid` (an old format, a bug, a leaked secret) is a 401, never a 500 from the
 * database query it would feed.
 */
const SessionClaims = v.object({
  sub: v.pipe(v.string(), v.minLength(1), v.maxLength(64)),
  sid: v.pipe(v.string(), v.minLength(1), v.maxLength(64)),
});

export const secretKey = (env: Env) => {
  if (!env.JWT_SECRET || env.JWT_SECRET.length < 32) throw new Error("JWT_SECRET is missing or shorter than 32 characters");
  return new TextEncoder().encode(env.JWT_SECRET);
};

/** The session cookie's value for a sessions row: a JWT naming the row (`sid`) and its user. */
export const signSession = (env: Env, session: { id: string; userId: string; createdAt: number; expiresAt: number }): Promise<string> =>
  new SignJWT({ sid: session.id })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(session.userId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(Math.floor(session.createdAt / 1000))
    .setExpirationTime(Math.floor(session.expiresAt / 1000))
    .sign(secretKey(env));

/** Creates a revocable session row and sets its signed cookie. */
export const startSession = async (c: Context<AppEnv>, userId: string): Promise<void> => {
  const now = Date.now();
  const session = { id: crypto.randomUUID(), userId, createdAt: now, expiresAt: now + SESSION_DAYS * 86_400_000 };
  await getDb(c.env).insert(sessions).values(session);
  const token = await signSession(c.env, session);
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: "Lax",
    secure: new URL(c.req.url).protocol === "https:",
    path: "/",
    expires: new Date(session.expiresAt),
  });
};

export const clearSessionCookie = (c: Context<AppEnv>): void => {
  deleteCookie(c, SESSION_COOKIE, { path: "/", secure: new URL(c.req.url).protocol === "https:" });
};

/** The user and session behind the request's cookie, or null when it is missing, forged, expired or revoked. */
export const readSession = async (c: Context<AppEnv>): Promise<{ user: User; session: SessionInfo } | null> => {
  const token = getCookie(c, SESSION_COOKIE);
  if (!token) return null;
  // Outside the try: a missing secret is our fault (a 500 in the logs), not the visitor's 401.
  const key = secretKey(c.env);
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, key, {
      algorithms: ["HS256"],
      issuer: ISSUER,
      audience: AUDIENCE,
      requiredClaims: ["sub", "exp", "sid"],
    }));
  } catch {
    return null;
  }
  const parsed = v.safeParse(SessionClaims, payload);
  if (!parsed.success) return null;
  const claims = parsed.output;
  const row = await getDb(c.env)
    .select({ user: userColumns, expiresAt: sessions.expiresAt })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(
      and(eq(sessions.id, claims.sid), eq(sessions.userId, claims.sub), isNull(sessions.revokedAt), gt(sessions.expiresAt, Date.now())),
    )
    .get();
  return row ? { user: row.user, session: { id: claims.sid, expiresAt: row.expiresAt } } : null;
};

export const revokeSession = async (env: Env, sessionId: string): Promise<void> => {
  await getDb(env).update(sessions).set({ revokedAt: Date.now() }).where(eq(sessions.id, sessionId));
};

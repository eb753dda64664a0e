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

/** Signs one of our tokens (a session, a device); `audience` keeps one kind from passing for another. */
export const signToken = (
  env: Env,
  token: { audience: string; subject: string; claims: Record<string, string>; issuedAt: number; expires: number },
): Promise<string> =>
  new SignJWT(token.claims)
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(token.subject)
    .setIssuer(ISSUER)
    .setAudience(token.audience)
    .setIssuedAt(Math.floor(token.issuedAt / 1000))
    .setExpirationTime(Math.floor(token.expires / 1000))
    .sign(secretKey(env));

/** The session cookie's value for a sessions row: a JWT naming the row (`sid`) and its user. */
export const signSession = (env: Env, session: { id: string; userId: string; createdAt: number; expiresAt: number }): Promise<string> =>
  signToken(env, { audience: AUDIENCE, subject: session.userId, claims: { sid: session.id }, issuedAt: session.createdAt, expires: session.expiresAt });

/** Sets a signed token as an HttpOnly cookie that expires with it. */
export const setTokenCookie = (c: Context<AppEnv>, name: string, token: string, opts: { expires: number; sameSite: "Lax" | "Strict"; path: string }): void =>
  setCookie(c, name, token, {
    httpOnly: true,
    sameSite: opts.sameSite,
    secure: new URL(c.req.url).protocol === "https:",
    path: opts.path,
    expires: new Date(opts.expires),
  });

/** Creates a revocable session row and sets its signed cookie. */
export const startSession = async (c: Context<AppEnv>, userId: string): Promise<void> => {
  const now = Date.now();
  const session = { id: crypto.randomUUID(), userId, createdAt: now, expiresAt: now + SESSION_DAYS * 86_400_000 };
  await getDb(c.env).insert(sessions).values(session);
  setTokenCookie(c, SESSION_COOKIE, await signSession(c.env, session), { expires: session.expiresAt, sameSite: "Lax", path: "/" });
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

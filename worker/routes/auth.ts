import { eq } from "drizzle-orm";
import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { LoginBody, RegisterBody } from "../contract";
import { getDb } from "../db/client";
import { users } from "../db/schema";
import { toUser, userColumns } from "../db/views";
import { userHub } from "../lib/hubs";
import { ApiError } from "../lib/errors";
import { knownDevice, trustDevice } from "../lib/device";
import { loginFailureWindows } from "../lib/login-limits";
import { decoyHash, hashPassword, verifyPassword } from "../lib/password";
import { HOUR, QUARTER, clientIp, forgive, hit } from "../lib/rate-limit";
import { clearSessionCookie, readSession, revokeSession, startSession } from "../lib/session";
import { valid } from "../lib/validate";

export const authRoutes = new Hono<AppEnv>()
  .post("/register", valid("json", RegisterBody), async (c) => {
    const { username, password, displayName } = c.req.valid("json");
    await hit(c.env, { key: `register:ip:${clientIp(c.req.raw)}`, limit: Number(c.env.REGISTER_LIMIT_PER_HOUR), ms: HOUR });
    const user = await getDb(c.env)
      .insert(users)
      .values({ id: crypto.randomUUID(), username, displayName: displayName ?? username, passwordHash: await hashPassword(password), createdAt: Date.now() })
      .onConflictDoNothing({ target: users.username })
      .returning(userColumns)
      .get();
    if (!user) throw new ApiError(409, "username_taken", "That ID is taken.", { username: "already taken" });
    await startSession(c, user.id);
    await trustDevice(c, username);
    return c.json({ user }, 201);
  })
  .post("/login", valid("json", LoginBody), async (c) => {
    const { username, password } = c.req.valid("json");
    const ip = clientIp(c.req.raw);
    await hit(c.env, { key: `login:ip:${ip}`, limit: Number(c.env.LOGIN_LIMIT_PER_IP), ms: QUARTER });
    // Counted before the password is checked, so parallel guesses cannot all slip under a limit;
    // a right password gives its attempts back.
    const failures = loginFailureWindows(c.env, username, ip, await knownDevice(c, username));
    for (const w of failures) await hit(c.env, w);
    const row = await getDb(c.env).select({ ...userColumns, passwordHash: users.passwordHash }).from(users).where(eq(users.username, username)).get();
    const ok = await verifyPassword(password, row?.passwordHash ?? (await decoyHash()));
    if (!row || !ok) throw new ApiError(401, "invalid_credentials", "Wrong ID or password.");
    for (const w of failures) await forgive(c.env, w);
    await startSession(c, row.id);
    await trustDevice(c, username);
    return c.json({ user: toUser(row) });
  })
  .post("/logout", async (c) => {
    const found = await readSession(c);
    clearSessionCookie(c);
    if (found) {
      await revokeSession(c.env, found.session.id);
      await userHub(c.env, found.user.id).closeSession(found.session.id);
    }
    return c.body(null, 204);
  });

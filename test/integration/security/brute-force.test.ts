/**
 * Brute force: password guessing is limited per username and address (or per username and the
 * browser that logged in to it before: its device cookie), per username across addresses for new
 * browsers only, and per IP (whatever usernames it tries); sign-ups per IP. No limit can be spent by
 * a stranger to lock an owner out of a browser they logged in from, and a guesser cannot tell an
 * unknown username from a wrong password by status, body or time.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, cookieFrom, register } from "../harness";
import { awayFromWindowEdge, cookieAttributes, counts, expectError, expectRateLimited, login, PASSWORD, setCookieNamed } from "./helpers";

const LOGIN_FAILURES_PER_CLIENT = 10;
const LOGIN_FAILURES_PER_USERNAME_PER_HOUR = 100;
const LOGIN_LIMIT_PER_IP = 60;
const REGISTER_LIMIT_PER_HOUR = 20;

const QUARTER = 15 * 60_000;
const HOUR = 3_600_000;

const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)]!;

/** Logs in with the right password and returns the browser's device cookie pair. */
const knownBrowser = async (username: string, ip: string): Promise<string> => {
  const res = await login(username, PASSWORD, ip);
  expect(res.status).toBe(200);
  return cookieFrom(res, "device");
};
const me = (cookie: string) => call("/api/me", { cookie });

it("the configured limits are the ones this file tests", () => {
  expect(Number(env.LOGIN_FAILURES_PER_CLIENT)).toBe(LOGIN_FAILURES_PER_CLIENT);
  expect(Number(env.LOGIN_FAILURES_PER_USERNAME_PER_HOUR)).toBe(LOGIN_FAILURES_PER_USERNAME_PER_HOUR);
  expect(Number(env.LOGIN_LIMIT_PER_IP)).toBe(LOGIN_LIMIT_PER_IP);
  expect(Number(env.REGISTER_LIMIT_PER_HOUR)).toBe(REGISTER_LIMIT_PER_HOUR);
});

describe("login, per username and address", () => {
  it(`after ${LOGIN_FAILURES_PER_CLIENT} failures from one address, that address gets 429 with Retry-After even for the right password; other addresses and usernames do not`, async () => {
    await awayFromWindowEdge(QUARTER, 8_000);
    const victim = await register();
    const bystander = await register();
    const ip = "10.1.0.1";
    for (let i = 0; i < LOGIN_FAILURES_PER_CLIENT; i++) {
      await expectError(await login(victim.user.username, `wrong-guess-${i}`, ip), 401, "invalid_credentials");
    }
    await expectRateLimited(await login(victim.user.username, PASSWORD, ip), 15 * 60);
    // Case and surrounding spaces do not make a fresh counter.
    await expectRateLimited(await login(`  ${victim.user.username.toUpperCase()} `, PASSWORD, ip), 15 * 60);
    // Another account from the same address, and the same account from another address, are unaffected.
    expect((await login(bystander.user.username, PASSWORD, ip)).status).toBe(200);
    expect((await login(victim.user.username, PASSWORD, "10.1.0.2")).status).toBe(200);
  }, 30_000);

  it(`${LOGIN_FAILURES_PER_CLIENT - 1} typos do not lock the owner out`, async () => {
    await awayFromWindowEdge(QUARTER, 8_000);
    const owner = await register();
    for (let i = 0; i < LOGIN_FAILURES_PER_CLIENT - 1; i++) {
      await expectError(await login(owner.user.username, `typo-${i}`, "10.2.0.1"), 401, "invalid_credentials");
    }
    expect((await login(owner.user.username, PASSWORD, "10.2.0.1")).status).toBe(200);
  }, 30_000);
});

describe("login: a guesser cannot lock the owner out", () => {
  it(`after ${LOGIN_FAILURES_PER_CLIENT} wrong passwords from ${LOGIN_FAILURES_PER_CLIENT} addresses the owner gets in from their known browser and from a new address; their open session never notices`, async () => {
    await awayFromWindowEdge(QUARTER, 8_000);
    const owner = await register();
    const device = await knownBrowser(owner.user.username, "10.6.0.100");
    for (let i = 0; i < LOGIN_FAILURES_PER_CLIENT; i++) {
      await expectError(await login(owner.user.username, `wrong-guess-${i}`, `10.6.0.${i + 1}`), 401, "invalid_credentials");
    }
    expect((await me(owner.cookie)).status).toBe(200);
    expect((await login(owner.user.username, PASSWORD, "10.6.0.100", device)).status).toBe(200);
    expect((await login(owner.user.username, PASSWORD, "10.6.1.1")).status).toBe(200);
  }, 30_000);

  it("a guesser behind the owner's address is refused there, while the owner's known browser on that address still gets in (and is limited on its own)", async () => {
    await awayFromWindowEdge(QUARTER, 8_000);
    const owner = await register();
    const ip = "10.7.0.1";
    const device = await knownBrowser(owner.user.username, ip);
    for (let i = 0; i < LOGIN_FAILURES_PER_CLIENT; i++) {
      await expectError(await login(owner.user.username, `wrong-guess-${i}`, ip), 401, "invalid_credentials");
    }
    await expectRateLimited(await login(owner.user.username, PASSWORD, ip), 15 * 60);
    expect((await login(owner.user.username, PASSWORD, ip, device)).status).toBe(200);
    // The known browser's own failures have their own limit: a stolen device cookie is no free pass.
    const fresh = await knownBrowser(owner.user.username, "10.7.0.2");
    for (let i = 0; i < LOGIN_FAILURES_PER_CLIENT; i++) {
      await expectError(await login(owner.user.username, `typo-${i}`, `10.7.1.${i + 1}`, fresh), 401, "invalid_credentials");
    }
    await expectRateLimited(await login(owner.user.username, PASSWORD, "10.7.2.1", fresh), 15 * 60);
  }, 30_000);
});

describe("login, per username across addresses", () => {
  it(`after ${LOGIN_FAILURES_PER_USERNAME_PER_HOUR} failures within the hour (${LOGIN_FAILURES_PER_CLIENT} from each of ${LOGIN_FAILURES_PER_USERNAME_PER_HOUR / LOGIN_FAILURES_PER_CLIENT} addresses), a new browser gets 429 even for the right password; the owner's known browser gets in and their session keeps working`, async () => {
    await awayFromWindowEdge(QUARTER, 60_000);
    const owner = await register();
    const other = await register();
    const device = await knownBrowser(owner.user.username, "10.8.0.1");
    const otherDevice = await knownBrowser(other.user.username, "10.8.0.2");
    const addresses = LOGIN_FAILURES_PER_USERNAME_PER_HOUR / LOGIN_FAILURES_PER_CLIENT;
    for (let a = 0; a < addresses; a++) {
      for (let i = 0; i < LOGIN_FAILURES_PER_CLIENT; i++) {
        await expectError(await login(owner.user.username, `wrong-${a}-${i}`, `10.8.${a + 1}.1`), 401, "invalid_credentials");
      }
    }
    // A fresh address with the right password, in any spelling: refused, without checking the password.
    await expectRateLimited(await login(owner.user.username, PASSWORD, "10.8.100.1"), 3600);
    await expectRateLimited(await login(` ${owner.user.username.toUpperCase()}`, PASSWORD, "10.8.100.2"), 3600);
    // A device cookie for another username, or a tampered one, is a new browser.
    await expectRateLimited(await login(owner.user.username, PASSWORD, "10.8.100.3", otherDevice), 3600);
    await expectRateLimited(await login(owner.user.username, PASSWORD, "10.8.100.4", `${device}x`), 3600);
    // The owner's known browser, from anywhere, and the open session.
    expect((await login(owner.user.username, PASSWORD, "10.8.100.5", device)).status).toBe(200);
    expect((await me(owner.cookie)).status).toBe(200);
    // Another username is untouched.
    expect((await login(other.user.username, PASSWORD, "10.8.100.6")).status).toBe(200);
  }, 120_000);
});

describe("the device cookie", () => {
  it("is set on sign-up and login: HttpOnly, SameSite=Strict, only for /api/auth, for a year; it is no session", async () => {
    const owner = await register();
    const res = await login(owner.user.username, PASSWORD, "10.10.0.1");
    expect(res.status).toBe(200);
    const { pair, attrs } = cookieAttributes(setCookieNamed(res, "device"));
    expect(pair).toMatch(/^device=[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(attrs.has("httponly")).toBe(true);
    expect(attrs.get("samesite")).toBe("Strict");
    expect(attrs.get("path")).toBe("/api/auth");
    expect(Date.parse(attrs.get("expires") ?? "")).toBeGreaterThan(Date.now() + 360 * 86_400_000);
    await expectError(await me(pair), 401, "unauthenticated");
    const signUp = await call("/api/auth/register", { method: "POST", ip: "10.10.0.2", json: { username: `dev_${Date.now() % 1e8}`, password: PASSWORD } });
    expect(signUp.status).toBe(201);
    expect(setCookieNamed(signUp, "device")).toMatch(/^device=/);
  });
});

describe("login, per IP", () => {
  it(`after ${LOGIN_LIMIT_PER_IP} attempts from one IP (spread over many usernames) that IP gets 429 while another IP is fine`, async () => {
    await awayFromWindowEdge(QUARTER, 25_000);
    const user = await register();
    const ip = "10.3.0.1";
    for (let i = 0; i < LOGIN_LIMIT_PER_IP; i++) {
      // A different unknown username each time, so the per-username limit never applies.
      await expectError(await login(`spray_${i}`, "password123", ip), 401, "invalid_credentials");
    }
    await expectRateLimited(await login(user.user.username, PASSWORD, ip), 15 * 60);
    expect((await login(user.user.username, PASSWORD, "10.3.0.2")).status).toBe(200);
  }, 90_000);
});

describe("registration, per IP", () => {
  it(`sign-up number ${REGISTER_LIMIT_PER_HOUR + 1} from one IP within the hour gets 429 and creates nothing; another IP is fine`, async () => {
    await awayFromWindowEdge(HOUR, 12_000);
    const ip = "10.4.0.1";
    const signUp = (username: string, from: string) => call("/api/auth/register", { method: "POST", ip: from, json: { username, password: PASSWORD } });
    for (let i = 0; i < REGISTER_LIMIT_PER_HOUR; i++) expect((await signUp(`family_${i}`, ip)).status, `sign-up ${i + 1}`).toBe(201);
    const before = await counts();
    await expectRateLimited(await signUp("family_extra", ip), 3600);
    expect((await counts()).users).toBe(before.users);
    expect((await signUp("neighbour", "10.4.0.2")).status).toBe(201);
  }, 30_000);
});

describe("unknown user vs wrong password", () => {
  it("answer the same status and byte-identical body, in about the same time", async () => {
    const user = await register();
    const unknown = (i: number) => login(`nobody_here_${i}`, "password123", `10.5.0.${i + 1}`);
    const wrong = (i: number) => login(user.user.username, "password123", `10.5.1.${i + 1}`);
    // Warm both paths (the decoy hash for unknown users is made on first use).
    await unknown(100);
    await wrong(100);

    const timed = async (req: () => Promise<Response>) => {
      const t = performance.now();
      const res = await req();
      const text = await res.text();
      return { ms: performance.now() - t, status: res.status, text, type: res.headers.get("content-type"), cookie: res.headers.get("set-cookie") };
    };
    const u: Awaited<ReturnType<typeof timed>>[] = [];
    const w: Awaited<ReturnType<typeof timed>>[] = [];
    for (let i = 0; i < 5; i++) {
      u.push(await timed(() => unknown(i)));
      w.push(await timed(() => wrong(i)));
    }
    for (const r of [...u, ...w]) {
      expect(r.status).toBe(401);
      expect(r.text).toBe(u[0]!.text);
      expect(r.type).toBe(u[0]!.type);
      expect(r.cookie).toBeNull();
    }
    expect(JSON.parse(u[0]!.text).error.code).toBe("invalid_credentials");
    const ratio = median(u.map((r) => r.ms)) / median(w.map((r) => r.ms));
    expect(ratio, `unknown ${u.map((r) => r.ms.toFixed(0))} vs wrong ${w.map((r) => r.ms.toFixed(0))}`).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
    // Both paths really do the work: far slower than a request that never hashes.
    const t = performance.now();
    await call("/api/health");
    expect(median(w.map((r) => r.ms))).toBeGreaterThan(5 * (performance.now() - t));
  }, 30_000);
});

/**
 * Security headers: every /api response — success, error, 404, 405, 429, 204 — says nosniff, a
 * referrer policy, a CSP with frame-ancestors 'none', and no-store. The HTML's headers come from
 * web/public/_headers, applied by the static asset server.
 */
import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { ORIGIN, call, pair, upgrade, type Session } from "../harness";
import type { Room } from "../../../worker/contract";
import headersFile from "../../../web/public/_headers?raw";
import { expectSecurityHeaders, login, rawUpgrade } from "./helpers";

let a: Session;
let room: Room;
beforeAll(async () => {
  ({ a, room } = await pair());
});

describe("every /api response carries the security headers", () => {
  const cases: [string, number, () => Promise<Response>][] = [
    ["GET /api/health", 200, () => call("/api/health")],
    ["GET /api/me", 200, () => call("/api/me", { cookie: a.cookie })],
    ["GET /api/rooms/:id/messages", 200, () => call(`/api/rooms/${room.id}/messages`, { cookie: a.cookie })],
    ["POST /api/auth/logout without a session", 204, () => call("/api/auth/logout", { method: "POST" })],
    ["GET /api/me without a session", 401, () => call("/api/me")],
    ["POST /api/auth/login with malformed JSON", 400, () => call("/api/auth/login", { method: "POST", headers: { "content-type": "application/json" }, body: "{oops" })],
    ["POST /api/auth/register failing validation", 400, () => call("/api/auth/register", { method: "POST", json: { username: "!" } })],
    ["POST /api/friends cross-site", 403, () => call("/api/friends", { method: "POST", cookie: a.cookie, headers: { Origin: "http://evil.com" }, json: { username: "x" } })],
    ["GET /api/rooms/:id of another room", 404, () => call(`/api/rooms/${crypto.randomUUID()}`, { cookie: a.cookie })],
    ["GET of an unknown /api path", 404, () => call("/api/no/such/thing")],
    ["GET /api", 404, () => call("/api")],
    ["DELETE /api/me (wrong method)", 405, () => call("/api/me", { method: "DELETE", cookie: a.cookie })],
    ["GET /api/events without Upgrade", 426, () => call("/api/events", { cookie: a.cookie })],
  ];
  for (const [name, status, req] of cases) {
    it(`${name} → ${status}`, async () => {
      const res = await req();
      expect(res.status).toBe(status);
      expectSecurityHeaders(res, name);
    });
  }

  it("POST /api/auth/login rate limited → 429", async () => {
    for (let i = 0; i < 10; i++) await login(a.user.username, `wrong-${i}`, "10.9.0.1");
    const res = await login(a.user.username, "whatever-else", "10.9.0.1");
    expect(res.status).toBe(429);
    expectSecurityHeaders(res, "429");
  }, 20_000);

  it("an /api path with malformed percent-encoding → 404", async () => {
    const res = await exports.default.fetch(new Request(`${ORIGIN}/api/rooms/%ZZ/messages%`, { headers: { cookie: a.cookie } }));
    expect(res.status).toBe(404);
    expectSecurityHeaders(res, "odd path");
  });

  it("refused WebSocket upgrades (403 bad_origin, 401, 404) carry them too", async () => {
    const refused: [string, Response][] = [
      ["403 bad_origin", await rawUpgrade("/api/events", { Origin: "http://evil.com", cookie: a.cookie })],
      ["401", await upgrade("/api/events")],
      ["404", await upgrade(`/api/rooms/${crypto.randomUUID()}/ws`, { cookie: a.cookie })],
    ];
    for (const [name, res] of refused) {
      expect(res.status, name).not.toBe(101);
      expectSecurityHeaders(res, name);
    }
  });

  it("a private JSON answer to a plain route called with an Upgrade header carries them too (no-store above all)", async () => {
    const res = await rawUpgrade("/api/me", { cookie: a.cookie });
    expect(res.status).toBe(200);
    expectSecurityHeaders(res, "GET /api/me with Upgrade: websocket");
  });
});

describe("the HTML app's headers", () => {
  it("exports.default.fetch('/') is answered by the Worker, not the asset server, in this test environment", async () => {
    // run_worker_first only matters behind the asset router; here the Worker sees "/" itself.
    // The served HTML's headers are therefore checked from web/public/_headers below and in the browser tests.
    const res = await exports.default.fetch(new Request(`${ORIGIN}/`));
    expect(res.headers.get("content-type") ?? "").not.toMatch(/text\/html/);
  });

  it("web/public/_headers gives every path a same-origin-only CSP with frame-ancestors 'none', nosniff and a referrer policy", () => {
    const rules = new Map<string, Map<string, string>>();
    let current: Map<string, string> | undefined;
    for (const line of headersFile.split(/\r?\n/)) {
      if (!line.trim() || line.trim().startsWith("#")) continue;
      if (!/^\s/.test(line)) {
        current = new Map();
        rules.set(line.trim(), current);
        continue;
      }
      const i = line.indexOf(":");
      current!.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
    }
    const all = rules.get("/*");
    expect(all, "a /* rule").toBeDefined();
    expect(all!.get("x-content-type-options")).toBe("nosniff");
    expect(all!.get("referrer-policy")).toMatch(/^(no-referrer|same-origin|strict-origin|strict-origin-when-cross-origin)$/);
    const csp = new Map(
      all!
        .get("content-security-policy")!
        .split(";")
        .map((d) => d.trim().split(/\s+/))
        .map(([name, ...values]) => [name!, values]),
    );
    expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
    expect(csp.get("default-src")).toEqual(["'self'"]);
    expect(csp.get("object-src")).toEqual(["'none'"]);
    expect(csp.get("base-uri")).toEqual(["'none'"]);
    // Only the site itself: no wildcard, no other host, no inline or eval script anywhere.
    for (const [directive, values] of csp) {
      for (const v of values) {
        expect(v, `${directive} ${v}`).toMatch(/^('self'|'none'|data:)$/);
        if (directive === "script-src" || directive === "default-src") expect(v).not.toBe("data:");
      }
    }
  });
});

import { describe, expect, it } from "vitest";
import { ORIGIN, call, json, register } from "./harness";

describe("writes from other sites", () => {
  it("refuses a write whose Origin is another site, and changes nothing", async () => {
    const a = await register();
    const b = await register();
    const res = await call("/api/friends", { method: "POST", cookie: a.cookie, headers: { Origin: "https://evil.example" }, json: { username: b.user.username } });
    expect(res.status).toBe(403);
    expect(await json(res)).toEqual({ error: { code: "bad_origin", message: expect.any(String) } });
    const friends = await json<{ friends: unknown[] }>(await call("/api/friends", { cookie: a.cookie }));
    expect(friends.friends).toEqual([]);
  });

  it("accepts the same write from our own origin or with no Origin at all", async () => {
    const a = await register();
    const b = await register();
    const c = await register();
    const own = await call("/api/friends", { method: "POST", cookie: a.cookie, headers: { Origin: ORIGIN }, json: { username: b.user.username } });
    expect(own.status).toBe(201);
    const none = await call("/api/friends", { method: "POST", cookie: a.cookie, json: { username: c.user.username } });
    expect(none.status).toBe(201);
  });

  it("leaves reads alone: a cross-site GET is answered (the cookie is SameSite=Lax anyway)", async () => {
    const a = await register();
    const res = await call("/api/me", { cookie: a.cookie, headers: { Origin: "https://evil.example" } });
    expect(res.status).toBe(200);
  });
});

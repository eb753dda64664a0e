import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { expectError, seedMessages } from "./contract-helpers";
import { call, connect, isMessage, pair, register, roomSocket } from "./harness";

describe("socket routes and socket lifecycle", () => {
  // The runtime negotiates permessage-deflate as it sends the 101, on Cloudflare's network; locally
  // wrangler's and miniflare's proxies answer the client instead, so what can be checked here is
  // the flag the runtime applies.
  it("runs with WebSocket compression off, so every socket the Worker serves declines it", () => {
    expect(Cloudflare.compatibilityFlags.web_socket_compression).toBe(false);
  });

  it("answers another method on a socket path with 405 and Allow, not an upgrade error", async () => {
    const { a, room } = await pair();
    const res = await call(`/api/rooms/${room.id}/ws`, { method: "POST", cookie: a.cookie, json: {} });
    await expectError(res, 405, "method_not_allowed");
    expect(res.headers.get("Allow")).toBe("GET");
  });

  it("answers pipelined syncs on one socket one after another, never interleaved", async () => {
    const { a, b, room } = await pair();
    await seedMessages(room.id, [a, b], 1_500);
    const sa = await roomSocket(room.id, a);
    sa.send({ type: "sync", after: 0 });
    sa.send({ type: "sync", after: 1_000 });
    await sa.next((f) => f.type === "synced" && sa.ofType("synced").length === 2, 15_000);
    const answer = sa.frames.filter((f) => f.type === "message" || f.type === "synced").map((f) => (f.type === "message" ? f.message.seq : "synced"));
    const seqs = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
    expect(answer).toEqual([...seqs(1, 1_500), "synced", ...seqs(1_001, 1_500), "synced"]);
    expect(sa.frames.filter((f) => f.type === "error")).toEqual([]);
    sa.close();
  });

  it("closes an idle socket whose session expired the next time something is pushed to it", async () => {
    const { a, b, room } = await pair();
    // Sessions last 30 days; bring this one's end close, before its sockets open.
    await env.DB.prepare("update sessions set expires_at = ? where user_id = ?").bind(Date.now() + 1_500, b.user.id).run();
    const sb = await roomSocket(room.id, b);
    const events = await connect("/api/events", b.cookie);
    const sa = await roomSocket(room.id, a);
    await new Promise((r) => setTimeout(r, 1_700));
    sa.send({ type: "send", clientId: "after-expiry", body: "are you there?" });
    expect((await sb.waitClosed()).code).toBe(1008);
    expect((await events.waitClosed()).code).toBe(1008);
    expect(sb.frames.some(isMessage(1))).toBe(false);
    sa.close();
  });

  it("counts parallel wrong guesses for one username from one address exactly: no more than the limit get through to the password check", async () => {
    const s = await register();
    const limit = Number(env.LOGIN_FAILURES_PER_CLIENT);
    const statuses = await Promise.all(
      Array.from({ length: limit + 5 }, (_, i) =>
        call("/api/auth/login", { method: "POST", ip: "192.0.2.1", json: { username: s.user.username, password: `wrong guess ${i}` } }).then((r) => r.status),
      ),
    );
    expect(statuses.filter((x) => x === 401).length).toBe(limit);
    expect(statuses.filter((x) => x === 429).length).toBe(5);
    // A ceiling, not a pace: ten scrypt checks take over 5 s on a loaded machine.
  }, 30_000);
});

import { env } from "cloudflare:workers";
import fc from "fast-check";
import { decodeProtectedHeader, importJWK, jwtVerify } from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";
import app from "../../worker";
import { LIMITS, type PushPayload } from "../../worker/contract";
import { getDb } from "../../worker/db/client";
import { PUSH_TTL_SECONDS, pushTopic, sendPush } from "../../worker/lib/push-sender";
import { expectError } from "./contract-helpers";
import { call, json, register, type Session } from "./harness";
import { decrypt, endpointsOf, fakeDevice, fromB64url, stubPushService, subscribe, subscribed } from "./push-helpers";
import { bodyFor, fieldValue, nearObject, SEED } from "./security/fuzz-arbitraries";

afterEach(() => vi.restoreAllMocks());

const message = (roomId = crypto.randomUUID()): PushPayload => ({ roomId, title: "민지", body: "내일 몇 시에 볼까?", url: `/rooms/${roomId}`, tag: roomId, seq: 1 });

const push = (s: Session, payload = message()) => sendPush(env, getDb(env), s.user.id, payload);

/** The VAPID public key as a JWK, to verify what the Worker signed with the private half. */
const vapidJwk = () => {
  const point = fromB64url(env.VAPID_PUBLIC_KEY);
  const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
  return { kty: "EC", crv: "P-256", x: b64(point.slice(1, 33)), y: b64(point.slice(33)) };
};

describe("sending a push", () => {
  it("reaches a subscribed device encrypted with aes128gcm, with a day's TTL, the room's Topic, high urgency and a VAPID token for that push service", async () => {
    const a = await register();
    const device = await subscribed(a, `https://updates.push.services.mozilla.com/wpush/v2/${crypto.randomUUID()}`);
    const requests = stubPushService();
    const payload = message();

    expect(await push(a, payload)).toEqual({ sent: 1, removed: 0 });

    expect(requests).toHaveLength(1);
    const [req] = requests;
    expect(req!.url).toBe(device.endpoint);
    expect(req!.method).toBe("POST");
    expect(req!.headers.get("Content-Encoding")).toBe("aes128gcm");
    expect(req!.headers.get("TTL")).toBe(String(PUSH_TTL_SECONDS));
    expect(PUSH_TTL_SECONDS).toBe(86_400);
    expect(req!.headers.get("Urgency")).toBe("high");
    const topic = req!.headers.get("Topic")!;
    expect(topic).toMatch(/^[A-Za-z0-9_-]{1,32}$/);
    expect(topic).toBe(await pushTopic(payload.roomId));
    expect(JSON.parse(await decrypt(device, req!.body))).toEqual(payload);

    const match = /^vapid t=([^,]+),\s*k=([A-Za-z0-9_-]+)$/.exec(req!.headers.get("Authorization") ?? "");
    expect(match, req!.headers.get("Authorization") ?? "no Authorization").not.toBeNull();
    const [, token, k] = match!;
    expect(k).toBe(env.VAPID_PUBLIC_KEY);
    expect(decodeProtectedHeader(token!).alg).toBe("ES256");
    const { payload: claims } = await jwtVerify(token!, await importJWK(vapidJwk(), "ES256"), {
      audience: "https://updates.push.services.mozilla.com",
      subject: env.VAPID_SUBJECT,
    });
    const now = Math.floor(Date.now() / 1000);
    expect(claims.exp! - now).toBeGreaterThan(0);
    expect(claims.exp! - now).toBeLessThanOrEqual(24 * 60 * 60);
  });

  it("gives one room one Topic and two rooms two", async () => {
    const [r1, r2] = [crypto.randomUUID(), crypto.randomUUID()];
    expect(await pushTopic(r1)).toBe(await pushTopic(r1));
    expect(await pushTopic(r1)).not.toBe(await pushTopic(r2));
  });

  it("cuts a long preview so the payload stays within what push services carry", async () => {
    const a = await register();
    const device = await subscribed(a);
    const requests = stubPushService();
    await push(a, { ...message(), body: "가".repeat(LIMITS.bodyMax) });
    const shown = JSON.parse(await decrypt(device, requests[0]!.body)) as PushPayload;
    expect([...shown.body]).toHaveLength(200);
    expect(shown.body.endsWith("…")).toBe(true);
    expect(requests[0]!.body.length).toBeLessThan(4096);
  });

  it("goes to each of the user's devices, each its own encryption, and to no one else's", async () => {
    const a = await register();
    const b = await register();
    const phone = await subscribed(a);
    const laptop = await subscribed(a);
    const other = await subscribed(b);
    const requests = stubPushService();
    expect(await push(a)).toEqual({ sent: 2, removed: 0 });
    expect(requests.map((r) => r.url).sort()).toEqual([phone.endpoint, laptop.endpoint].sort());
    expect(requests.map((r) => r.url)).not.toContain(other.endpoint);
    for (const device of [phone, laptop]) {
      const req = requests.find((r) => r.url === device.endpoint)!;
      expect(JSON.parse(await decrypt(device, req.body)).title).toBe("민지");
    }
  });

  it("deletes a device the push service calls gone (410) or unknown (404), and keeps one that failed otherwise (500)", async () => {
    const a = await register();
    const gone = await subscribed(a);
    const unknown = await subscribed(a);
    const failing = await subscribed(a);
    const fine = await subscribed(a);
    const status: Record<string, number> = { [gone.endpoint]: 410, [unknown.endpoint]: 404, [failing.endpoint]: 500, [fine.endpoint]: 201 };
    const requests = stubPushService((url) => status[url]!);
    vi.spyOn(console, "error").mockImplementation(() => {});

    expect(await push(a)).toEqual({ sent: 1, removed: 2 });
    expect(requests).toHaveLength(4);
    expect(await endpointsOf(a)).toEqual([failing.endpoint, fine.endpoint].sort());

    expect(await push(a)).toEqual({ sent: 1, removed: 0 });
    expect(requests).toHaveLength(6);
  });

  it("sends nothing to a device whose session logged out, and deletes its subscription", async () => {
    const a = await register();
    await subscribed(a);
    expect((await call("/api/auth/logout", { method: "POST", cookie: a.cookie })).status).toBe(204);
    const requests = stubPushService();
    expect(await push(a)).toEqual({ sent: 0, removed: 1 });
    expect(requests).toHaveLength(0);
    expect(await endpointsOf(a)).toEqual([]);
  });

  it("does nothing when push is not configured", async () => {
    const a = await register();
    await subscribed(a);
    const requests = stubPushService();
    expect(await sendPush({ ...env, VAPID_PRIVATE_KEY: "" }, getDb(env), a.user.id, message())).toEqual({ sent: 0, removed: 0 });
    expect(requests).toHaveLength(0);
  });
});

describe("GET /api/push/key", () => {
  it("answers the VAPID public key the browser subscribes with", async () => {
    const a = await register();
    const res = await call("/api/push/key", { cookie: a.cookie });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ publicKey: env.VAPID_PUBLIC_KEY });
  });

  it("answers 404 push_disabled when the server has no VAPID keys, and stores no subscription then", async () => {
    const a = await register();
    const unconfigured = { ...env, VAPID_PUBLIC_KEY: "" };
    const headers = { cookie: a.cookie, "content-type": "application/json" };
    await expectError(await app.request("/api/push/key", { headers }, unconfigured), 404, "push_disabled");
    const device = await fakeDevice();
    const body = JSON.stringify({ endpoint: device.endpoint, keys: device.keys });
    await expectError(await app.request("/api/push/subscriptions", { method: "POST", headers, body }, unconfigured), 404, "push_disabled");
    expect(await endpointsOf(a)).toEqual([]);
  });
});

describe("push subscriptions", () => {
  it("need a login, all three routes", async () => {
    const device = await fakeDevice();
    await expectError(await call("/api/push/key"), 401, "unauthenticated");
    await expectError(await call("/api/push/subscriptions", { method: "POST", json: { endpoint: device.endpoint, keys: device.keys } }), 401, "unauthenticated");
    await expectError(await call("/api/push/subscriptions", { method: "DELETE", json: { endpoint: device.endpoint } }), 401, "unauthenticated");
  });

  it("refuses endpoints that are not a browser push service over https, and malformed keys (400 invalid)", async () => {
    const a = await register();
    const { keys } = await fakeDevice();
    const endpoints = [
      "http://fcm.googleapis.com/fcm/send/x",
      "https://fcm.googleapis.com:8443/fcm/send/x",
      "https://user:pw@fcm.googleapis.com/fcm/send/x",
      "https://evil.example/fcm/send/x",
      "https://fcm.googleapis.com.evil.example/x",
      "https://localhost/x",
      "https://169.254.169.254/latest",
      "not a url",
      `https://fcm.googleapis.com/${"x".repeat(LIMITS.pushEndpointMax)}`,
    ];
    for (const endpoint of endpoints) await expectError(await subscribe(a, { endpoint, keys }), 400, "invalid", ["endpoint"]);
    const endpoint = (await fakeDevice()).endpoint;
    const badKeys = [
      { ...keys, p256dh: keys.p256dh.slice(0, -2) },
      { ...keys, p256dh: "!".repeat(87) },
      { ...keys, auth: keys.auth + "AAAA" },
    ];
    for (const k of badKeys) {
      const res = await subscribe(a, { endpoint, keys: k });
      expect(res.status).toBe(400);
      expect((await json<{ error: { code: string } }>(res)).error.code).toBe("invalid");
    }
    await expectError(await call("/api/push/subscriptions", { method: "POST", cookie: a.cookie, json: { endpoint } }), 400, "invalid", ["keys"]);
    expect(await endpointsOf(a)).toEqual([]);
  });

  it("accepts each browser's push service", async () => {
    const a = await register();
    for (const endpoint of [
      "https://fcm.googleapis.com/fcm/send/abc:def",
      "https://updates.push.services.mozilla.com/wpush/v2/gAAAA",
      "https://web.push.apple.com/QGh1",
      "https://wns2-par02p.notify.windows.com/w/?token=BQYAAA",
    ]) expect((await subscribe(a, { endpoint, keys: (await fakeDevice()).keys })).status).toBe(204);
    expect(await endpointsOf(a)).toHaveLength(4);
  });

  it("keeps one row per endpoint: subscribing again replaces the keys, and another user subscribing it takes it over", async () => {
    const a = await register();
    const b = await register();
    const first = await subscribed(a);
    const renewed = { ...(await fakeDevice(first.endpoint)) };
    expect((await subscribe(a, renewed)).status).toBe(204);
    expect(await endpointsOf(a)).toEqual([first.endpoint]);

    const requests = stubPushService();
    await push(a);
    expect(JSON.parse(await decrypt(renewed, requests[0]!.body)).title).toBe("민지");
    vi.restoreAllMocks();

    expect((await subscribe(b, renewed)).status).toBe(204);
    expect(await endpointsOf(a)).toEqual([]);
    expect(await endpointsOf(b)).toEqual([first.endpoint]);
    stubPushService();
    expect(await push(a)).toEqual({ sent: 0, removed: 0 });
    expect(await push(b)).toEqual({ sent: 1, removed: 0 });
  });

  it(`keeps at most ${LIMITS.pushSubscriptionsMax} devices a user, dropping the oldest`, async () => {
    const a = await register();
    const devices = [];
    for (let i = 0; i < LIMITS.pushSubscriptionsMax; i++) devices.push(await subscribed(a));
    // Distinct ages, oldest first, whatever the clock's resolution made of them.
    for (const [i, d] of devices.entries()) await env.DB.prepare("UPDATE push_subscriptions SET created_at = ? WHERE endpoint = ?").bind(1_000 + i, d.endpoint).run();
    const newest = await subscribed(a);
    expect(await endpointsOf(a)).toEqual([...devices.slice(1).map((d) => d.endpoint), newest.endpoint].sort());
  });

  it("are deleted by endpoint, only the caller's own: deleting another user's leaves it", async () => {
    const a = await register();
    const b = await register();
    const mine = await subscribed(a);
    const theirs = await subscribed(b);
    expect((await call("/api/push/subscriptions", { method: "DELETE", cookie: a.cookie, json: { endpoint: theirs.endpoint } })).status).toBe(204);
    expect(await endpointsOf(b)).toEqual([theirs.endpoint]);
    expect((await call("/api/push/subscriptions", { method: "DELETE", cookie: a.cookie, json: { endpoint: mine.endpoint } })).status).toBe(204);
    expect(await endpointsOf(a)).toEqual([]);
    await expectError(await call("/api/push/subscriptions", { method: "DELETE", cookie: a.cookie, json: {} }), 400, "invalid", ["endpoint"]);
  });

  it("refuses subscribing and unsubscribing from another site (403 bad_origin) and changes nothing", async () => {
    const a = await register();
    const kept = await subscribed(a);
    const device = await fakeDevice();
    const evil = { Origin: "https://evil.example" };
    await expectError(await call("/api/push/subscriptions", { method: "POST", cookie: a.cookie, headers: evil, json: { endpoint: device.endpoint, keys: device.keys } }), 403, "bad_origin");
    await expectError(await call("/api/push/subscriptions", { method: "DELETE", cookie: a.cookie, headers: evil, json: { endpoint: kept.endpoint } }), 403, "bad_origin");
    expect(await endpointsOf(a)).toEqual([kept.endpoint]);
  });

  it("answer malformed bodies with 400 and never 5xx, and store only endpoints they accepted (fuzzed, fixed seed)", async () => {
    const a = await register();
    const device = await fakeDevice();
    const endpoint = fc.oneof(fc.constant(device.endpoint), fc.constantFrom("https://evil.example/x", "http://fcm.googleapis.com/x", "https://fcm.googleapis.com.evil.example/x"));
    const keys = nearObject({ p256dh: fieldValue(fc.constant(device.keys.p256dh)), auth: fieldValue(fc.constant(device.keys.auth)) });
    const arb = bodyFor(nearObject({ endpoint: fieldValue(endpoint), keys: fieldValue(keys) }));
    const accepted = new Set<string>();
    await fc.assert(
      fc.asyncProperty(arb, async (body) => {
        const res = await call("/api/push/subscriptions", { method: "POST", cookie: a.cookie, headers: { "content-type": "application/json" }, body });
        expect([204, 400], `${res.status} ${await res.text()}`).toContain(res.status);
        if (res.status === 204) accepted.add(device.endpoint);
      }),
      { seed: SEED, numRuns: 300 },
    );
    expect(accepted.size, "some fuzzed bodies were well-formed").toBe(1);
    expect(await endpointsOf(a)).toEqual([...accepted]);
  }, 60_000);
});

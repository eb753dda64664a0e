/**
 * A fake push device and push service for the Web Push tests: the device's keys are made here
 * (ECDH P-256 and a 16-byte auth secret, as a browser makes them), the service is a stub of the
 * global fetch that records each request, and `decrypt` undoes RFC 8291's aes128gcm as the
 * browser would.
 */
import { env } from "cloudflare:workers";
import { expect, vi } from "vitest";
import { call, type Session } from "./harness";

const b64url = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
export const fromB64url = (s: string): Uint8Array<ArrayBuffer> => Uint8Array.from(atob(s.replaceAll("-", "+").replaceAll("_", "/")), (c) => c.charCodeAt(0));

export interface FakeDevice {
  endpoint: string;
  keys: { p256dh: string; auth: string };
  privateKey: CryptoKey;
}

export const fakeDevice = async (endpoint = `https://fcm.googleapis.com/fcm/send/${crypto.randomUUID()}`): Promise<FakeDevice> => {
  const pair = (await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"])) as CryptoKeyPair;
  const publicKey = new Uint8Array((await crypto.subtle.exportKey("raw", pair.publicKey)) as ArrayBuffer);
  return { endpoint, keys: { p256dh: b64url(publicKey), auth: b64url(crypto.getRandomValues(new Uint8Array(16))) }, privateKey: pair.privateKey };
};

/** `POST /api/push/subscriptions` for `device` as `s`; the status is the caller's to check. */
export const subscribe = (s: Session, device: Pick<FakeDevice, "endpoint" | "keys">) =>
  call("/api/push/subscriptions", { method: "POST", cookie: s.cookie, json: { endpoint: device.endpoint, keys: device.keys } });

/** A fake device `s` subscribed (204). */
export const subscribed = async (s: Session, endpoint?: string): Promise<FakeDevice> => {
  const device = await fakeDevice(endpoint);
  expect((await subscribe(s, device)).status).toBe(204);
  return device;
};

/** The endpoints the server keeps for `s`, sorted. */
export const endpointsOf = async (s: Session): Promise<string[]> =>
  (await env.DB.prepare("SELECT endpoint FROM push_subscriptions WHERE user_id = ? ORDER BY endpoint").bind(s.user.id).all<{ endpoint: string }>()).results.map((r) => r.endpoint);

export interface PushRequest {
  url: string;
  method: string;
  headers: Headers;
  body: Uint8Array<ArrayBuffer>;
}

/**
 * Replaces the global fetch (what the push library sends with) for the current test: every request
 * is recorded, and answered with the status `statusFor` gives its URL (201 Created by default, as
 * push services answer). vi.restoreAllMocks() puts the real fetch back.
 */
export const stubPushService = (statusFor: (url: string) => number = () => 201): PushRequest[] => {
  const requests: PushRequest[] = [];
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const req = new Request(input, init);
    requests.push({ url: req.url, method: req.method, headers: req.headers, body: new Uint8Array(await req.arrayBuffer()) });
    return new Response(null, { status: statusFor(req.url) });
  });
  return requests;
};

const hkdf = async (salt: Uint8Array<ArrayBuffer>, ikm: Uint8Array<ArrayBuffer>, info: Uint8Array<ArrayBuffer>, bytes: number) => {
  const key = await crypto.subtle.importKey("raw", ikm, "HKDF", false, ["deriveBits"]);
  return new Uint8Array(await crypto.subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt, info }, key, bytes * 8));
};

const concat = (...parts: Uint8Array[]): Uint8Array<ArrayBuffer> => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

const label = (s: string) => new Uint8Array(new TextEncoder().encode(s + "\0"));

/** The plaintext of an aes128gcm push body (RFC 8188 framing, RFC 8291 keys), as `device` decrypts it. */
export const decrypt = async (device: FakeDevice, body: Uint8Array<ArrayBuffer>): Promise<string> => {
  const salt = body.slice(0, 16);
  const recordSize = new DataView(body.buffer, body.byteOffset + 16, 4).getUint32(0);
  const idLength = body[20]!;
  const senderKey = body.slice(21, 21 + idLength);
  const ciphertext = body.slice(21 + idLength);
  if (idLength !== 65 || ciphertext.length > recordSize) throw new Error(`unexpected header: key id ${idLength} bytes, record ${recordSize} for ${ciphertext.length}`);
  const senderPublic = await crypto.subtle.importKey("raw", senderKey, { name: "ECDH", namedCurve: "P-256" }, false, []);
  // WebCrypto names the peer's key `public`; workers-types spells it `$public` (a reserved word in
  // its IDL), and workerd takes the standard name.
  const ecdh = { name: "ECDH", public: senderPublic } as unknown as SubtleCryptoDeriveKeyAlgorithm;
  const shared = new Uint8Array(await crypto.subtle.deriveBits(ecdh, device.privateKey, 256));
  const ikm = await hkdf(fromB64url(device.keys.auth), shared, concat(label("WebPush: info"), fromB64url(device.keys.p256dh), senderKey), 32);
  const cek = await hkdf(salt, ikm, label("Content-Encoding: aes128gcm"), 16);
  const nonce = await hkdf(salt, ikm, label("Content-Encoding: nonce"), 12);
  const key = await crypto.subtle.importKey("raw", cek, "AES-GCM", false, ["decrypt"]);
  const padded = new Uint8Array(await crypto.subtle.decrypt({ name: "AES-GCM", iv: nonce }, key, ciphertext));
  // The last (here only) record ends with the delimiter 0x02, then zero padding.
  let end = padded.length - 1;
  while (padded[end] === 0) end--;
  if (padded[end] !== 2) throw new Error("not a final record: no 0x02 delimiter");
  return new TextDecoder().decode(padded.slice(0, end));
};

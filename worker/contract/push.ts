import * as v from "valibot";
import { LIMITS } from "./limits";

/**
 * The push services browsers subscribe with (Chromium's FCM, Firefox's autopush, Apple's, Windows'):
 * the Worker POSTs to a subscription's endpoint, so an endpoint elsewhere would make it a relay
 * to any URL a user names. Host names, and suffixes beginning with ".".
 */
export const PUSH_SERVICE_HOSTS = ["fcm.googleapis.com", ".push.services.mozilla.com", ".push.apple.com", ".notify.windows.com"] as const;

const parseUrl = (s: string): URL | null => {
  try {
    return new URL(s);
  } catch {
    return null;
  }
};

export const isPushServiceUrl = (endpoint: string): boolean => {
  const url = parseUrl(endpoint);
  if (!url || url.protocol !== "https:" || url.port !== "" || url.username !== "" || url.password !== "") return false;
  return PUSH_SERVICE_HOSTS.some((host) => (host.startsWith(".") ? url.hostname.endsWith(host) : url.hostname === host));
};

/** The number of bytes a base64url string (padding allowed, as some browsers send it) decodes to, or -1. */
const base64urlBytes = (s: string): number => (/^[A-Za-z0-9_-]*={0,2}$/.test(s) && s.replace(/=+$/, "").length % 4 !== 1 ? Math.floor((s.replace(/=+$/, "").length * 3) / 4) : -1);

const base64urlOf = (bytes: number, what: string) =>
  v.pipe(v.string("must be a string"), v.maxLength(200, "too long"), v.check((s) => base64urlBytes(s) === bytes, `must be ${what} (${bytes} bytes, base64url)`));

const endpoint = v.pipe(
  v.string("must be a string"),
  v.maxLength(LIMITS.pushEndpointMax, `at most ${LIMITS.pushEndpointMax} characters`),
  v.check(isPushServiceUrl, "must be an https URL of a browser push service"),
);

/** `POST /api/push/subscriptions`: `PushSubscription.toJSON()` as a browser gives it (other fields ignored). */
export const PushSubscriptionBody = v.object({
  endpoint,
  keys: v.object({ p256dh: base64urlOf(65, "an uncompressed P-256 point"), auth: base64urlOf(16, "the 16-byte auth secret") }),
});

/** `DELETE /api/push/subscriptions`. */
export const PushUnsubscribeBody = v.object({ endpoint: v.pipe(v.string("must be a string"), v.maxLength(LIMITS.pushEndpointMax, "too long")) });

/**
 * What a push message carries (JSON, encrypted to the device): the service worker shows `title`
 * and `body`, groups by `tag` (one notification per room) and opens `url` when clicked.
 */
export interface PushPayload {
  roomId: string;
  title: string;
  body: string;
  url: string;
  tag: string;
  /** The message's seq: of two notifications for one room, the higher is the newer (the tab's own and a push may race). */
  seq: number;
}

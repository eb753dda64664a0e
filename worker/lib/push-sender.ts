import { and, eq, gt, inArray, isNull } from "drizzle-orm";
import { sendNotification, WebPushError } from "web-push-neo";
import { codePoints, type PushPayload } from "../contract";
import type { Db } from "../db/client";
import { pushSubscriptions, sessions } from "../db/schema";

/** A push service keeps an undelivered message this long (seconds): a day-old chat preview is news no more. */
export const PUSH_TTL_SECONDS = 24 * 60 * 60;
/** A preview's length in characters: the encrypted payload must stay under the services' 4 kB. */
const PREVIEW_MAX = 200;
/** A push service that does not answer in this long is given up on for this message. */
const SEND_TIMEOUT_MS = 10_000;

export interface PushOutcome {
  /** Subscriptions the push service accepted the message for. */
  sent: number;
  /** Subscriptions deleted: the service answered 404/410 (gone), or their session ended. */
  removed: number;
}

export const pushEnabled = (env: Env): boolean => Boolean(env.VAPID_PUBLIC_KEY && env.VAPID_PRIVATE_KEY && env.VAPID_SUBJECT);

/**
 * The `Topic` for a room's pushes: a service holding several undelivered pushes of one topic keeps
 * only the newest. Hashed, since topics are ≤ 32 base64url characters (a UUID is 36) and the push
 * service need not learn room ids.
 */
export const pushTopic = async (roomId: string): Promise<string> => {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(roomId)));
  return btoa(String.fromCharCode(...digest)).replaceAll("+", "-").replaceAll("/", "_").slice(0, 32);
};

const preview = (body: string): string => (codePoints(body) <= PREVIEW_MAX ? body : `${Array.from(body).slice(0, PREVIEW_MAX - 1).join("")}…`);

/**
 * Sends `payload` to every device `userId` subscribed from a live session, at once. A subscription
 * the service calls gone (404, 410) is deleted, and so is one whose session was logged out or
 * expired: that device is no longer this user's. Other failures are logged and the row kept.
 * Does nothing (0 sent) when push is not configured.
 */
export const sendPush = async (
  env: Env,
  db: Db,
  userId: string,
  payload: PushPayload,
  urgency: "normal" | "high" = "high",
): Promise<PushOutcome> => {
  if (!pushEnabled(env)) return { sent: 0, removed: 0 };
  const now = Date.now();
  const rows = await db
    .select({ endpoint: pushSubscriptions.endpoint, p256dh: pushSubscriptions.p256dh, auth: pushSubscriptions.auth, live: sessions.id })
    .from(pushSubscriptions)
    .leftJoin(sessions, and(eq(sessions.id, pushSubscriptions.sessionId), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)))
    .where(eq(pushSubscriptions.userId, userId));
  const live = rows.filter((r) => r.live !== null);
  const gone = rows.filter((r) => r.live === null).map((r) => r.endpoint);
  const text = JSON.stringify({ ...payload, body: preview(payload.body) } satisfies PushPayload);
  const options = {
    TTL: PUSH_TTL_SECONDS,
    urgency,
    topic: await pushTopic(payload.roomId),
    vapidDetails: { subject: env.VAPID_SUBJECT, publicKey: env.VAPID_PUBLIC_KEY, privateKey: env.VAPID_PRIVATE_KEY },
  };
  const results = await Promise.allSettled(
    live.map((r) => sendNotification({ endpoint: r.endpoint, keys: { p256dh: r.p256dh, auth: r.auth } }, text, { ...options, signal: AbortSignal.timeout(SEND_TIMEOUT_MS) })),
  );
  let sent = 0;
  results.forEach((result, i) => {
    if (result.status === "fulfilled") sent++;
    else if (result.reason instanceof WebPushError && (result.reason.statusCode === 404 || result.reason.statusCode === 410)) gone.push(live[i]!.endpoint);
    else console.error("web push failed", new URL(live[i]!.endpoint).host, result.reason);
  });
  if (gone.length > 0) await db.delete(pushSubscriptions).where(and(eq(pushSubscriptions.userId, userId), inArray(pushSubscriptions.endpoint, gone)));
  return { sent, removed: gone.length };
};

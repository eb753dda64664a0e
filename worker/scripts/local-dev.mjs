// What `npm run dev` sets up on a developer's machine. Nothing here reaches a deployment: the
// deployed limits are wrangler.toml's [vars], and production's JWT_SECRET is a `wrangler secret`.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";

// Per-IP limits for `wrangler dev`, which lets .dev.vars override [vars]: locally every account
// signs up and logs in from the same address, so the deployed 20 sign-ups an hour would stop a
// developer trying out the app with a handful of users. The per-username login limit stays.
export const LOCAL_LIMITS = { REGISTER_LIMIT_PER_HOUR: "1000", LOGIN_LIMIT_PER_IP: "1000" };

const has = (text, key) => new RegExp(`^\\s*(?:export\\s+)?${key}\\s*=`, "m").test(text);

/** Where Web Push services reach the sender locally: any mailto: or https: URL will do. */
export const LOCAL_VAPID_SUBJECT = "mailto:talk@localhost";

/**
 * A fresh VAPID key pair (ECDSA P-256) as Web Push wants it: the public key as the uncompressed
 * point (65 bytes), the private key as its raw 32-byte scalar, both base64url.
 */
export function vapidKeyPair() {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const jwk = privateKey.export({ format: "jwk" });
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, "base64url"), Buffer.from(jwk.y, "base64url")]);
  return { VAPID_PUBLIC_KEY: point.toString("base64url"), VAPID_PRIVATE_KEY: jwk.d };
}

/**
 * Adds to the .dev.vars file at `file` whatever it lacks of a random JWT_SECRET, LOCAL_LIMITS and
 * a VAPID key pair with its subject, leaving every line already there as it is (a file from before
 * the limits keeps its secret, and a limit the developer set stays theirs). The key pair is added
 * only when both halves are missing: one half beside a new other half would not be a pair.
 * Returns the names it added.
 */
export function ensureDevVars(file) {
  const current = existsSync(file) ? readFileSync(file, "utf8") : "";
  const keys = has(current, "VAPID_PUBLIC_KEY") || has(current, "VAPID_PRIVATE_KEY") ? {} : vapidKeyPair();
  const wanted = { JWT_SECRET: randomBytes(32).toString("base64url"), ...LOCAL_LIMITS, ...keys, VAPID_SUBJECT: LOCAL_VAPID_SUBJECT };
  const added = Object.keys(wanted).filter((key) => !has(current, key));
  if (added.length === 0) return added;
  const lines = added.map((key) => `${key}=${wanted[key]}\n`).join("");
  if (current) appendFileSync(file, (current.endsWith("\n") ? "" : "\n") + lines);
  else writeFileSync(file, lines, { mode: 0o600 });
  return added;
}

/** The port `npm run dev` serves on: PORT if set, else 8787. */
export function devPort(env) {
  const port = env.PORT?.trim() || "8787";
  if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    throw new Error(`PORT must be a port number from 1 to 65535, not "${env.PORT}"`);
  }
  return Number(port);
}

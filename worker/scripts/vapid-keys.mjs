// Prints a new VAPID key pair for a deployment (`npm run vapid:keys`): put each value in with
// `wrangler secret put`. Keep the pair: a new public key invalidates every device's subscription.
import { vapidKeyPair } from "./local-dev.mjs";

for (const [name, value] of Object.entries(vapidKeyPair())) console.log(`${name}=${value}`);

// Creates .dev.vars with a random JWT_SECRET on first run, so `npm run dev` works on a fresh clone.
// The file is git-ignored; production uses `wrangler secret put JWT_SECRET`.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, appendFileSync, writeFileSync } from "node:fs";

const path = new URL("../../.dev.vars", import.meta.url);
const current = existsSync(path) ? readFileSync(path, "utf8") : "";
if (!/^JWT_SECRET=/m.test(current)) {
  const line = `JWT_SECRET=${randomBytes(32).toString("base64url")}\n`;
  if (current) appendFileSync(path, (current.endsWith("\n") ? "" : "\n") + line);
  else writeFileSync(path, line, { mode: 0o600 });
  console.log("Created a random JWT_SECRET in .dev.vars");
}

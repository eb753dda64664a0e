// Prepares a fresh clone for `wrangler dev`: a random JWT_SECRET in .dev.vars (git-ignored;
// production uses `wrangler secret put JWT_SECRET`) and the local D1 migrations applied.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";

const devVars = new URL("../../.dev.vars", import.meta.url);
const current = existsSync(devVars) ? readFileSync(devVars, "utf8") : "";
if (!/^JWT_SECRET=/m.test(current)) {
  const line = `JWT_SECRET=${randomBytes(32).toString("base64url")}\n`;
  if (current) appendFileSync(devVars, (current.endsWith("\n") ? "" : "\n") + line);
  else writeFileSync(devVars, line, { mode: 0o600 });
  console.log("Created a random JWT_SECRET in .dev.vars");
}

// stdin is not a terminal here, so wrangler applies the migrations without asking to confirm.
const migrate = spawnSync("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--local"], {
  stdio: ["ignore", "inherit", "inherit"],
  shell: process.platform === "win32",
});
process.exit(migrate.status ?? 1);

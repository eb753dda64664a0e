// Prepares a fresh clone for `wrangler dev`: .dev.vars (git-ignored; see local-dev.mjs) and the
// local D1 migrations applied.
import { spawnSync } from "node:child_process";
import { ensureDevVars } from "./local-dev.mjs";

const added = ensureDevVars(new URL("../../.dev.vars", import.meta.url));
if (added.length > 0) console.log(`Added ${added.join(", ")} to .dev.vars`);

// stdin is not a terminal here, so wrangler applies the migrations without asking to confirm.
const migrate = spawnSync("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--local"], {
  stdio: ["ignore", "inherit", "inherit"],
  shell: process.platform === "win32",
});
process.exit(migrate.status ?? 1);

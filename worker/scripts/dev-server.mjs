// `wrangler dev` on PORT (default 8787), so two checkouts can run side by side: wrangler reads no
// port from the environment. Arguments after `npm run dev --` go to wrangler dev.
import { spawnSync } from "node:child_process";
import { devPort } from "./local-dev.mjs";

let port;
try {
  port = devPort(process.env);
} catch (err) {
  console.error(err.message);
  process.exit(1);
}
const dev = spawnSync("npx", ["wrangler", "dev", "--port", String(port), ...process.argv.slice(2)], {
  stdio: "inherit",
  shell: process.platform === "win32",
});
process.exit(dev.status ?? 1);

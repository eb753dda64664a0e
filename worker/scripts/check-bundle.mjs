// `npm run test:bundle`: bundles the Worker as `wrangler deploy` would but uploads nothing (no
// Cloudflare login, no network), so a Worker that would not deploy fails the tests, and prints
// its size. wrangler.toml's [assets] directory must exist for the dry run: test:bundle builds the
// web app first.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { GZIP_LIMIT, bundleSize } from "./bundle-size.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
mkdirSync(join(root, ".wrangler"), { recursive: true });
const outdir = mkdtempSync(join(root, ".wrangler", "bundle-check-"));
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
try {
  const dryRun = spawnSync("npx", ["wrangler", "deploy", "--dry-run", "--outdir", outdir], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    shell: process.platform === "win32",
  });
  if (dryRun.status !== 0) {
    process.stderr.write(dryRun.stdout + dryRun.stderr);
    console.error("wrangler deploy --dry-run failed: this Worker would not deploy.");
    process.exitCode = 1;
  } else {
    const { raw, gzip, tooBig } = bundleSize(outdir);
    console.log(`Worker bundle: ${kib(raw)}, ${kib(gzip)} gzipped (limit ${kib(GZIP_LIMIT)} gzipped)`);
    if (tooBig) {
      console.error("The Worker bundle is at or over the limit: find what grew it (esbuild's metafile, `wrangler deploy --dry-run --metafile`).");
      process.exitCode = 1;
    }
  }
} finally {
  rmSync(outdir, { recursive: true, force: true });
}

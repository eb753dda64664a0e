import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

// Well under Cloudflare's own limits (3 MiB gzipped on the free plan, 10 MiB paid): a Worker this
// size starts slower on every cold isolate, so crossing it should be a decision, not an accident.
export const GZIP_LIMIT = 1024 * 1024;

/**
 * The size of what `wrangler deploy --dry-run --outdir dir` would upload: every module it wrote,
 * raw and gzipped, without the source maps and the README wrangler adds.
 */
export function bundleSize(dir) {
  const modules = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && !entry.name.endsWith(".map") && entry.name !== "README.md")
    .map((entry) => readFileSync(join(entry.parentPath, entry.name)));
  const raw = modules.reduce((sum, bytes) => sum + bytes.length, 0);
  const gzip = modules.reduce((sum, bytes) => sum + gzipSync(bytes).length, 0);
  return { raw, gzip, tooBig: gzip >= GZIP_LIMIT };
}

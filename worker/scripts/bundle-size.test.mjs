import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, it } from "node:test";
import { gzipSync } from "node:zlib";
import { GZIP_LIMIT, bundleSize } from "./bundle-size.mjs";

let dir;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "talk-bundle-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it("counts every module wrangler wrote, raw and gzipped, but not source maps or its README", () => {
  const index = Buffer.from("export default { fetch() { return new Response('hi'); } };\n".repeat(100));
  const wasm = randomBytes(5000);
  writeFileSync(join(dir, "index.js"), index);
  mkdirSync(join(dir, "lib"));
  writeFileSync(join(dir, "lib", "image.wasm"), wasm);
  writeFileSync(join(dir, "index.js.map"), randomBytes(2 * GZIP_LIMIT));
  writeFileSync(join(dir, "README.md"), "This folder contains the built output assets for the worker");
  assert.deepEqual(bundleSize(dir), {
    raw: index.length + wasm.length,
    gzip: gzipSync(index).length + gzipSync(wasm).length,
    tooBig: false,
  });
});

it("is too big at 1 MiB gzipped", () => {
  writeFileSync(join(dir, "index.js"), randomBytes(GZIP_LIMIT));
  const { gzip, tooBig } = bundleSize(dir);
  assert.ok(gzip >= GZIP_LIMIT, `${gzip} bytes gzipped`);
  assert.equal(tooBig, true);
});

it("is not too big just under it", () => {
  writeFileSync(join(dir, "index.js"), randomBytes(GZIP_LIMIT - 1024));
  const { gzip, tooBig } = bundleSize(dir);
  assert.ok(gzip < GZIP_LIMIT, `${gzip} bytes gzipped`);
  assert.equal(tooBig, false);
});

import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { unstable_getVarsForDev, unstable_readConfig } from "wrangler";
import { LOCAL_LIMITS, LOCAL_VAPID_SUBJECT, devPort, ensureDevVars } from "./local-dev.mjs";

const wranglerToml = fileURLToPath(new URL("../../wrangler.toml", import.meta.url));

const VAPID = ["VAPID_PUBLIC_KEY", "VAPID_PRIVATE_KEY", "VAPID_SUBJECT"];

let dir;
let devVars;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "talk-dev-vars-"));
  devVars = join(dir, ".dev.vars");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The vars `wrangler dev` binds for a checkout whose .dev.vars is the one in `dir`. */
function varsWranglerDevSees() {
  copyFileSync(wranglerToml, join(dir, "wrangler.toml"));
  const config = unstable_readConfig({ config: join(dir, "wrangler.toml") });
  const vars = unstable_getVarsForDev(config.configPath, undefined, config.vars, undefined, true);
  return { deployed: config.vars, local: Object.fromEntries(Object.entries(vars).map(([key, v]) => [key, v.value])) };
}

describe(".dev.vars", () => {
  it("a fresh clone gets a random secret, readable by its owner only, and the local limits", () => {
    assert.deepEqual(ensureDevVars(devVars), ["JWT_SECRET", ...Object.keys(LOCAL_LIMITS), ...VAPID]);
    assert.match(readFileSync(devVars, "utf8"), /^JWT_SECRET=[\w-]{43}\n/);
    assert.equal(statSync(devVars).mode & 0o777, 0o600);
  });

  it("lets wrangler dev take far more than the deployed sign-ups and logins per IP, and keeps the per-username limit", () => {
    ensureDevVars(devVars);
    const { deployed, local } = varsWranglerDevSees();
    for (const key of ["REGISTER_LIMIT_PER_HOUR", "LOGIN_LIMIT_PER_IP"]) {
      assert.ok(Number(local[key]) >= 10 * Number(deployed[key]), `${key}: ${local[key]} locally, ${deployed[key]} deployed`);
    }
    assert.equal(local.LOGIN_FAILURES_PER_USERNAME, deployed.LOGIN_FAILURES_PER_USERNAME);
  });

  it("a .dev.vars from before the limits keeps its secret byte for byte and gains the limits", () => {
    for (const old of ["JWT_SECRET=kept-secret\n", "JWT_SECRET=kept-secret"]) {
      writeFileSync(devVars, old);
      assert.deepEqual(ensureDevVars(devVars), [...Object.keys(LOCAL_LIMITS), ...VAPID]);
      const text = readFileSync(devVars, "utf8");
      assert.ok(text.startsWith("JWT_SECRET=kept-secret\n"), text);
      const { local } = varsWranglerDevSees();
      assert.equal(local.JWT_SECRET, "kept-secret");
      assert.equal(local.REGISTER_LIMIT_PER_HOUR, LOCAL_LIMITS.REGISTER_LIMIT_PER_HOUR);
    }
  });

  it("a second run changes nothing, and a limit the developer set stays theirs", () => {
    writeFileSync(devVars, "JWT_SECRET=mine\nREGISTER_LIMIT_PER_HOUR=5\nVAPID_PUBLIC_KEY=mine\nVAPID_PRIVATE_KEY=mine\nVAPID_SUBJECT=mailto:me@example.com\n");
    ensureDevVars(devVars);
    const once = readFileSync(devVars, "utf8");
    assert.deepEqual(ensureDevVars(devVars), []);
    assert.equal(readFileSync(devVars, "utf8"), once);
    assert.equal(varsWranglerDevSees().local.REGISTER_LIMIT_PER_HOUR, "5");
  });
});

describe("the local VAPID key pair", () => {
  it("is a P-256 pair Web Push accepts: a 65-byte uncompressed public point whose private half signs what the public half verifies", async () => {
    ensureDevVars(devVars);
    const { local } = varsWranglerDevSees();
    const point = Buffer.from(local.VAPID_PUBLIC_KEY, "base64url");
    assert.equal(point.length, 65);
    assert.equal(point[0], 4);
    assert.equal(Buffer.from(local.VAPID_PRIVATE_KEY, "base64url").length, 32);
    assert.equal(local.VAPID_SUBJECT, LOCAL_VAPID_SUBJECT);
    const jwk = { kty: "EC", crv: "P-256", x: point.subarray(1, 33).toString("base64url"), y: point.subarray(33).toString("base64url") };
    const algorithm = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
    const signing = await crypto.subtle.importKey("jwk", { ...jwk, d: local.VAPID_PRIVATE_KEY }, algorithm, false, ["sign"]);
    const verifying = await crypto.subtle.importKey("jwk", jwk, algorithm, false, ["verify"]);
    const data = new TextEncoder().encode("push");
    assert.ok(await crypto.subtle.verify(algorithm, verifying, await crypto.subtle.sign(algorithm, signing, data), data));
  });

  it("is left alone when either half is there: a new half beside an old one would not be a pair", () => {
    writeFileSync(devVars, "VAPID_PRIVATE_KEY=mine\n");
    assert.ok(!ensureDevVars(devVars).includes("VAPID_PUBLIC_KEY"));
    assert.doesNotMatch(readFileSync(devVars, "utf8"), /VAPID_PUBLIC_KEY/);
  });
});

describe("the dev server's port", () => {
  it("is PORT when set, 8787 otherwise", () => {
    assert.equal(devPort({ PORT: "8790" }), 8790);
    assert.equal(devPort({}), 8787);
    assert.equal(devPort({ PORT: "" }), 8787);
  });

  it("refuses a PORT that is not a port number", () => {
    for (const PORT of ["http", "80a", "0", "65536", "-1"]) assert.throws(() => devPort({ PORT }), /PORT must be a port number/);
  });
});

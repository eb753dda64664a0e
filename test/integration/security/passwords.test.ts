/**
 * Password storage: scrypt with N=2^14, r=8, p=5 (under the Workers cap N·r·p ≤ 2^20), a random
 * 16-byte salt per hash, parameters inside the stored string, compared in constant time.
 */
import { randomBytes, scryptSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { call, register } from "../harness";
import { SCRYPT_PARAMS, hashPassword, verifyPassword } from "../../../worker/lib/password";
import passwordSource from "../../../worker/lib/password.ts?raw";
import { PASSWORD, login, query } from "./helpers";

const FORMAT = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;
const storedHash = async (userId: string) => (await query<{ password_hash: string }>("select password_hash from users where id = ?", userId))[0]!.password_hash;

const b64 = (buf: Uint8Array) => Buffer.from(buf).toString("base64");
/** Builds a hash string with arbitrary parameters, independently of the Worker's code. */
const hashWith = (password: string, N: number, r: number, p: number, keyLength: number) => {
  const salt = randomBytes(16);
  const key = scryptSync(password.normalize("NFC"), salt, keyLength, { N, r, p, maxmem: 256 * N * r });
  return `scrypt$${N}$${r}$${p}$${b64(salt)}$${b64(key)}`;
};

describe("parameters", () => {
  it("N·r·p stays within the deployed Workers cap of 2^20, at N=2^14, r=8, p=5", () => {
    const { N, r, p } = SCRYPT_PARAMS;
    expect(N * r * p).toBeLessThanOrEqual(2 ** 20);
    expect({ N, r, p }).toEqual({ N: 2 ** 14, r: 8, p: 5 });
    expect(Number.isInteger(Math.log2(N))).toBe(true);
  });

  it("salts are at least 16 bytes and keys at least 32", () => {
    expect(SCRYPT_PARAMS.saltLength).toBeGreaterThanOrEqual(16);
    expect(SCRYPT_PARAMS.keyLength).toBeGreaterThanOrEqual(32);
  });
});

describe("what D1 stores", () => {
  it("is scrypt$16384$8$5$<16-byte salt>$<key>, really scrypt of the password with those parameters, never the password", async () => {
    const secret = "my very secret pw";
    const res = await call("/api/auth/register", { method: "POST", ip: "10.7.0.1", json: { username: "hash_check", password: secret } });
    expect(res.status).toBe(201);
    const { user } = (await res.json()) as { user: { id: string } };
    const stored = await storedHash(user.id);
    const m = FORMAT.exec(stored);
    expect(m, stored).not.toBeNull();
    const [, N, r, p, salt, key] = m!;
    expect([N, r, p]).toEqual(["16384", "8", "5"]);
    expect(Buffer.from(salt!, "base64")).toHaveLength(16);
    const keyBytes = Buffer.from(key!, "base64");
    expect(keyBytes.length).toBeGreaterThanOrEqual(32);
    // Independently recompute: it is scrypt with exactly the parameters written in the string.
    const recomputed = scryptSync(secret, Buffer.from(salt!, "base64"), keyBytes.length, { N: 16384, r: 8, p: 5, maxmem: 256 * 16384 * 8 });
    expect(recomputed.equals(keyBytes)).toBe(true);
    // And nothing of the password itself is in any column of the row.
    const row = JSON.stringify(await query("select * from users where id = ?", user.id));
    expect(row).not.toContain(secret);
    expect(row).not.toContain(b64(new TextEncoder().encode(secret)));
  });

  it("equal passwords get different salts and different hashes", async () => {
    const x = await register();
    const y = await register();
    const [hx, hy] = [await storedHash(x.user.id), await storedHash(y.user.id)];
    const [sx, kx] = hx.split("$").slice(4);
    const [sy, ky] = hy.split("$").slice(4);
    expect(sx).not.toBe(sy);
    expect(kx).not.toBe(ky);
    const [h1, h2] = [await hashPassword(PASSWORD), await hashPassword(PASSWORD)];
    expect(h1).not.toBe(h2);
  });
});

describe("verifyPassword", () => {
  it("is true for the password and false for anything else", async () => {
    const h = await hashPassword("Tr0ub4dor&3 비밀번호");
    expect(await verifyPassword("Tr0ub4dor&3 비밀번호", h)).toBe(true);
    for (const wrong of ["Tr0ub4dor&3 비밀번호 ", "tr0ub4dor&3 비밀번호", "Tr0ub4dor&3", "", "\u0000Tr0ub4dor&3 비밀번호"]) {
      expect(await verifyPassword(wrong, h), JSON.stringify(wrong)).toBe(false);
    }
  });

  it("reads the parameters from the string: hashes made with other N, r, p and key lengths still verify", async () => {
    for (const [N, r, p, keyLength] of [
      [1024, 8, 1, 32],
      [2 ** 15, 8, 1, 64],
      [4096, 4, 2, 16],
    ] as const) {
      const h = hashWith("older hash", N, r, p, keyLength);
      expect(await verifyPassword("older hash", h), h).toBe(true);
      expect(await verifyPassword("older hasH", h), h).toBe(false);
    }
  });

  it("a user whose stored hash has older parameters can still log in (and only with the right password)", async () => {
    const u = await register();
    await query("update users set password_hash = ? where id = ?", hashWith(PASSWORD, 1024, 8, 1, 32), u.user.id);
    expect((await login(u.user.username, PASSWORD, "10.7.1.1")).status).toBe(200);
    expect((await login(u.user.username, "wrong password", "10.7.1.2")).status).toBe(401);
  });

  it("refuses stored values that are not scrypt hashes instead of matching them", async () => {
    const good = await hashPassword("password1");
    for (const stored of ["", "password1", `pbkdf2$100000$${good.split("$").slice(4).join("$")}`, "scrypt$16384$8$5$", "scrypt$16384$8$5$$", good.replace(/\$[^$]*$/, "$")]) {
      expect(await verifyPassword("password1", stored), JSON.stringify(stored)).toBe(false);
    }
  });

  it("compares keys with crypto.timingSafeEqual, never with == or Buffer.equals (static check of worker/lib/password.ts)", () => {
    // Timing of a single comparison cannot be measured reliably here, and mocking node:crypto breaks
    // the runtime, so this pins the source: the derived key is compared with timingSafeEqual.
    const verify = passwordSource.slice(passwordSource.indexOf("export const verifyPassword"));
    const body = verify.slice(0, verify.indexOf("\n};") + 3);
    expect(body).toMatch(/timingSafeEqual\(\s*actual\s*,\s*expected\s*\)|timingSafeEqual\(\s*expected\s*,\s*actual\s*\)/);
    expect(body).not.toMatch(/\.equals\(|===\s*expected|expected\s*===|\.toString\([^)]*\)\s*===|compare\(/);
  });
});

import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { unstable_readConfig } from "wrangler";
import { defineConfig } from "vitest/config";
import { LOCAL_VAPID_SUBJECT, vapidKeyPair } from "./worker/scripts/local-dev.mjs";

// The pool reads .dev.vars as `wrangler dev` does, and `npm run dev` puts looser local limits
// there: the tests bind wrangler.toml's [vars] again, so they always see the deployed limits.
const { vars } = unstable_readConfig({ config: "./wrangler.toml" });

export default defineConfig(async () => ({
  plugins: [
    // The room log's migrations import their .sql files as text, as wrangler.toml's Text rule does.
    { name: "sql-as-text", transform: (code: string, id: string) => (id.endsWith(".sql") ? `export default ${JSON.stringify(code)};` : undefined) },
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        bindings: {
          ...vars,
          TEST_MIGRATIONS: await readD1Migrations("./migrations"),
          JWT_SECRET: "test-secret-that-is-long-enough-for-hs256-signing",
          // A pair per run: tests verify what the Worker signs against VAPID_PUBLIC_KEY in `env`.
          ...vapidKeyPair(),
          VAPID_SUBJECT: LOCAL_VAPID_SUBJECT,
        },
      },
    }),
  ],
  test: {
    // The room objects log one line per D1 write (for the bench and production logs): not test output.
    onConsoleLog: (log: string) => (log.startsWith('{"event":"d1_') ? false : undefined),
    include: ["test/integration/**/*.test.ts", "durable-objects/**/*.test.ts", "worker/**/*.test.ts", "web/src/**/*.test.ts"],
    setupFiles: ["./test/integration/apply-migrations.ts"],
  },
}));

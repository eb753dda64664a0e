import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig(async () => ({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        bindings: {
          TEST_MIGRATIONS: await readD1Migrations("./migrations"),
          JWT_SECRET: "test-secret-that-is-long-enough-for-hs256-signing",
        },
      },
    }),
  ],
  test: {
    include: ["test/integration/**/*.test.ts", "durable-objects/**/*.test.ts", "worker/**/*.test.ts", "web/src/**/*.test.ts"],
    setupFiles: ["./test/integration/apply-migrations.ts"],
  },
}));

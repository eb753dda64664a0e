import { fileURLToPath } from "node:url";
import { defineConfig } from "@playwright/test";

// E2E_PORT lets two checkouts run their browser tests side by side.
const PORT = Number(process.env.E2E_PORT ?? 8788);
const here = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  testDir: here,
  outputDir: fileURLToPath(new URL("./.artifacts/results", import.meta.url)),
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: process.env.CI ? 1 : 2,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never", outputFolder: fileURLToPath(new URL("./.artifacts/report", import.meta.url)) }]],
  use: {
    baseURL: `http://localhost:${PORT}`,
    locale: "ko-KR",
    // A phone-width window: the one-screen-at-a-time layout the specs drive. From 1,024 px the list
    // and the room sit side by side (desktop.spec.ts and screens.spec.ts set their own sizes).
    viewport: { width: 420, height: 720 },
    timezoneId: "Asia/Seoul",
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: [{ name: "chromium", use: { browserName: "chromium" } }],
  webServer: {
    command: `bash ${fileURLToPath(new URL("./serve.sh", import.meta.url))} ${PORT}`,
    url: `http://localhost:${PORT}/api/health`,
    reuseExistingServer: !process.env.CI,
    timeout: 120_000,
    stdout: "ignore",
    stderr: "pipe",
  },
});

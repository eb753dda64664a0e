import { expect, test } from "@playwright/test";
import { addFriend, newPerson, openChatWith, sendMessage, storedBubbles } from "./helpers";

/** The headers web/public/_headers promises on every page the asset server answers. */
const expectPageHeaders = (headers: Record<string, string>) => {
  const csp = headers["content-security-policy"] ?? "";
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("object-src 'none'");
  expect(csp).not.toContain("unsafe-inline");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  expect(headers["x-frame-options"]).toBe("DENY");
};

test("the app, its SPA routes and its assets are served with the security headers", async ({ request }) => {
  const index = await request.get("/");
  expect(index.status()).toBe(200);
  expectPageHeaders(index.headers());

  const deepLink = await request.get("/rooms/some-room");
  expect(deepLink.status()).toBe(200);
  expect(await deepLink.text()).toContain('<div id="app">');
  expectPageHeaders(deepLink.headers());

  const script = (await index.text()).match(/<script[^>]+src="([^"]+)"/)?.[1];
  expect(script).toBeTruthy();
  expectPageHeaders((await request.get(script!)).headers());
});

test("the whole app runs under that policy: no violation on any screen, no inline script", async ({ browser }) => {
  const a = await newPerson(browser, "csp_a", "정책 검사");
  const b = await newPerson(browser, "csp_b", "상대");
  const violations: string[] = [];
  await a.page.exposeFunction("reportViolation", (v: string) => violations.push(v));
  await a.page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) =>
      (window as unknown as { reportViolation: (v: string) => void }).reportViolation(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  await a.page.reload();
  await addFriend(a.page, b.username, /추가/);
  await openChatWith(a.page, b.displayName);
  await sendMessage(a.page, "정책 아래에서도 잘 보내져요");
  await expect(storedBubbles(a.page)).toHaveText(["정책 아래에서도 잘 보내져요"]);
  await a.page.goto("/chats");
  await expect(a.page.getByText("정책 아래에서도 잘 보내져요")).toBeVisible();
  expect(await a.page.locator("script:not([src])").count()).toBe(0);
  expect(violations).toEqual([]);
  await a.context.close();
  await b.context.close();
});

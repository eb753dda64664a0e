import { fileURLToPath } from "node:url";
import { type Page, expect, test } from "@playwright/test";
import { en } from "../../web/src/i18n/en";
import { ko } from "../../web/src/i18n/ko";
import { expectAccessible } from "./a11y";
import { composer, sendMessage, storedBubbles } from "./helpers";
import { sendAs, twoPeople } from "./seed";

const banner = (page: Page) => page.getByRole("region", { name: "친구로 추가되지 않은 사용자입니다." });

test("a 1:1 room with someone not in my friends shows 친구로 추가되지 않은 사용자입니다 with 추가, which adds them", async ({ browser }) => {
  // One way: a adds b and writes at once; b has not added a.
  const { a, b, roomId } = await twoPeople(browser, ["onewaya", "먼저 추가한 사람"], ["onewayb", "추가된 사람"], { oneWay: true });
  await sendAs(a, roomId, ["안녕하세요"]);

  const page = await b.context.newPage();
  await page.goto(`/rooms/${roomId}`);
  await expect(storedBubbles(page)).toHaveText(["안녕하세요"]);
  await expect(banner(page)).toContainText("친구로 추가되지 않은 사용자입니다.");
  await expect(banner(page).getByRole("button", { name: "차단" })).toBeVisible();
  await banner(page).getByRole("button", { name: "추가" }).click();
  await expect(banner(page)).toHaveCount(0);

  // a's side: b is a's friend, so no banner there.
  const other = await a.context.newPage();
  await other.goto(`/rooms/${roomId}`);
  await expect(storedBubbles(other)).toHaveText(["안녕하세요"]);
  await expect(composer(other)).toBeVisible();
  await expect(banner(other)).toHaveCount(0);

  await page.goto("/friends");
  await expect(page.getByRole("list", { name: /^친구 \d+$/ })).toContainText("먼저 추가한 사람");
  await a.context.close();
  await b.context.close();
});

test("차단 from the banner: the blocked's messages never appear; 차단 해제 in settings brings only what follows", async ({ browser }) => {
  // Only a has b as a friend: b sees the banner.
  const { a, b, roomId } = await twoPeople(browser, ["blocka", "차단될 사람"], ["blockb", "차단한 사람"], { oneWay: true });
  await sendAs(a, roomId, ["차단 전"]);

  const page = await b.context.newPage();
  await page.goto(`/rooms/${roomId}`);
  await expect(storedBubbles(page)).toHaveText(["차단 전"]);
  await banner(page).getByRole("button", { name: "차단" }).click();
  const confirm = page.getByRole("dialog", { name: "차단" });
  await expect(confirm).toContainText("차단될 사람님을 차단합니다.");
  await confirm.getByRole("button", { name: "차단" }).click();
  await expect(page).toHaveURL(/\/chats$/);
  await expect(page.getByText("아직 대화가 없습니다.")).toBeVisible();
  await expect(page.getByRole("list", { name: "채팅" })).toHaveCount(0);

  // Back in the room while blocked: a's new message is not drawn, though b's own, sent after it, is.
  await page.goto(`/rooms/${roomId}`);
  await expect(storedBubbles(page)).toHaveText(["차단 전"]);
  await sendAs(a, roomId, ["차단 중"]);
  await sendMessage(page, "내 말");
  await expect(storedBubbles(page)).toHaveText(["차단 전", "내 말"]);

  // Unblock in settings.
  await page.goto("/friends");
  await page.getByRole("button", { name: "설정" }).click();
  const settings = page.getByRole("dialog", { name: "설정" });
  const blockedList = settings.getByRole("list", { name: "차단한 사용자" });
  await expect(blockedList).toContainText("차단될 사람");
  await blockedList.getByRole("button", { name: "차단될 사람님 차단 해제" }).click();
  await expect(settings).toContainText("차단한 사용자가 없습니다.");
  await settings.getByRole("button", { name: "닫기" }).click();

  await sendAs(a, roomId, ["해제 후"]);
  await page.goto(`/rooms/${roomId}`);
  await expect(storedBubbles(page)).toHaveText(["해제 후"]);
  await a.context.close();
  await b.context.close();
});

for (const [lang, c] of [["ko", ko], ["en", en]] as const) {
  test(`the non-friend banner and the block confirmation in ${lang}: accessible, with a screenshot`, async ({ browser }) => {
    const { a, b, roomId } = await twoPeople(browser, ["shota", lang === "ko" ? "김민지" : "Minji Kim"], ["shotb", lang === "ko" ? "박지우" : "Jiwoo Park"], { oneWay: true });
    await sendAs(a, roomId, [lang === "ko" ? "안녕하세요, 지우 씨" : "Hi Jiwoo"]);
    const context = await browser.newContext({ locale: lang === "ko" ? "ko-KR" : "en-US", viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, bypassCSP: true });
    await context.addCookies(await b.context.cookies());
    const page = await context.newPage();
    await page.goto(`/rooms/${roomId}`);
    const region = page.getByRole("region", { name: c.notFriendBanner });
    await expect(region.getByRole("button", { name: c.addAction, exact: true })).toBeVisible();
    await expectAccessible(page, `not-friend banner ${lang}`);
    await page.screenshot({ path: fileURLToPath(new URL(`./.artifacts/screenshots/not-friend-${lang}.png`, import.meta.url)), animations: "disabled", caret: "hide" });
    await region.getByRole("button", { name: c.blockAction, exact: true }).click();
    await expect(page.getByRole("dialog", { name: c.blockTitle })).toBeVisible();
    await expectAccessible(page, `block confirmation ${lang}`);
    await page.screenshot({ path: fileURLToPath(new URL(`./.artifacts/screenshots/block-${lang}.png`, import.meta.url)), animations: "disabled", caret: "hide" });
    for (const ctx of [context, a.context, b.context]) await ctx.close();
  });
}

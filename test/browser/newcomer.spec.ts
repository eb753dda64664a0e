import { expect, type Locator, test } from "@playwright/test";
import { en } from "../../web/src/i18n/en";
import { ko } from "../../web/src/i18n/ko";
import { expectAccessible } from "./a11y";
import { composer, storedBubbles } from "./helpers";
import { apiUser, logInContext, roomWithFriend, sendAs, twoPeople } from "./seed";

/** What a new user meets first: where the focus starts, readable errors, banners, counts, long messages. */

const overlaps = async (a: Locator, b: Locator): Promise<boolean> => {
  const [x, y] = [(await a.boundingBox())!, (await b.boundingBox())!];
  return x.x < y.x + y.width && y.x < x.x + x.width && x.y < y.y + y.height && y.y < x.y + x.height;
};

test("the login screen starts in the ID field; a room starts in the message box", async ({ browser }) => {
  const { a: me, b: friend, roomId } = await twoPeople(browser, ["focus", "포커스"], ["focusf", "친구"]);
  await sendAs(friend, roomId, ["안녕"]);

  const guest = await browser.newPage();
  await guest.goto("/login");
  await expect(guest.getByLabel(ko.username, { exact: true })).toBeFocused();
  await guest.close();

  const page = await me.context.newPage();
  await page.goto(`/rooms/${roomId}`);
  await expect(storedBubbles(page)).toHaveText(["안녕"]);
  await expect(composer(page)).toBeFocused();
  // opened from the chat list too: typing goes straight into the box
  await page.goto("/chats");
  await page.getByRole("list", { name: ko.chatsTitle }).getByRole("link").click();
  await expect(composer(page)).toBeFocused();
  await page.keyboard.type("바로 입력");
  await expect(composer(page)).toHaveValue("바로 입력");
  await me.context.close();
  await friend.context.close();
});

test("errors on the yellow login and the blue room are readable (4.5:1), and the way out says where it goes", async ({ browser }) => {
  const me = await apiUser(browser, "contr", "대비");
  const context = await browser.newContext({ bypassCSP: true }); // lets the test inject axe-core
  const page = await context.newPage();

  await page.goto("/login");
  await page.getByRole("button", { name: ko.logIn, exact: true }).click();
  await expect(page.locator(".field-error")).toHaveText([ko.fieldRequired, ko.fieldRequired]);
  await expectAccessible(page, "login, fields missing");
  await page.getByLabel(ko.username, { exact: true }).fill(me.username);
  await page.getByLabel(ko.password, { exact: true }).fill("not the password");
  await page.getByRole("button", { name: ko.logIn, exact: true }).click();
  await expect(page.getByRole("alert")).toHaveText(ko.invalidCredentials);
  await expectAccessible(page, "login, wrong password");

  await logInContext(context, me);
  await page.goto(`/rooms/${crypto.randomUUID()}`);
  const alert = page.getByRole("alert");
  await expect(alert).toContainText(ko.roomNotFound);
  await expectAccessible(page, "room not found");
  await alert.getByRole("button", { name: ko.toChatList }).click();
  await expect(page).toHaveURL(/\/chats$/);
  await context.close();
  await me.context.close();
});

test("the offline banner takes its own room: it covers neither the newest chat nor the newest message", async ({ browser }) => {
  const { a: me, b: friend, roomId } = await twoPeople(browser, ["bann", "배너"], ["bannf", "친구"]);
  await sendAs(friend, roomId, ["첫 메시지", "가장 새 메시지"]);
  const page = await me.context.newPage();
  const banner = page.getByRole("status").filter({ hasText: ko.offline });

  await page.goto("/chats");
  const newest = page.getByRole("list", { name: ko.chatsTitle }).getByRole("link").first();
  await expect(newest).toContainText("가장 새 메시지");
  await me.context.setOffline(true);
  await expect(banner).toBeVisible();
  expect(await overlaps(banner, newest)).toBe(false);
  await me.context.setOffline(false);
  await expect(banner).toHaveCount(0);

  await page.goto(`/rooms/${roomId}`);
  await expect(storedBubbles(page)).toHaveText(["첫 메시지", "가장 새 메시지"]);
  await me.context.setOffline(true);
  await expect(banner).toBeVisible();
  // nothing of the conversation is under it, and the newest message is all on screen
  expect(await overlaps(banner, page.getByRole("log"))).toBe(false);
  await expect(storedBubbles(page).last()).toBeInViewport({ ratio: 1 });
  await me.context.setOffline(false);
  await me.context.close();
  await friend.context.close();
});

test("English counts agree with their number: 1 unread message, 2 unread messages", async ({ browser }) => {
  const me = await apiUser(browser, "plur", "Plural");
  const one = await apiUser(browser, "plura", "One");
  const two = await apiUser(browser, "plurb", "Two");
  await sendAs(one, await roomWithFriend(me, one), ["hi"]);
  await sendAs(two, await roomWithFriend(me, two), ["hey", "you there?"]);
  const context = await browser.newContext({ locale: "en-US" });
  await logInContext(context, me);
  const page = await context.newPage();
  await page.goto("/chats");
  const rows = page.getByRole("list", { name: en.chatsTitle }).getByRole("link");
  await expect(rows).toHaveCount(2);
  await expect(rows.filter({ hasText: "One" }).locator(".badge .sr-only")).toHaveText("1 unread message");
  await expect(rows.filter({ hasText: "Two" }).locator(".badge .sr-only")).toHaveText("2 unread messages");
  await expect(page.getByRole("navigation").locator(".badge .sr-only")).toHaveText("3 unread messages");
  await context.close();
  for (const user of [me, one, two]) await user.context.close();
});

test("a 10,000-character message shows its first 500 characters and a View all that opens the whole text", async ({ browser }) => {
  const { a: me, b: friend, roomId } = await twoPeople(browser, ["longm", "긴 글"], ["longf", "수다"]);
  // a link in the part the bubble shows, another past the cut, Hangul and emoji (two UTF-16 units) throughout
  const head = "처음에 https://example.com/first 링크 ";
  const tail = " 끝에 https://example.com/last 링크";
  const filler = Array.from("가나다라마바사😀 ");
  const points = Array.from(head);
  while (points.length < 10_000 - Array.from(tail).length) points.push(filler[points.length % filler.length]!);
  const body = points.join("") + tail;
  expect(Array.from(body).length).toBe(10_000);
  await sendAs(friend, roomId, [body]);

  const page = await me.context.newPage();
  await page.goto(`/rooms/${roomId}`);
  const bubble = storedBubbles(page);
  await expect(bubble).toHaveCount(1);
  const viewAll = bubble.getByRole("button", { name: ko.viewAll });
  await expect(viewAll).toBeVisible();
  // the bubble's text without the button: the start of the message, about 500 code points, then "…"
  const shown = await bubble.evaluate((el) => {
    const copy = el.cloneNode(true) as HTMLElement;
    copy.querySelector("button")?.remove();
    return copy.textContent ?? "";
  });
  expect(shown.endsWith("…")).toBe(true);
  expect(body.startsWith(shown.slice(0, -1))).toBe(true);
  expect(Array.from(shown).length).toBeGreaterThan(450);
  expect(Array.from(shown).length).toBeLessThanOrEqual(501);
  expect((await bubble.boundingBox())!.height).toBeLessThan(720);
  await expect(bubble.getByRole("link", { name: "https://example.com/first" })).toHaveAttribute("href", "https://example.com/first");

  // keyboard: from the conversation, Tab reaches the link and then View all; Enter opens the whole text
  await page.getByRole("log").focus();
  await page.keyboard.press("Tab");
  await expect(bubble.getByRole("link")).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(viewAll).toBeFocused();
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog", { name: ko.fullMessage });
  await expect(dialog).toBeVisible();
  const full = dialog.locator(".full-text");
  expect(await full.evaluate((el) => el.textContent)).toBe(body);
  await expect(full.getByRole("link", { name: "https://example.com/last" })).toHaveAttribute("href", "https://example.com/last");
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(viewAll).toBeFocused();
  await me.context.close();
  await friend.context.close();
});

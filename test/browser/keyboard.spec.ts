import { expect, type Locator, type Page, test } from "@playwright/test";
import { ko } from "../../web/src/i18n/ko";
import { composer, storedBubbles, tabLink } from "./helpers";
import { apiUser, befriend, directRoom, sendAs, twoPeople } from "./seed";

/** Keyboard-only use: visible focus, arrows through lists, dialogs that trap and return focus. */

const focusRing = async (locator: Locator) => {
  await expect(locator).toBeFocused();
  await expect(locator).toHaveCSS("outline-style", "solid");
};

const focusInside = (page: Page) => page.evaluate(() => !!document.activeElement?.closest("dialog[open]"));

test("friends and chats can be used with the keyboard alone", async ({ browser }) => {
  test.setTimeout(90_000);
  const me = await apiUser(browser, "keys", "키보드");
  const ga = await apiUser(browser, "keysa", "가나");
  const da = await apiUser(browser, "keysb", "다라");
  const ma = await apiUser(browser, "keysc", "마바");
  for (const friend of [ga, da, ma]) await befriend(me, friend);
  await sendAs(ga, await directRoom(ga, me), ["가나의 메시지"]);
  await sendAs(da, await directRoom(da, me), ["다라의 메시지"]);
  const page = await me.context.newPage();
  await page.goto("/friends");

  const friendRows = page.getByRole("list", { name: "친구 3" }).getByRole("button");
  await expect(friendRows).toHaveCount(3);

  await test.step("Tab reaches the list with a visible focus ring; arrows, Home and End move along it", async () => {
    await page.getByRole("region", { name: ko.myProfile }).getByRole("button").focus();
    await page.keyboard.press("Tab");
    await focusRing(friendRows.nth(0));
    await page.keyboard.press("ArrowDown");
    await focusRing(friendRows.nth(1));
    await page.keyboard.press("End");
    await expect(friendRows.nth(2)).toBeFocused();
    await page.keyboard.press("ArrowDown"); // stays on the last
    await expect(friendRows.nth(2)).toBeFocused();
    await page.keyboard.press("Home");
    await expect(friendRows.nth(0)).toBeFocused();
    await page.keyboard.press("ArrowUp"); // stays on the first
    await expect(friendRows.nth(0)).toBeFocused();
  });

  await test.step("the settings sheet traps the focus, closes on Escape and gives the focus back", async () => {
    const gear = page.getByRole("button", { name: ko.settings });
    await gear.focus();
    await page.keyboard.press("Enter");
    const sheet = page.getByRole("dialog", { name: ko.settingsTitle });
    await expect(sheet).toBeVisible();
    expect(await focusInside(page)).toBe(true);
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press("Tab");
      expect(await focusInside(page)).toBe(true);
    }
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press("Shift+Tab");
      expect(await focusInside(page)).toBe(true);
    }
    await page.keyboard.press("Escape");
    await expect(sheet).toBeHidden();
    await expect(gear).toBeFocused();
  });

  await test.step("the add-friend dialog starts in its field and gives the focus back too", async () => {
    const add = page.getByRole("banner").getByRole("button", { name: ko.addFriend });
    await add.focus();
    await page.keyboard.press("Enter");
    await expect(page.getByLabel(ko.addFriendLabel)).toBeFocused();
    await page.keyboard.press("Escape");
    await expect(page.getByRole("dialog")).toHaveCount(0);
    await expect(add).toBeFocused();
  });

  await test.step("the tab bar and the chat list", async () => {
    const chatsTab = tabLink(page, ko.tabChats);
    await chatsTab.focus();
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/\/chats$/);
    await expect(chatsTab).toHaveAttribute("aria-current", "page");
    const rows = page.getByRole("list", { name: ko.chatsTitle }).getByRole("link");
    await expect(rows).toHaveCount(2);
    await rows.nth(0).focus();
    await page.keyboard.press("ArrowDown");
    await focusRing(rows.nth(1));
    await expect(rows.nth(1)).toContainText("가나의 메시지");
    await page.keyboard.press("Enter");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(ga.displayName);
  });

  await test.step("in the room: type, Enter sends; back with the keyboard", async () => {
    await expect(storedBubbles(page)).toHaveText(["가나의 메시지"]);
    await composer(page).focus();
    await page.keyboard.type("키보드로만 답장");
    await page.keyboard.press("Enter");
    await expect(storedBubbles(page)).toHaveText(["가나의 메시지", "키보드로만 답장"]);
    const back = page.getByRole("button", { name: ko.back });
    await back.focus();
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/\/chats$/);
  });

  for (const user of [me, ga, da, ma]) await user.context.close();
});

test("the message box stays on screen when the viewport shrinks (on-screen keyboard)", async ({ browser }) => {
  const { a: me, b: friend, roomId } = await twoPeople(browser, ["vk", "자판"], ["vkf", "친구"]);
  await sendAs(friend, roomId, Array.from({ length: 30 }, (_, i) => `긴 대화 ${i + 1}`));
  const page = await me.context.newPage();
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto(`/rooms/${roomId}`);
  await expect(storedBubbles(page).last()).toBeInViewport();
  await composer(page).focus();
  // What a keyboard that resizes the content does: the visible height drops.
  await page.setViewportSize({ width: 360, height: 380 });
  const box = (await composer(page).boundingBox())!;
  expect(box.y + box.height).toBeLessThanOrEqual(380);
  await expect(composer(page)).toBeInViewport({ ratio: 1 });
  await expect(storedBubbles(page).last()).toBeInViewport();
  await me.context.close();
  await friend.context.close();
});

test("head: favicon, manifest for installing, no service worker, viewport for on-screen keyboards", async ({ page, request }) => {
  await page.goto("/login");
  await expect(page).toHaveTitle("Talk");
  const viewport = await page.locator('meta[name="viewport"]').getAttribute("content");
  expect(viewport).toContain("interactive-widget=resizes-content");
  expect(viewport).toContain("viewport-fit=cover");

  const icon = await page.locator('link[rel="icon"]').getAttribute("href");
  const iconResponse = await request.get(icon!);
  expect(iconResponse.ok()).toBe(true);
  expect(iconResponse.headers()["content-type"]).toContain("image/svg+xml");

  const manifestHref = await page.locator('link[rel="manifest"]').getAttribute("href");
  const manifest = (await (await request.get(manifestHref!)).json()) as {
    name: string;
    start_url: string;
    display: string;
    icons: { src: string; sizes: string; type: string; purpose: string }[];
  };
  expect(manifest.name).toBe("Talk");
  expect(manifest.display).toBe("standalone");
  expect(manifest.icons.map((i) => i.purpose).sort()).toEqual(["any", "maskable"]);
  for (const i of manifest.icons) {
    expect(i.sizes).toBeTruthy();
    expect((await request.get(i.src)).ok()).toBe(true);
  }
  expect(await page.evaluate(async () => (await navigator.serviceWorker?.getRegistrations())?.length ?? 0)).toBe(0);
});

test("a group is made, named and its menu used with the keyboard alone", async ({ browser }) => {
  test.setTimeout(90_000);
  const me = await apiUser(browser, "keyg", "키보드");
  const ga = await apiUser(browser, "keyga", "가나");
  const da = await apiUser(browser, "keygb", "다라");
  for (const friend of [ga, da]) await befriend(me, friend);
  const page = await me.context.newPage();
  await page.goto("/chats");
  const opener = page.getByRole("button", { name: ko.newChat });

  await test.step("the picker: search, Space ticks a friend, Tab to the name, Enter creates", async () => {
    await opener.focus();
    await page.keyboard.press("Enter");
    const picker = page.getByRole("dialog", { name: ko.newChatTitle });
    await expect(picker).toBeVisible();
    const search = picker.getByRole("searchbox", { name: ko.searchFriends });
    await search.focus();
    await page.keyboard.type("가나");
    await expect(picker.getByRole("checkbox")).toHaveCount(1);
    await page.keyboard.press("Tab");
    await focusRing(picker.getByRole("checkbox", { name: /^가나/ }));
    await page.keyboard.press("Space");
    await expect(picker.getByRole("checkbox", { name: /^가나/ })).toBeChecked();
    await search.fill("");
    await picker.getByRole("checkbox", { name: /^다라/ }).focus();
    await page.keyboard.press("Space");
    await picker.getByLabel(ko.groupNameLabel).focus();
    await page.keyboard.type("키보드 모임");
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/\/rooms\/[^/]+$/);
    await expect(page.locator(".room-name")).toHaveText("키보드 모임");
  });

  await test.step("the room menu opens from its button, keeps the focus inside and hands it back on Escape", async () => {
    const menuButton = page.locator(".room-topbar").getByRole("button", { name: ko.roomMenu });
    await menuButton.focus();
    await page.keyboard.press("Enter");
    const menu = page.getByRole("dialog", { name: ko.roomMenu });
    await expect(menu).toBeVisible();
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press("Tab");
      expect(await focusInside(page)).toBe(true);
    }
    // a view's first control takes the focus when the menu's content changes
    await menu.getByRole("button", { name: ko.renameRoom }).focus();
    await page.keyboard.press("Enter");
    await expect(page.getByRole("dialog", { name: ko.renameRoom }).getByLabel(ko.renameLabel, { exact: true })).toBeFocused();
    await page.keyboard.press("Escape");
    await expect(page.getByRole("dialog")).toHaveCount(0);
    await expect(menuButton).toBeFocused();
  });

  await page.close();
  for (const user of [me, ga, da]) await user.context.close();
});

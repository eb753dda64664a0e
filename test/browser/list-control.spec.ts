import { expect, type Page, test } from "@playwright/test";
import { ko } from "../../web/src/i18n/ko";
import { formatMessage } from "../../web/src/i18n/format";
import { escapeRegExp, openChatWith, sendMessage, storedBubbles } from "./helpers";
import { apiUser, befriend, directRoom, sendAs, twoPeople } from "./seed";

/** Mute, pin and leaving a 1:1 chat from the room menu; favourites and search on the friends screen. */

const chatRows = (page: Page) => page.getByRole("list", { name: ko.chatsTitle }).getByRole("link");
const rowFor = (page: Page, title: string) =>
  chatRows(page).filter({ has: page.locator(".row-title", { hasText: new RegExp(`^${escapeRegExp(title)}$`) }) });
const menuDialog = (page: Page) => page.getByRole("dialog", { name: ko.roomMenu });
const openMenu = async (page: Page) => {
  await page.locator(".room-topbar").getByRole("button", { name: ko.roomMenu }).click();
  await expect(menuDialog(page)).toBeVisible();
};

test("pin and mute from the room menu: the row goes to the top with a pin and a muted icon, and stays there", async ({ browser }) => {
  const me = await apiUser(browser, "pinme", "나");
  const [old, mid, fresh] = [await apiUser(browser, "pino", "오래된"), await apiUser(browser, "pinm", "중간"), await apiUser(browser, "pinf", "최근")];
  for (const f of [old, mid, fresh]) {
    await befriend(me, f);
    await sendAs(f, await directRoom(f, me), [`${f.displayName}의 메시지`]);
  }
  const page = await me.context.newPage();
  await page.goto("/chats");
  await expect(chatRows(page).locator(".row-title")).toHaveText(["최근", "중간", "오래된"]);
  await expect(page.getByRole("img", { name: ko.pinnedLabel })).toHaveCount(0);

  await rowFor(page, "오래된").click();
  await openMenu(page);
  await menuDialog(page).getByRole("button", { name: ko.pinRoom }).click();
  await expect(menuDialog(page).getByRole("button", { name: ko.unpinRoom })).toBeVisible();
  await menuDialog(page).getByRole("button", { name: ko.muteRoom }).click();
  await expect(menuDialog(page).getByRole("button", { name: ko.unmuteRoom })).toBeVisible();
  await page.keyboard.press("Escape");

  await page.goto("/chats");
  const pinned = rowFor(page, "오래된");
  await expect(chatRows(page).locator(".row-title")).toHaveText(["오래된", "최근", "중간"]);
  await expect(pinned.getByRole("img", { name: ko.pinnedLabel })).toBeVisible();
  await expect(pinned.getByRole("img", { name: ko.mutedLabel })).toBeVisible();
  await expect(rowFor(page, "최근").getByRole("img")).toHaveCount(0);

  // New activity elsewhere does not move the pinned room down; it arrives live below it.
  await sendAs(mid, await directRoom(mid, me), ["중간의 새 메시지"]);
  await expect(chatRows(page).locator(".row-title")).toHaveText(["오래된", "중간", "최근"]);
  await page.reload();
  await expect(chatRows(page).locator(".row-title")).toHaveText(["오래된", "중간", "최근"]);

  // Unpinned, it goes back to its place by activity; still muted.
  await rowFor(page, "오래된").click();
  await openMenu(page);
  await menuDialog(page).getByRole("button", { name: ko.unpinRoom }).click();
  await expect(menuDialog(page).getByRole("button", { name: ko.pinRoom })).toBeVisible();
  await page.goto("/chats");
  await expect(chatRows(page).locator(".row-title")).toHaveText(["중간", "최근", "오래된"]);
  await expect(rowFor(page, "오래된").getByRole("img", { name: ko.mutedLabel })).toBeVisible();
  await expect(rowFor(page, "오래된").getByRole("img", { name: ko.pinnedLabel })).toHaveCount(0);
  for (const u of [me, old, mid, fresh]) await u.context.close();
});

test("leaving a 1:1 chat after confirming hides it; when the friend writes it comes back with only the new message", async ({ browser }) => {
  const { a, b, roomId } = await twoPeople(browser, ["leavea", "떠나는 사람"], ["leaveb", "남은 친구"]);
  await sendAs(b, roomId, ["예전 이야기"]);
  const aPage = await a.context.newPage();
  await aPage.goto(`/rooms/${roomId}`);
  await expect(storedBubbles(aPage)).toHaveText(["예전 이야기"]);

  await openMenu(aPage);
  await menuDialog(aPage).getByRole("button", { name: ko.leaveRoom }).click();
  const confirm = aPage.getByRole("dialog", { name: ko.leaveTitle });
  await expect(confirm.getByText(ko.leaveDirectConfirm)).toBeVisible();
  await confirm.getByRole("button", { name: ko.leaveRoom }).click();
  await expect(aPage).toHaveURL(/\/chats$/);
  await expect(rowFor(aPage, b.displayName)).toHaveCount(0);

  // Opened again from the friend list, it is the same room, empty for A; still not in A's list.
  await aPage.goto("/friends");
  expect(await openChatWith(aPage, b.displayName)).toBe(roomId);
  await expect(aPage.getByText(ko.emptyRoom)).toBeVisible();
  await expect(aPage.locator(".msg")).toHaveCount(0);
  await aPage.goto("/chats");
  await expect(chatRows(aPage)).toHaveCount(0);

  // B, in their own browser, writes again: the room comes back to A's open list, live, with a badge.
  const bPage = await b.context.newPage();
  await bPage.goto(`/rooms/${roomId}`);
  await expect(storedBubbles(bPage)).toHaveText(["예전 이야기"]);
  await sendMessage(bPage, "다시 얘기하자");
  const back = rowFor(aPage, b.displayName);
  await expect(back).toContainText("다시 얘기하자");
  await expect(back.getByText(formatMessage("ko", ko.unreadLabel, { n: 1 }))).toBeAttached();
  await back.click();
  await expect(storedBubbles(aPage)).toHaveText(["다시 얘기하자"]);
  await expect(aPage.getByText("예전 이야기")).toHaveCount(0);
  await a.context.close();
  await b.context.close();
});

test("friends: search by Hangul or Latin, any case; 즐겨찾기 puts a friend on top, and it stays after a reload", async ({ browser }) => {
  const me = await apiUser(browser, "favme", "나");
  const friends = [await apiUser(browser, "favk", "김민지"), await apiUser(browser, "favl", "Alex Kim"), await apiUser(browser, "favh", "하늘")];
  for (const f of friends) await befriend(me, f);
  const page = await me.context.newPage();
  await page.goto("/friends");
  const allRows = page.getByRole("list", { name: "친구 3" }).getByRole("button");
  await expect(allRows).toHaveCount(3);

  const search = page.getByRole("searchbox", { name: ko.searchFriends });
  await search.fill("민지");
  await expect(allRows).toHaveText([/김민지/]);
  await search.fill("ALEX");
  await expect(allRows).toHaveText([/Alex Kim/]);
  await search.fill("favh");
  await expect(allRows).toHaveText([/하늘/]);
  await search.fill("없는 사람");
  await expect(page.getByText(ko.noFriendsMatch)).toBeVisible();
  await search.fill("");
  await expect(allRows).toHaveCount(3);

  // The star is a checkbox: Tab reaches it, Space ticks it.
  const star = page.getByRole("checkbox", { name: formatMessage("ko", ko.favoriteOf, { name: "하늘" }) });
  await star.focus();
  await page.keyboard.press("Space");
  const favorites = page.getByRole("list", { name: formatMessage("ko", ko.favoritesHeading, { n: 1 }) });
  await expect(favorites.getByRole("button")).toHaveText([/하늘/]);
  await expect(allRows).toHaveCount(2);
  await page.reload();
  await expect(favorites.getByRole("button")).toHaveText([/하늘/]);
  await expect(star).toBeChecked();
  await me.context.close();
  for (const f of friends) await f.context.close();
});

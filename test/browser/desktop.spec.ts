import { type Browser, expect, type Page, test } from "@playwright/test";
import { ko } from "../../web/src/i18n/ko";
import { composer, storedBubbles } from "./helpers";
import { type ApiUser, apiUser, logInContext, roomWithFriend, sendAs, twoPeople } from "./seed";

/** At 1,024 px and wider: the list on the left, the open room on the right, both live; phones keep one screen. */

const chatRows = (page: Page) => page.getByRole("list", { name: ko.chatsTitle }).getByRole("link");
const roomPane = (page: Page) => page.locator(".room");
const noRoom = (page: Page) => page.getByText(ko.noRoomOpen);

const pageAt = async (browser: Browser, user: ApiUser, width: number) => {
  const context = await browser.newContext({ viewport: { width, height: 800 } });
  await logInContext(context, user);
  return { context, page: await context.newPage() };
};

test("at 1,280 px the chat list and the open room sit side by side, both live", async ({ browser }) => {
  test.setTimeout(90_000);
  const me = await apiUser(browser, "desk", "데스크톱");
  const open = await apiUser(browser, "deska", "열린 방");
  const other = await apiUser(browser, "deskb", "다른 방");
  const openRoom = await roomWithFriend(me, open);
  const otherRoom = await roomWithFriend(me, other);
  await sendAs(other, otherRoom, ["먼저 온 메시지"]);
  await sendAs(open, openRoom, ["안녕하세요"]);
  const { context, page } = await pageAt(browser, me, 1280);

  await page.goto("/chats");
  await expect(chatRows(page)).toHaveCount(2);
  await expect(noRoom(page)).toBeVisible();

  await chatRows(page).filter({ hasText: open.displayName }).click();
  await expect(page).toHaveURL(new RegExp(`/rooms/${openRoom}$`));
  await expect(storedBubbles(page)).toHaveText(["안녕하세요"]);
  await expect(composer(page)).toBeFocused();
  await expect(noRoom(page)).toHaveCount(0);
  const list = (await page.getByRole("list", { name: ko.chatsTitle }).boundingBox())!;
  const room = (await roomPane(page).boundingBox())!;
  expect(list.x + list.width).toBeLessThanOrEqual(room.x);
  expect(room.width).toBeGreaterThan(list.width);
  await expect(chatRows(page).filter({ hasText: open.displayName })).toHaveAttribute("aria-current", "page");

  // Someone else writes: their row comes to the top with a badge while this room stays open.
  await sendAs(other, otherRoom, ["지금 시간 돼?"]);
  await expect(chatRows(page).first()).toContainText("지금 시간 돼?");
  await expect(chatRows(page).first().locator(".badge")).toHaveText(/^2/);
  await expect(storedBubbles(page)).toHaveText(["안녕하세요"]);
  // The open room's friend writes: the room shows it and its row follows, read (no badge).
  await sendAs(open, openRoom, ["잘 지내요?"]);
  await expect(storedBubbles(page)).toHaveText(["안녕하세요", "잘 지내요?"]);
  const openRow = chatRows(page).filter({ hasText: open.displayName });
  await expect(openRow).toContainText("잘 지내요?");
  await expect(openRow.locator(".badge")).toHaveCount(0);
  // I write: my row shows it too.
  await composer(page).fill("네, 잘 지내요");
  await composer(page).press("Enter");
  await expect(openRow).toContainText("네, 잘 지내요");

  // The other row opens its room in the same place, the list staying put.
  await chatRows(page).filter({ hasText: other.displayName }).click();
  await expect(page).toHaveURL(new RegExp(`/rooms/${otherRoom}$`));
  await expect(storedBubbles(page)).toHaveText(["먼저 온 메시지", "지금 시간 돼?"]);
  await expect(chatRows(page)).toHaveCount(2);

  // The room's header button closes the room: back to the list's URL and the empty right side.
  await roomPane(page).getByRole("button", { name: ko.closeRoom }).click();
  await expect(page).toHaveURL(/\/chats$/);
  await expect(noRoom(page)).toBeVisible();
  await expect(roomPane(page)).toHaveCount(0);

  await context.close();
  for (const user of [me, open, other]) await user.context.close();
});

test("a room's URL loaded directly shows the list beside it on a desktop, the room alone on a phone", async ({ browser }) => {
  const { a: me, b: friend, roomId } = await twoPeople(browser, ["deskd", "직접"], ["deskdf", "링크 친구"]);
  await sendAs(friend, roomId, ["링크로 열어 봐"]);
  const { context, page } = await pageAt(browser, me, 1280);

  await page.goto(`/rooms/${roomId}`);
  await expect(storedBubbles(page)).toHaveText(["링크로 열어 봐"]);
  await expect(chatRows(page)).toHaveText([new RegExp(friend.displayName)]);
  await expect(page.getByRole("navigation", { name: ko.mainNav })).toBeVisible();

  await page.getByRole("navigation").getByRole("link", { name: ko.tabFriends }).click();
  await expect(page).toHaveURL(/\/friends$/);
  await expect(noRoom(page)).toBeVisible();
  await page.getByRole("list", { name: "친구 1" }).getByRole("button", { name: new RegExp(friend.displayName) }).click();
  await expect(page).toHaveURL(new RegExp(`/rooms/${roomId}$`));
  await expect(storedBubbles(page)).toHaveText(["링크로 열어 봐"]);
  await expect(page.getByRole("list", { name: "친구 1" })).toBeVisible();
  await roomPane(page).getByRole("button", { name: ko.closeRoom }).click();
  await expect(page).toHaveURL(/\/friends$/);
  await context.close();

  // 360 px: one screen at a time, as before
  const phone = await pageAt(browser, me, 360);
  await phone.page.goto(`/rooms/${roomId}`);
  await expect(storedBubbles(phone.page)).toHaveText(["링크로 열어 봐"]);
  await expect(composer(phone.page)).toBeVisible();
  await expect(phone.page.getByRole("list", { name: ko.chatsTitle })).toHaveCount(0);
  await expect(phone.page.getByRole("navigation")).toHaveCount(0);
  expect((await phone.page.locator(".app").boundingBox())!.width).toBe(360);
  await roomPane(phone.page).getByRole("button", { name: ko.back }).click();
  await expect(phone.page).toHaveURL(/\/chats$/);
  await expect(chatRows(phone.page)).toHaveCount(1);
  await expect(roomPane(phone.page)).toHaveCount(0);
  await expect(noRoom(phone.page)).toHaveCount(0);
  await phone.page.goto("/");
  await expect(phone.page).toHaveURL(/\/friends$/);
  await phone.context.close();

  await me.context.close();
  await friend.context.close();
});

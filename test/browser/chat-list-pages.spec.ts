import { type Browser, expect, type Locator, type Page, test } from "@playwright/test";
import { LIMITS } from "../../worker/contract/limits";
import { ko } from "../../web/src/i18n/ko";
import { apiUser, type ApiUser, befriend, directRoom, sendAs, sendInRooms } from "./seed";

const chatRows = (page: Page) => page.getByRole("list", { name: ko.chatsTitle }).getByRole("link");
/** The number a badge shows (its screen-reader label is separate). */
const shown = (badge: Locator) => badge.locator("[aria-hidden=true]");
const tabBadge = (page: Page) => shown(page.getByRole("navigation").locator(".badge"));

const EXTRA = 5;

/**
 * One user with a page and a few more rooms: the oldest holds a friend's unread message, every
 * other room ends with the user's own message (nothing unread there).
 */
const seedLongList = async (browser: Browser) => {
  const me = await apiUser(browser, "pages", "긴목록");
  const friends: ApiUser[] = [];
  for (let i = 0; i < LIMITS.chatListPage + EXTRA; i += 10) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(10, LIMITS.chatListPage + EXTRA - i) }, (_, k) => apiUser(browser, "pf", `친구 ${String(i + k).padStart(2, "0")}`)),
    );
    friends.push(...batch);
  }
  const rooms: string[] = [];
  for (const friend of friends) {
    await befriend(me, friend);
    rooms.push(await directRoom(me, friend));
  }
  await sendAs(friends[0]!, rooms[0]!, ["제일 오래된 안 읽은 메시지"]);
  await sendInRooms(
    me,
    rooms.slice(1).map((roomId, i) => ({ roomId, body: `내 메시지 ${i + 1}` })),
  );
  return { me, friends, rooms };
};

test("a long chat list shows its first page, counts unread beyond it, and loads the rest on scroll", async ({ browser }) => {
  test.setTimeout(180_000);
  const { me, friends, rooms } = await seedLongList(browser);
  const page = await me.context.newPage();
  const cursorsAsked: string[] = [];
  page.on("request", (r) => {
    const before = new URL(r.url()).searchParams.get("before");
    if (r.url().includes("/api/rooms?") && before) cursorsAsked.push(before);
  });

  await page.goto("/chats");
  await expect(chatRows(page).first()).toContainText(`내 메시지 ${rooms.length - 1}`);
  await expect(chatRows(page)).toHaveCount(LIMITS.chatListPage);
  // The unread message sits in a room no page shown so far holds; the tab and the title count it.
  await expect(tabBadge(page)).toHaveText("1");
  await expect(page).toHaveTitle("(1) Talk");

  // That room gets a new message: it comes to the top at once, without waiting for its page.
  await sendAs(friends[0]!, rooms[0]!, ["다시 왔어요"]);
  await expect(chatRows(page).first()).toContainText("다시 왔어요");
  await expect(shown(chatRows(page).first().locator(".badge"))).toHaveText("2");
  await expect(tabBadge(page)).toHaveText("2");
  await expect(chatRows(page)).toHaveCount(LIMITS.chatListPage + 1);

  // Scrolling near the end asks for the next page before its placeholder even shows.
  const nextPage = page.waitForRequest((r) => r.url().includes("/api/rooms?") && r.url().includes("before="), { timeout: 10_000 });
  await page.locator("main.content").evaluate((el) => {
    el.scrollTop = el.scrollHeight - el.clientHeight - 300;
  });
  await nextPage;
  await expect(chatRows(page)).toHaveCount(rooms.length);
  // The rest, each room once, oldest last.
  await chatRows(page).last().scrollIntoViewIfNeeded();
  await expect(chatRows(page).last()).toContainText("내 메시지 1");
  const names = await chatRows(page).locator(".row-title").allTextContents();
  expect(new Set(names).size).toBe(rooms.length);
  expect(cursorsAsked).toHaveLength(1); // the second page, once: it was the last
  await expect(tabBadge(page)).toHaveText("2");
  await me.context.close();
  await Promise.all(friends.map((f) => f.context.close()));
});

test("a page that fails to load says so and loads on Retry", async ({ browser }) => {
  test.setTimeout(180_000);
  const { me, friends, rooms } = await seedLongList(browser);
  const page = await me.context.newPage();
  await page.route("**/api/rooms?limit=*&before=*", (route) =>
    route.fulfill({ status: 500, contentType: "application/json", body: JSON.stringify({ error: { code: "internal", message: "test: down" } }) }),
  );
  await page.goto("/chats");
  await expect(chatRows(page)).toHaveCount(LIMITS.chatListPage);
  await chatRows(page).last().scrollIntoViewIfNeeded();
  const failed = page.getByRole("alert").filter({ hasText: ko.chatsMoreFailed });
  await expect(failed).toBeVisible();
  // Nothing already shown is lost.
  await expect(chatRows(page)).toHaveCount(LIMITS.chatListPage);

  await page.unroute("**/api/rooms?limit=*&before=*");
  await failed.getByRole("button", { name: ko.retry }).click();
  await expect(chatRows(page)).toHaveCount(rooms.length);
  await expect(failed).toHaveCount(0);
  await me.context.close();
  await Promise.all(friends.map((f) => f.context.close()));
});

test("the chat list shows the first answer it gets, without waiting for the events socket's re-read", async ({ browser }) => {
  const me = await apiUser(browser, "first", "처음");
  const friend = await apiUser(browser, "firstf", "친구");
  await befriend(me, friend);
  await sendAs(friend, await directRoom(me, friend), ["먼저 보여야 해요"]);
  const page = await me.context.newPage();
  // The screen's read is held until the events socket's read has been asked for too; then only the
  // screen's is let through, and the socket's stays held.
  let first: (() => void) | undefined;
  const firstAnswered = new Promise<void>((resolve) => (first = resolve));
  let releaseSecond!: () => void;
  const second = new Promise<void>((resolve) => (releaseSecond = resolve));
  let asked = 0;
  await page.route("**/api/rooms?limit=*", async (route) => {
    asked++;
    if (asked === 1) {
      await firstAnswered;
      return route.fallback();
    }
    if (asked === 2) first!();
    await second;
    await route.fallback();
  });
  await page.goto("/chats");
  await expect.poll(() => asked).toBe(2);
  await expect(chatRows(page)).toHaveCount(1);
  await expect(chatRows(page).first()).toContainText("먼저 보여야 해요");
  releaseSecond();
  await page.unrouteAll({ behavior: "ignoreErrors" });
  await me.context.close();
  await friend.context.close();
});

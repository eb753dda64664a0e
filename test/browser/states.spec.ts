import { expect, type Page, type Route, test, type WebSocketRoute } from "@playwright/test";
import { en } from "../../web/src/i18n/en";
import { ko } from "../../web/src/i18n/ko";
import { composer, pendingRows, storedBubbles, tabLink } from "./helpers";
import { apiUser, befriend, directRoom, logInContext, sendAs, twoPeople } from "./seed";

/** Every state a screen can be in besides "here is your data": loading, empty, failed, offline. */

const serverError = (route: Route) =>
  route.fulfill({ status: 500, contentType: "application/json", body: JSON.stringify({ error: { code: "internal", message: "test: down" } }) });

/**
 * Answers matching requests with a 500 until `stop()`. The lists load twice on arrival (the
 * screen, and the events socket once it is open): wait for `count()` before retrying, so a late
 * automatic reload can't be mistaken for the Retry button working.
 */
const failRequests = async (page: Page, url: string) => {
  let failed = 0;
  await page.route(url, async (route) => {
    failed++;
    await serverError(route);
  });
  return { count: () => failed, stop: () => page.unroute(url) };
};

/** Holds matching requests until `release()`, so a loading state can be seen without timing guesses. */
const holdRequests = async (page: Page, url: string) => {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route(url, async (route) => {
    await released;
    await route.fallback();
  });
  return { release: async () => {
    release();
    await page.unroute(url);
  } };
};

test("empty states say what to do next (ko)", async ({ browser }) => {
  const me = await apiUser(browser, "empty", "빈 사람");
  const page = await me.context.newPage();

  await page.goto("/friends");
  await expect(page.getByText(ko.noFriends)).toBeVisible();
  await expect(page.getByText(ko.noFriendsHint)).toBeVisible();
  await expect(page.getByRole("heading", { name: "친구 0" })).toBeVisible();
  // The empty state's own button opens the add-friend dialog.
  await page.locator(".state-box").getByRole("button", { name: ko.addFriend }).click();
  await expect(page.getByRole("dialog", { name: ko.addFriendTitle })).toBeVisible();
  await expect(page.getByLabel(ko.addFriendLabel)).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog")).toHaveCount(0);

  await tabLink(page, ko.tabChats).click();
  await expect(page.getByText(ko.noChats)).toBeVisible();
  await expect(page.getByText(ko.noChatsHint)).toBeVisible();
  await page.getByRole("button", { name: ko.toFriends }).click();
  await expect(page).toHaveURL(/\/friends$/);

  // A room without messages invites the first one.
  const friend = await apiUser(browser, "emptyf", "조용한 친구");
  await befriend(me, friend);
  const roomId = await directRoom(me, friend);
  await page.goto(`/rooms/${roomId}`);
  await expect(page.getByText(ko.emptyRoom)).toBeVisible();
  await expect(composer(page)).toBeVisible();

  await me.context.close();
  await friend.context.close();
});

test("loading shows skeletons; a failed load shows an error with a retry that works (en)", async ({ browser }) => {
  test.setTimeout(90_000);
  const { a: me, b: friend, roomId } = await twoPeople(browser, ["errs", "Error Person"], ["errsf", "한 친구"]);
  await sendAs(friend, roomId, ["잘 지냈어?"]);
  const context = await browser.newContext({ locale: "en-US" });
  await logInContext(context, me);
  const page = await context.newPage();

  await test.step("friends: skeleton while loading, then the list", async () => {
    const held = await holdRequests(page, "**/api/friends");
    await page.goto("/friends");
    await expect(page.getByRole("list", { name: en.loading })).toHaveAttribute("aria-busy", "true");
    await held.release();
    await expect(page.getByRole("list", { name: "Friends 1" }).getByRole("button")).toHaveText([/한 친구/]);
  });

  await test.step("friends: a 500 shows an error; Retry loads the list", async () => {
    const failing = await failRequests(page, "**/api/friends");
    await page.reload();
    const alert = page.getByRole("alert");
    await expect(alert).toContainText(en.friendsLoadFailed);
    await expect.poll(failing.count).toBe(2);
    await failing.stop();
    await Promise.all([page.waitForResponse((r) => r.url().endsWith("/api/friends") && r.ok()), alert.getByRole("button", { name: en.retry }).click()]);
    await expect(page.getByRole("list", { name: "Friends 1" }).getByRole("button")).toHaveText([/한 친구/]);
    await expect(page.getByRole("alert")).toHaveCount(0);
  });

  await test.step("chats: skeleton, then a 500 with a working Retry", async () => {
    const held = await holdRequests(page, "**/api/rooms?limit=*");
    await page.goto("/chats");
    await expect(page.getByRole("list", { name: en.loading })).toBeVisible();
    await held.release();
    await expect(page.getByRole("list", { name: en.chatsTitle }).getByRole("link")).toHaveCount(1);

    const failing = await failRequests(page, "**/api/rooms?limit=*");
    await page.reload();
    const alert = page.getByRole("alert");
    await expect(alert).toContainText(en.chatsLoadFailed);
    await expect.poll(failing.count).toBe(2);
    await failing.stop();
    await alert.getByRole("button", { name: en.retry }).click();
    await expect(page.getByRole("list", { name: en.chatsTitle }).getByRole("link")).toHaveText([/잘 지냈어\?/]);
  });

  await test.step("room: bubble skeletons, then a 500 with a working Retry", async () => {
    const messages = `**/api/rooms/${roomId}/messages*`;
    const held = await holdRequests(page, messages);
    await page.goto(`/rooms/${roomId}`);
    await expect(page.locator(".bubble-skeleton")).toBeVisible();
    await expect(page.getByRole("log")).toHaveAttribute("aria-busy", "true");
    await held.release();
    await expect(storedBubbles(page)).toHaveText(["잘 지냈어?"]);
    await expect(page.locator(".bubble-skeleton")).toHaveCount(0);

    const failing = await failRequests(page, messages);
    await page.reload();
    const alert = page.getByRole("alert");
    await expect(alert).toContainText(en.roomLoadFailed);
    expect(failing.count()).toBe(1);
    await failing.stop();
    await alert.getByRole("button", { name: en.retry }).click();
    await expect(storedBubbles(page)).toHaveText(["잘 지냈어?"]);
  });

  await context.close();
  await me.context.close();
  await friend.context.close();
});

test("offline: a banner on every screen, messages wait in the outbox and go when back online", async ({ browser }) => {
  test.setTimeout(90_000);
  const { a: me, b: friend, roomId } = await twoPeople(browser, ["offl", "오프라인"], ["offlf", "받는 친구"]);
  const page = await me.context.newPage();
  const offline = `${ko.offline} ${ko.offlineSendHint}`;

  await page.goto("/friends");
  await expect(page.getByLabel(ko.myProfile)).toContainText(me.displayName);
  await me.context.setOffline(true);
  await expect(page.getByRole("status").filter({ hasText: ko.offline })).toBeVisible();
  await tabLink(page, ko.tabChats).click();
  await expect(page.getByRole("status").filter({ hasText: ko.offline })).toBeVisible();
  await me.context.setOffline(false);
  await expect(page.getByRole("status").filter({ hasText: ko.offline })).toHaveCount(0);

  await page.goto(`/rooms/${roomId}`);
  await expect(page.getByText(ko.emptyRoom)).toBeVisible();
  await me.context.setOffline(true);
  await expect(page.getByRole("status").filter({ hasText: offline })).toBeVisible();
  await composer(page).fill("지하철이라 신호가 약해");
  await composer(page).press("Enter");
  await expect(pendingRows(page)).toHaveText(["지하철이라 신호가 약해"]);
  await expect(page.locator(".msg[data-state=pending]")).toHaveCount(1);

  await me.context.setOffline(false);
  await expect(page.getByRole("status").filter({ hasText: ko.offline })).toHaveCount(0);
  await expect(pendingRows(page)).toHaveCount(0, { timeout: 30_000 });
  await expect(storedBubbles(page)).toHaveText(["지하철이라 신호가 약해"]);
  const friendPage = await friend.context.newPage();
  await friendPage.goto(`/rooms/${roomId}`);
  await expect(storedBubbles(friendPage)).toHaveText(["지하철이라 신호가 약해"]);

  await me.context.close();
  await friend.context.close();
});

test("the events socket: a banner while it is down, and what happened meanwhile shows up after it is back", async ({ browser }) => {
  test.setTimeout(90_000);
  const me = await apiUser(browser, "evts", "이벤트");
  const old = await apiUser(browser, "evtsold", "오랜 친구");
  const late = await apiUser(browser, "evtsnew", "새 친구");
  await befriend(me, old);
  const roomId = await directRoom(me, old);
  await sendAs(old, roomId, ["안녕"]);

  // Everything through a man in the middle that can cut the events socket and refuse reconnects.
  let refuse = false;
  const sockets: WebSocketRoute[] = [];
  await me.context.routeWebSocket(/\/api\/events$/, (ws) => {
    if (refuse) {
      void ws.close({ code: 1011, reason: "test: down" });
      return;
    }
    ws.connectToServer();
    sockets.push(ws);
  });
  const page = await me.context.newPage();
  await page.goto("/chats");
  const rows = page.getByRole("list", { name: ko.chatsTitle }).getByRole("link");
  await expect(rows).toHaveText([/안녕/]);
  await expect.poll(() => sockets.length).toBeGreaterThan(0);

  refuse = true;
  for (const ws of sockets.splice(0)) await ws.close({ code: 1012, reason: "test: restart" });
  await expect(page.getByRole("status").filter({ hasText: ko.reconnecting })).toBeVisible();

  // While the tab hears nothing: a new friend adds me and my old friend writes again.
  await befriend(late, me);
  await sendAs(old, roomId, ["못 들었지?"]);
  await expect(rows).toHaveText([/안녕/]);

  refuse = false;
  await expect(page.getByRole("status").filter({ hasText: ko.reconnecting })).toHaveCount(0, { timeout: 45_000 });
  await expect(rows).toHaveText([/못 들었지\?/]);
  await expect(rows.first().locator(".badge")).toHaveText(/^2/);
  await tabLink(page, ko.tabFriends).click();
  await expect(page.getByRole("heading", { name: "친구 2" })).toBeVisible();
  await expect(page.getByRole("list", { name: "친구 2" })).toContainText(late.displayName);

  for (const user of [me, old, late]) await user.context.close();
});

test("unread badges cap at 999+ in the list, the tab bar and the title", async ({ browser }) => {
  const me = await apiUser(browser, "many", "많이");
  const friend = await apiUser(browser, "manyf", "수다쟁이");
  await befriend(me, friend);
  await sendAs(friend, await directRoom(friend, me), ["ㅋㅋㅋ"]);
  const page = await me.context.newPage();
  // The server's real answers and events, with an unread count nobody wants to send 1,234 messages for.
  await page.routeWebSocket(/\/api\/events$/, (ws) => {
    const server = ws.connectToServer();
    server.onMessage((raw) => {
      const frame = JSON.parse(raw.toString()) as { type: string; room?: { unreadCount: number }; unread?: { total: number } };
      if (frame.room) frame.room.unreadCount = 1234;
      if (frame.unread) frame.unread.total = 1234;
      ws.send(JSON.stringify(frame));
    });
  });
  await page.route("**/api/rooms?limit=*", async (route) => {
    const response = await route.fetch();
    const body = (await response.json()) as { rooms: { unreadCount: number }[]; unread: { total: number } };
    for (const room of body.rooms) room.unreadCount = 1234;
    body.unread.total = 1234;
    await route.fulfill({ response, json: body });
  });
  await page.goto("/chats");
  const row = page.getByRole("list", { name: ko.chatsTitle }).getByRole("link");
  await expect(row.locator(".badge")).toHaveText("999+읽지 않은 메시지 1234개");
  await expect(page.getByRole("navigation").locator(".badge")).toHaveText("999+읽지 않은 메시지 1234개");
  await expect(page).toHaveTitle("(999+) Talk");
  await page.unrouteAll({ behavior: "ignoreErrors" }); // a reload still in flight must not fail the test
  await me.context.close();
  await friend.context.close();
});

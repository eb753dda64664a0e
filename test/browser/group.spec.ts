import { type Browser, type BrowserContext, expect, type Locator, type Page, type Route, test } from "@playwright/test";
import { ko } from "../../web/src/i18n/ko";
import { formatMessage } from "../../web/src/i18n/format";
import { composer, escapeRegExp, myStoredBubbles, roomIdOf, sendMessage, storedBubbles } from "./helpers";
import { type ApiUser, apiUser, befriend, directRoom, groupRoom, logInContext, sendAs } from "./seed";

/** Group rooms (단톡방) driven through the screens, each user in their own browser context. */

const chatRows = (page: Page) => page.getByRole("list", { name: ko.chatsTitle }).getByRole("link");
/** The chat-list row whose title is exactly `title`. */
const rowFor = (page: Page, title: string) =>
  chatRows(page).filter({ has: page.locator(".row-title", { hasText: new RegExp(`^${escapeRegExp(title)}$`) }) });
const header = (page: Page) => page.locator(".room-topbar");
const roomName = (page: Page) => header(page).locator(".room-name");
/** The member count beside a group's name, as drawn (its spoken form is `대화상대 N명`). */
const roomCount = (page: Page) => header(page).locator(".room-count [aria-hidden=true]");
const systemLines = (page: Page) => page.locator(".sys-line");
/** The numbers beside messages: how many members have not read each. */
const unreadNumbers = (page: Page) => page.locator(".msg[data-seq] .msg-unread [aria-hidden=true]");
const menuDialog = (page: Page) => page.getByRole("dialog", { name: ko.roomMenu });

const openMenu = async (page: Page) => {
  await header(page).getByRole("button", { name: ko.roomMenu }).click();
  await expect(menuDialog(page)).toBeVisible();
};

/** Ticks friends in a picker's checklist, finding each through the search box. */
const pick = async (dialog: Locator, names: readonly string[]) => {
  for (const name of names) {
    await dialog.getByRole("searchbox", { name: ko.searchFriends }).fill(name);
    await dialog.getByRole("checkbox", { name: new RegExp(`^${name}`) }).check();
  }
  await dialog.getByRole("searchbox", { name: ko.searchFriends }).fill("");
};

const line = (text: string, vars: Record<string, string>) => formatMessage("ko", text, vars);

interface Seat {
  user: ApiUser;
  context: BrowserContext;
  page: Page;
}

/** A signed-in phone-width page for a user made through the API. */
const seat = async (browser: Browser, user: ApiUser, path = "/chats"): Promise<Seat> => {
  const context = await browser.newContext();
  await logInContext(context, user);
  const page = await context.newPage();
  await page.goto(path);
  return { user, context, page };
};

test("A makes a group with B and C; the numbers go down as they read; C leaves; D joins and sees only from the invitation", async ({ browser }) => {
  test.setTimeout(180_000);
  const run = Date.now().toString(36).slice(-3);
  const [ga, bo, chan, da] = await Promise.all([
    apiUser(browser, "ga", `가영${run}`),
    apiUser(browser, "bo", `보람${run}`),
    apiUser(browser, "chan", `찬미${run}`),
    apiUser(browser, "da", `다인${run}`),
  ]);
  for (const friend of [bo, chan, da]) await befriend(ga, friend);
  const [a, b, c, d] = [await seat(browser, ga), await seat(browser, bo), await seat(browser, chan), await seat(browser, da)];
  // Everyone's chat list is live (events socket) before the room exists.
  for (const s of [a, b, c, d]) await expect(s.page.getByText(ko.noChats)).toBeVisible();

  let roomId = "";
  await test.step("A picks B and C from the searchable checklist and lands in the new room", async () => {
    await a.page.getByRole("button", { name: ko.newChat }).click();
    const dialog = a.page.getByRole("dialog", { name: ko.newChatTitle });
    // the create button waits for someone to be picked
    await expect(dialog.getByRole("button", { name: ko.createChat })).toBeDisabled();
    // the search narrows the list to matching friends
    await dialog.getByRole("searchbox", { name: ko.searchFriends }).fill(bo.displayName);
    await expect(dialog.getByRole("checkbox")).toHaveCount(1);
    await dialog.getByRole("searchbox", { name: ko.searchFriends }).fill("");
    await expect(dialog.getByRole("checkbox")).toHaveCount(3);
    await pick(dialog, [bo.displayName, chan.displayName]);
    await expect(dialog.getByText(line(ko.selectedCount, { n: "2" }))).toBeVisible();
    await dialog.getByRole("button", { name: ko.createChat }).click();
    await expect(a.page).toHaveURL(/\/rooms\/[^/]+$/);
    roomId = roomIdOf(a.page);
    await expect(roomName(a.page)).toHaveText(`${bo.displayName}, ${chan.displayName}`);
    await expect(roomCount(a.page)).toHaveText("3");
    await expect(header(a.page).getByRole("heading", { level: 1 })).toHaveAccessibleName(
      `${bo.displayName}, ${chan.displayName} ${line(ko.memberCount, { n: "3" })}`,
    );
    await expect(systemLines(a.page)).toHaveText([
      line(ko.systemCreatedWith, { actor: ga.displayName, names: `${bo.displayName}님, ${chan.displayName}님` }),
    ]);
  });

  await test.step("B and C see the room in their chat list at once: the others' names, the count, a collage", async () => {
    await expect(rowFor(b.page, `${ga.displayName}, ${chan.displayName}`)).toBeVisible();
    await expect(rowFor(b.page, `${ga.displayName}, ${chan.displayName}`).locator(".row-count [aria-hidden=true]")).toHaveText("3");
    await expect(rowFor(b.page, `${ga.displayName}, ${chan.displayName}`).locator(".collage .avatar")).toHaveCount(2);
    await expect(rowFor(c.page, `${ga.displayName}, ${bo.displayName}`)).toBeVisible();
    // D is not in it
    await expect(chatRows(d.page)).toHaveCount(0);
  });

  await test.step("A writes: 2 have not read it; B opens the room: 1; C opens it: none", async () => {
    await sendMessage(a.page, "다들 저녁 뭐 먹어?");
    await expect(myStoredBubbles(a.page)).toHaveText(["다들 저녁 뭐 먹어?"]);
    await expect(unreadNumbers(a.page)).toHaveText(["2"]);
    await rowFor(b.page, `${ga.displayName}, ${chan.displayName}`).click();
    await expect(storedBubbles(b.page)).toHaveText(["다들 저녁 뭐 먹어?"]);
    await expect(unreadNumbers(a.page)).toHaveText(["1"]);
    await rowFor(c.page, `${ga.displayName}, ${bo.displayName}`).click();
    await expect(storedBubbles(c.page)).toHaveText(["다들 저녁 뭐 먹어?"]);
    await expect(unreadNumbers(a.page)).toHaveCount(0);
  });

  await test.step("all three chat live; each sender's name heads their run", async () => {
    await sendMessage(b.page, "나는 아무거나");
    await expect(storedBubbles(c.page)).toHaveText(["다들 저녁 뭐 먹어?", "나는 아무거나"]);
    await sendMessage(c.page, "떡볶이!");
    for (const s of [a, b, c]) await expect(storedBubbles(s.page)).toHaveText(["다들 저녁 뭐 먹어?", "나는 아무거나", "떡볶이!"]);
    await expect(a.page.locator(".msg.theirs .msg-name")).toHaveText([bo.displayName, chan.displayName]);
    await expect(b.page.locator(".msg.theirs .msg-name")).toHaveText([ga.displayName, chan.displayName]);
    // everyone has the room open: nothing is left unread
    for (const s of [a, b, c]) await expect(unreadNumbers(s.page)).toHaveCount(0);
  });

  await test.step("B renames the room: everyone's header and the line say so", async () => {
    await openMenu(b.page);
    await menuDialog(b.page).getByRole("button", { name: ko.renameRoom }).click();
    const dialog = b.page.getByRole("dialog", { name: ko.renameRoom });
    await dialog.getByLabel(ko.renameLabel, { exact: true }).fill("저녁팟");
    await dialog.getByRole("button", { name: ko.save }).click();
    await expect(dialog).toBeHidden();
    for (const s of [a, b, c]) {
      await expect(roomName(s.page)).toHaveText("저녁팟");
      await expect(systemLines(s.page).last()).toHaveText(line(ko.systemRenamed, { actor: bo.displayName, title: "저녁팟" }));
    }
  });

  await test.step("C steps out to the list; A's next message waits on C; C leaves: A and B see the line, the count, the number gone", async () => {
    await c.page.getByRole("button", { name: ko.back }).click();
    await expect(c.page).toHaveURL(/\/chats$/);
    await sendMessage(a.page, "찬미 어디 갔어?");
    await expect(unreadNumbers(a.page)).toHaveText(["1"]);
    // C leaves (here through the API; the menu's leave is driven in the 1:1-to-group test)
    const left = await chan.context.request.post(`/api/rooms/${roomId}/leave`);
    expect(left.status()).toBe(204);
    const leftLine = line(ko.systemLeft, { actor: chan.displayName });
    for (const s of [a, b]) {
      await expect(systemLines(s.page).last()).toHaveText(leftLine);
      await expect(roomCount(s.page)).toHaveText("2");
    }
    // C no longer counts among those who have not read it
    await expect(unreadNumbers(a.page)).toHaveCount(0);
    // and the room leaves C's list
    await expect(rowFor(c.page, "저녁팟")).toHaveCount(0);
  });

  await test.step("A invites D (friends not in the room are offered); D sees the room from the invitation on", async () => {
    await openMenu(a.page);
    await expect(menuDialog(a.page).getByRole("list", { name: line(ko.membersHeading, { n: "2" }) }).getByRole("listitem")).toHaveCount(2);
    await menuDialog(a.page).getByRole("button", { name: ko.invite }).click();
    const dialog = a.page.getByRole("dialog", { name: ko.invite });
    // B is in the room already; C left and may come back; D was never in
    await expect(dialog.getByRole("checkbox")).toHaveCount(2);
    await pick(dialog, [da.displayName]);
    await dialog.getByRole("button", { name: ko.inviteSubmit }).click();
    await expect(dialog).toBeHidden();
    const invited = line(ko.systemInvited, { actor: ga.displayName, names: `${da.displayName}님` });
    await expect(systemLines(a.page).last()).toHaveText(invited);
    await expect(roomCount(a.page)).toHaveText("3");
    await expect(roomCount(b.page)).toHaveText("3");

    await rowFor(d.page, "저녁팟").click();
    await expect(roomName(d.page)).toHaveText("저녁팟");
    await expect(systemLines(d.page)).toHaveText([invited]);
    await expect(storedBubbles(d.page)).toHaveCount(0);
    await sendMessage(a.page, `${da.displayName} 어서 와`);
    await expect(storedBubbles(d.page)).toHaveText([`${da.displayName} 어서 와`]);
    // A's message: B and D both have the room open
    await expect(unreadNumbers(a.page)).toHaveCount(0);
    await expect(composer(d.page)).toBeVisible();
  });

  for (const s of [a, b, c, d]) await s.context.close();
  for (const u of [ga, bo, chan, da]) await u.context.close();
});

test("inviting in a 1:1 room makes a new group of the three; leaving from the menu closes the room in every tab", async ({ browser }) => {
  test.setTimeout(120_000);
  const run = Date.now().toString(36).slice(-3);
  const [ga, bo, eun] = await Promise.all([apiUser(browser, "gb", `가영${run}`), apiUser(browser, "bb", `보람${run}`), apiUser(browser, "eb", `이든${run}`)]);
  await befriend(ga, bo);
  await befriend(ga, eun);
  const direct = await directRoom(ga, bo);
  await sendAs(bo, direct, ["둘이서만 하는 얘기"]);
  const a = await seat(browser, ga, `/rooms/${direct}`);
  const b = await seat(browser, bo);

  let groupId = "";
  await test.step("A invites E from the 1:1 room's menu: a new group opens, the 1:1 room stays", async () => {
    await expect(storedBubbles(a.page)).toHaveText(["둘이서만 하는 얘기"]);
    await openMenu(a.page);
    // a 1:1 room has no name to set; leaving it hides it (list-control.spec.ts)
    await expect(menuDialog(a.page).getByRole("button", { name: ko.renameRoom })).toHaveCount(0);
    await expect(menuDialog(a.page).getByRole("button", { name: ko.leaveRoom })).toBeVisible();
    await menuDialog(a.page).getByRole("button", { name: ko.invite }).click();
    const dialog = a.page.getByRole("dialog", { name: ko.invite });
    await expect(dialog.getByRole("checkbox")).toHaveCount(1);
    await pick(dialog, [eun.displayName]);
    await dialog.getByRole("button", { name: ko.inviteSubmit }).click();
    await expect(a.page).not.toHaveURL(new RegExp(`/rooms/${direct}$`));
    groupId = roomIdOf(a.page);
    await expect(roomName(a.page)).toHaveText(`${bo.displayName}, ${eun.displayName}`);
    await expect(roomCount(a.page)).toHaveText("3");
    // the new group starts empty: nothing of the 1:1 conversation comes along
    await expect(storedBubbles(a.page)).toHaveCount(0);
    await expect(rowFor(b.page, `${ga.displayName}, ${eun.displayName}`)).toBeVisible();
    await expect(rowFor(b.page, ga.displayName).filter({ hasText: "둘이서만 하는 얘기" })).toBeVisible();
  });

  await test.step("B leaves in one tab after confirming; B's other tab on the room is told and sent to the list", async () => {
    const other = await b.context.newPage();
    await other.goto(`/rooms/${groupId}`);
    await expect(roomCount(other)).toHaveText("3");
    await b.page.goto(`/rooms/${groupId}`);
    await expect(roomCount(b.page)).toHaveText("3");
    await openMenu(b.page);
    await menuDialog(b.page).getByRole("button", { name: ko.leaveRoom }).click();
    const confirm = b.page.getByRole("dialog", { name: ko.leaveTitle });
    await expect(confirm.getByText(ko.leaveConfirm)).toBeVisible();
    // cancelling goes back to the menu, still in the room
    await confirm.getByRole("button", { name: ko.cancel }).click();
    await expect(menuDialog(b.page)).toBeVisible();
    await menuDialog(b.page).getByRole("button", { name: ko.leaveRoom }).click();
    await b.page.getByRole("dialog", { name: ko.leaveTitle }).getByRole("button", { name: ko.leaveRoom }).click();
    await expect(b.page).toHaveURL(/\/chats$/);
    await expect(b.page.getByRole("status").filter({ hasText: ko.removedFromRoom })).toHaveCount(0);
    await expect(other).toHaveURL(/\/chats$/);
    await expect(other.getByRole("status").filter({ hasText: ko.removedFromRoom })).toBeVisible();
    for (const page of [b.page, other]) {
      await expect(rowFor(page, `${ga.displayName}, ${eun.displayName}`)).toHaveCount(0);
      await expect(rowFor(page, ga.displayName)).toHaveCount(1);
    }
    await expect(systemLines(a.page).last()).toHaveText(line(ko.systemLeft, { actor: bo.displayName }));
    await expect(roomCount(a.page)).toHaveText("2");
    await expect(roomName(a.page)).toHaveText(eun.displayName);
  });

  for (const s of [a, b]) await s.context.close();
  for (const u of [ga, bo, eun]) await u.context.close();
});

test("a refused create or leave says why and leaves the user where they were", async ({ browser }) => {
  test.setTimeout(90_000);
  const run = Date.now().toString(36).slice(-3);
  const [ga, bo, chan] = await Promise.all([apiUser(browser, "gc", `가영${run}`), apiUser(browser, "bc", `보람${run}`), apiUser(browser, "cc", `찬미${run}`)]);
  await befriend(ga, bo);
  await befriend(ga, chan);
  const a = await seat(browser, ga);
  const refuse = (status: number, code: string) => (route: Route) =>
    route.fulfill({ status, contentType: "application/json", body: JSON.stringify({ error: { code, message: code } }) });

  await test.step("the server refuses the group (a friendship ended meanwhile): the picker stays open and says so", async () => {
    await a.page.route("**/api/rooms/group", refuse(403, "not_friends"), { times: 1 });
    await a.page.getByRole("button", { name: ko.newChat }).click();
    const dialog = a.page.getByRole("dialog", { name: ko.newChatTitle });
    await pick(dialog, [bo.displayName, chan.displayName]);
    await dialog.getByRole("button", { name: ko.createChat }).click();
    await expect(dialog.getByRole("status")).toHaveText(ko.notFriends);
    await expect(a.page).toHaveURL(/\/chats$/);
    // the choice is kept: trying again works
    await dialog.getByRole("button", { name: ko.createChat }).click();
    await expect(a.page).toHaveURL(/\/rooms\/[^/]+$/);
    await expect(roomCount(a.page)).toHaveText("3");
  });

  await test.step("leaving fails: the confirmation says so and the room stays open", async () => {
    await a.page.route("**/api/rooms/*/leave", refuse(500, "internal"), { times: 1 });
    await openMenu(a.page);
    await menuDialog(a.page).getByRole("button", { name: ko.leaveRoom }).click();
    const confirm = a.page.getByRole("dialog", { name: ko.leaveTitle });
    await confirm.getByRole("button", { name: ko.leaveRoom }).click();
    await expect(confirm.getByRole("status")).toHaveText(ko.leaveFailed);
    await expect(a.page).toHaveURL(/\/rooms\/[^/]+$/);
    await a.page.keyboard.press("Escape");
    await sendMessage(a.page, "아직 여기 있어요");
    await expect(myStoredBubbles(a.page)).toHaveText(["아직 여기 있어요"]);
  });

  await a.context.close();
  for (const u of [ga, bo, chan]) await u.context.close();
});

test("in a room with more than 16 sockets, gathered read frames still take the numbers down", async ({ browser }) => {
  test.setTimeout(90_000);
  const run = Date.now().toString(36).slice(-3);
  const [ga, bo] = await Promise.all([apiUser(browser, "gr", `가영${run}`), apiUser(browser, "br", `보람${run}`)]);
  await befriend(ga, bo);
  const roomId = await groupRoom(ga, [bo]);
  // B's idle tabs: 16 more sockets, so the room gathers cursor moves into `reads` frames (docs/api.md)
  const idle = await bo.context.newPage();
  await idle.goto("/favicon.svg");
  await idle.evaluate(async (roomId) => {
    const open = () =>
      new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(`ws://${location.host}/api/rooms/${roomId}/ws`);
        ws.addEventListener("message", () => resolve(ws), { once: true });
        ws.addEventListener("error", reject, { once: true });
      });
    (window as unknown as { held: WebSocket[] }).held = await Promise.all(Array.from({ length: 16 }, open));
  }, roomId);
  const a = await seat(browser, ga, `/rooms/${roomId}`);
  await sendMessage(a.page, "많이 열린 방");
  await expect(unreadNumbers(a.page)).toHaveText(["1"]);
  const b = await seat(browser, bo, `/rooms/${roomId}`);
  await expect(storedBubbles(b.page)).toHaveText(["많이 열린 방"]);
  await expect(unreadNumbers(a.page)).toHaveCount(0);

  for (const s of [a, b]) await s.context.close();
  for (const u of [ga, bo]) await u.context.close();
});

import { expect, type Page, test } from "@playwright/test";
import { addFriend, composer, friendRow, myStoredBubbles, newPerson, openChatWith, pendingRows, roomIdOf, sendMessage, storedBubbles } from "./helpers";

const chatRows = (page: Page) => page.getByRole("list", { name: "채팅" }).getByRole("link");
const TIME = /^오[전후] \d{1,2}:\d{2}$/;

test("two users befriend, open one room together, chat live, keep history, see the chat list", async ({ browser }) => {
  // A whole scenario across several users; generous on a loaded two-core machine.
  test.setTimeout(120_000);
  const run = Date.now().toString(36).slice(-4);
  const a = await newPerson(browser, "alice", `앨리스 ${run}`);
  const b = await newPerson(browser, "bob", `밥 ${run}`);

  await test.step("A adds B by ID (one way: B's list is unchanged), then B adds A", async () => {
    await expect(a.page.getByText("아직 친구가 없습니다.")).toBeVisible();
    await addFriend(a.page, b.username, `${b.displayName}님을 친구로 추가했습니다.`);
    await expect(friendRow(a.page, b.displayName)).toBeVisible();
    await expect(a.page.getByRole("heading", { name: "친구 1" })).toBeVisible();
    await b.page.reload();
    await expect(b.page.getByText("아직 친구가 없습니다.")).toBeVisible();
    await addFriend(b.page, a.username, `${a.displayName}님을 친구로 추가했습니다.`);
    // Shown at once, and stored.
    await expect(friendRow(b.page, a.displayName)).toBeVisible();
    await b.page.reload();
    await expect(friendRow(b.page, a.displayName)).toBeVisible();

    await addFriend(a.page, b.username, "이미 친구입니다.");
    await addFriend(a.page, a.username, "자기 자신은 추가할 수 없습니다.");
    await addFriend(a.page, "nobody_here_zz", "해당 아이디의 사용자를 찾을 수 없습니다.");
  });

  let roomId = "";
  await test.step("both open the chat at the same moment and land in the same room", async () => {
    const [roomA, roomB] = await Promise.all([openChatWith(a.page, b.displayName), openChatWith(b.page, a.displayName)]);
    expect(roomA).not.toBe("");
    expect(roomA).toBe(roomB);
    roomId = roomA;
  });

  await test.step("messages go both ways in real time, with read receipts", async () => {
    await sendMessage(a.page, "안녕, 밥!");
    await expect(storedBubbles(b.page)).toHaveText(["안녕, 밥!"]);
    await expect(myStoredBubbles(a.page)).toHaveText(["안녕, 밥!"]);
    await expect(pendingRows(a.page)).toHaveCount(0);
    // B has the room open and visible, so the `1` beside A's message goes away.
    await expect(a.page.locator(".msg.mine .msg-unread")).toHaveCount(0);

    await sendMessage(b.page, "반가워 앨리스\n두 번째 줄");
    await expect(storedBubbles(a.page)).toHaveText(["안녕, 밥!", "반가워 앨리스\n두 번째 줄"]);
    await expect(a.page.locator(".msg.theirs .msg-name")).toHaveText([b.displayName]);
    await expect(a.page.locator(".msg.theirs .msg-time")).toHaveText(TIME);
    await expect(a.page.locator(".date-sep")).toHaveCount(1);
    await expect(a.page.locator(".date-sep")).toHaveText(/^\d{4}년 \d{1,2}월 \d{1,2}일 [월화수목금토일]요일$/);
  });

  await test.step("history is there after a reload", async () => {
    await Promise.all([a.page.reload(), b.page.reload()]);
    await expect(a.page).toHaveURL(new RegExp(`/rooms/${roomId}$`));
    await expect(storedBubbles(a.page)).toHaveText(["안녕, 밥!", "반가워 앨리스\n두 번째 줄"]);
    await expect(storedBubbles(b.page)).toHaveText(["안녕, 밥!", "반가워 앨리스\n두 번째 줄"]);
    expect(roomIdOf(b.page)).toBe(roomId);
    // The socket is back too: a new message still arrives live.
    await sendMessage(a.page, "새로고침 후에도 잘 돼");
    await expect(storedBubbles(b.page).last()).toHaveText("새로고침 후에도 잘 돼");
  });

  await test.step("the chat list shows the friend, the last message and its time, newest first, live", async () => {
    const c = await newPerson(browser, "carol", `캐롤 ${run}`);
    await a.page.goto("/friends");
    await addFriend(a.page, c.username, `${c.displayName}님을 친구로 추가했습니다.`);
    await openChatWith(a.page, c.displayName);
    await sendMessage(a.page, "캐롤 안녕");
    await expect(myStoredBubbles(a.page)).toHaveText(["캐롤 안녕"]);

    await a.page.getByRole("button", { name: "뒤로" }).click();
    await a.page.getByRole("link", { name: "채팅" }).click();
    await expect(a.page).toHaveURL(/\/chats$/);
    await expect(chatRows(a.page)).toHaveCount(2);
    await expect(chatRows(a.page).nth(0)).toContainText(c.displayName);
    await expect(chatRows(a.page).nth(0)).toContainText("캐롤 안녕");
    await expect(chatRows(a.page).nth(0).locator("time")).toHaveText(TIME);
    await expect(chatRows(a.page).nth(1)).toContainText(b.displayName);
    await expect(chatRows(a.page).nth(1)).toContainText("새로고침 후에도 잘 돼");

    // B writes while A looks at the list: B's room jumps to the top with an unread badge.
    await sendMessage(b.page, "마지막 메시지");
    await expect(chatRows(a.page).nth(0)).toContainText(b.displayName);
    await expect(chatRows(a.page).nth(0)).toContainText("마지막 메시지");
    await expect(chatRows(a.page).nth(0).locator(".badge")).toContainText("1");
    await expect(a.page.getByRole("navigation").locator(".badge")).toContainText("1");
    await expect(a.page).toHaveTitle("(1) Talk");
    // …and keeps counting, with the newest message as the preview.
    await sendMessage(b.page, "하나 더");
    await expect(chatRows(a.page).nth(0).locator(".preview")).toHaveText("하나 더");
    await expect(chatRows(a.page).nth(0).locator(".badge")).toContainText("2");
    await expect(a.page.getByRole("navigation").locator(".badge")).toContainText("2");
    await expect(a.page).toHaveTitle("(2) Talk");
    await expect(chatRows(a.page)).toHaveCount(2);

    // Opening the room reads it: the badge and the title count go away.
    await chatRows(a.page).nth(0).click();
    await expect(storedBubbles(a.page).last()).toHaveText("하나 더");
    await a.page.getByRole("button", { name: "뒤로" }).click();
    await expect(a.page).toHaveURL(/\/chats$/);
    await expect(chatRows(a.page).nth(0).locator(".badge")).toHaveCount(0);
    await expect(a.page).toHaveTitle("Talk");
    await c.context.close();
  });

  await test.step("the composer keeps Shift+Enter as a newline", async () => {
    await composer(b.page).fill("첫 줄");
    await composer(b.page).press("Shift+Enter");
    await composer(b.page).pressSequentially("둘째 줄");
    await expect(composer(b.page)).toHaveValue("첫 줄\n둘째 줄");
    await composer(b.page).press("Enter");
    await expect(myStoredBubbles(b.page).last()).toHaveText("첫 줄\n둘째 줄");
  });

  await a.context.close();
  await b.context.close();
});

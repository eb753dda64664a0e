import { expect, type Page, test } from "@playwright/test";
import { addFriend, friendRow, myStoredBubbles, newPerson, openChatWith, pendingRows, roomIdOf, sendMessage, storedBubbles, swallowSends } from "./helpers";

const chatRows = (page: Page) => page.getByRole("list", { name: "채팅" }).getByRole("link");
const tabBadge = (page: Page) => page.getByRole("navigation").locator(".badge");

/** The outbox this tab's storage holds for a room, as clientId → body. */
const storedOutbox = (page: Page, roomId: string) =>
  page.evaluate(async (roomId) => {
    const me = (await (await fetch("/api/me")).json()) as { user: { id: string } };
    const raw = localStorage.getItem(`talk.outbox.${me.user.id}.${roomId}`);
    return raw ? (JSON.parse(raw) as { body: string }[]).map((e) => e.body).sort() : [];
  }, roomId);

test("two tabs of one user stay in step: friends, messages, read badges", async ({ browser }) => {
  test.setTimeout(120_000);
  const a = await newPerson(browser, "tabsa", "두 탭");
  const b = await newPerson(browser, "tabsb", "상대방");
  const tab1 = a.page;
  const tab2 = await a.context.newPage();
  await tab2.goto("/friends");
  await expect(tab2.getByLabel("내 프로필")).toContainText(a.displayName);

  await test.step("a friend added in one tab appears in the other", async () => {
    await addFriend(tab1, b.username, `${b.displayName}님을 친구로 추가했습니다.`);
    await expect(friendRow(tab2, b.displayName)).toBeVisible();
    await expect(tab2.getByRole("heading", { name: "친구 1" })).toBeVisible();
  });

  await test.step("a message sent in tab 1 appears in tab 2's room", async () => {
    const roomId = await openChatWith(tab1, b.displayName);
    await openChatWith(tab2, b.displayName);
    expect(roomIdOf(tab2)).toBe(roomId);
    await sendMessage(tab1, "첫 번째 탭에서 보냄");
    await expect(myStoredBubbles(tab2)).toHaveText(["첫 번째 탭에서 보냄"]);
    await expect(pendingRows(tab2)).toHaveCount(0);
    await sendMessage(tab2, "두 번째 탭에서 답함");
    await expect(myStoredBubbles(tab1)).toHaveText(["첫 번째 탭에서 보냄", "두 번째 탭에서 답함"]);
  });

  await test.step("reading in one tab clears the badge in the other tab's Chats screen", async () => {
    await tab1.goto("/friends");
    await tab2.goto("/chats");
    await expect(chatRows(tab2)).toHaveCount(1);
    // Friends are one way: B adds A to open the room from B's side.
    await addFriend(b.page, a.username, `${a.displayName}님을 친구로 추가했습니다.`);
    await openChatWith(b.page, a.displayName);
    await sendMessage(b.page, "읽었어?");
    await sendMessage(b.page, "답장 줘");
    await expect(chatRows(tab2).first()).toContainText("답장 줘");
    await expect(chatRows(tab2).first().locator(".badge")).toHaveText(/^2/);
    await expect(tabBadge(tab2)).toHaveText(/^2/);
    await expect(tab2).toHaveTitle("(2) Talk");
    // Tab 1's title counts the same unread messages.
    await expect(tab1).toHaveTitle("(2) Talk");

    await openChatWith(tab1, b.displayName);
    await expect(storedBubbles(tab1).last()).toHaveText("답장 줘");
    await expect(chatRows(tab2).first().locator(".badge")).toHaveCount(0);
    await expect(tabBadge(tab2)).toHaveCount(0);
    await expect(tab2).toHaveTitle("Talk");
    // And B sees that A read them: no `1` left beside B's messages.
    await expect(b.page.locator(".msg.mine .msg-unread")).toHaveCount(0);
  });

  await a.context.close();
  await b.context.close();
});

test("two tabs with the same room open never drop each other's unsent messages", async ({ browser }) => {
  test.setTimeout(120_000);
  const a = await newPerson(browser, "outtab", "탭 둘");
  const b = await newPerson(browser, "outtabb", "받는 사람");
  await addFriend(a.page, b.username, `${b.displayName}님을 친구로 추가했습니다.`);

  // Both of A's tabs talk to the room through a man in the middle that can swallow sends.
  const stalled = await swallowSends(a.context);

  const tab1 = a.page;
  const roomId = await openChatWith(tab1, b.displayName);
  const tab2 = await a.context.newPage();
  await tab2.goto(`/rooms/${roomId}`);
  await expect(tab2.getByRole("heading", { level: 1 })).toHaveText(b.displayName);

  await test.step("each tab's pending send is kept in the shared outbox and shown in both tabs", async () => {
    await sendMessage(tab1, "첫 탭의 메시지");
    await expect(pendingRows(tab1)).toHaveText(["첫 탭의 메시지"]);
    await sendMessage(tab2, "둘째 탭의 메시지");
    await expect(pendingRows(tab2)).toHaveText(["첫 탭의 메시지", "둘째 탭의 메시지"]);
    await expect(pendingRows(tab1)).toHaveText(["첫 탭의 메시지", "둘째 탭의 메시지"]);
    expect(await storedOutbox(tab1, roomId)).toEqual(["둘째 탭의 메시지", "첫 탭의 메시지"]);
  });

  await test.step("a reload of one tab keeps both", async () => {
    await tab1.reload();
    await expect(pendingRows(tab1)).toHaveText(["첫 탭의 메시지", "둘째 탭의 메시지"]);
    expect(await storedOutbox(tab2, roomId)).toEqual(["둘째 탭의 메시지", "첫 탭의 메시지"]);
  });

  await test.step("once sends go through, each message is stored exactly once and both outboxes empty", async () => {
    stalled.release();
    // Drop the current connections: both tabs reconnect, sync and resend their outboxes.
    for (const ws of stalled.sockets.splice(0)) await ws.close({ code: 1012, reason: "test: restart" });
    await expect(pendingRows(tab1)).toHaveCount(0, { timeout: 30_000 });
    await expect(pendingRows(tab2)).toHaveCount(0, { timeout: 30_000 });
    // Exactly these two, once each, in the order written across the two tabs (sender-order.spec.ts).
    const inOrder = ["첫 탭의 메시지", "둘째 탭의 메시지"];
    await expect(myStoredBubbles(tab1)).toHaveText(inOrder);
    await expect(myStoredBubbles(tab2)).toHaveText(inOrder);
    await b.page.goto(`/rooms/${roomId}`);
    await expect(storedBubbles(b.page)).toHaveText(inOrder);
    expect(await storedOutbox(tab1, roomId)).toEqual([]);
  });

  await a.context.close();
  await b.context.close();
});

import { expect, type Page, test } from "@playwright/test";
import { addFriend, composer, myStoredBubbles, newPerson, openChatWith, pendingRows, routeRoomSockets, sendMessage, storedBubbles, swallowSends } from "./helpers";
import { twoPeople } from "./seed";

/**
 * Sender order (docs/architecture.md): one sender's messages are stored, and shown on every
 * screen, in the order they were written, however fast, from however many tabs, and whichever
 * screen is open when they finally go.
 */

/** What the server stored in a room, oldest first, as the API answers it. */
const storedTexts = (page: Page, roomId: string) =>
  page.evaluate(async (roomId) => {
    const res = await fetch(`/api/rooms/${roomId}/messages?limit=100`);
    return ((await res.json()) as { messages: { body: string }[] }).messages.map((m) => m.body);
  }, roomId);

/** Every bubble of mine on screen, stored then pending, top to bottom. */
const myBubbles = (page: Page) => page.locator(".msg.mine .bubble");

test("100 lines typed at 12 a second are stored and shown in the order typed, on both screens", async ({ browser }) => {
  test.setTimeout(120_000);
  const a = await newPerson(browser, "fasta", "빠른 손");
  const b = await newPerson(browser, "fastb", "읽는 사람");
  await addFriend(a.page, b.username, `${b.displayName}님을 친구로 추가했습니다.`);
  const roomId = await openChatWith(a.page, b.displayName);
  await b.page.goto(`/rooms/${roomId}`);
  const lines = Array.from({ length: 100 }, (_, i) => `줄 ${i + 1}`);

  // A typist in the page: each line typed and sent with Enter, 12 lines a second (faster than the
  // allowance of 5 a second once its burst of 60 is spent).
  await composer(a.page).focus();
  const typing = a.page.evaluate(async (lines) => {
    const box = document.activeElement as HTMLTextAreaElement;
    for (const line of lines) {
      box.value = line;
      box.dispatchEvent(new InputEvent("input", { bubbles: true, inputType: "insertText", data: line }));
      box.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", code: "Enter", bubbles: true, cancelable: true }));
      await new Promise((resolve) => setTimeout(resolve, 1000 / 12));
    }
  }, lines);

  // While it types and the sends trail behind, what A sees is always a prefix of what was typed.
  await expect
    .poll(async () => {
      const shown = await myBubbles(a.page).allTextContents();
      expect(shown).toEqual(lines.slice(0, shown.length));
      return shown.length;
    }, { timeout: 20_000 })
    .toBe(100);
  await typing;

  await expect(pendingRows(a.page)).toHaveCount(0, { timeout: 30_000 });
  await expect(myStoredBubbles(a.page)).toHaveText(lines);
  await expect(storedBubbles(b.page)).toHaveText(lines, { timeout: 30_000 });
  expect(await storedTexts(a.page, roomId)).toEqual(lines);
  await a.context.close();
  await b.context.close();
});

test("two tabs of one user typing in turn: one order, the order typed across both", async ({ browser }) => {
  test.setTimeout(120_000);
  const a = await newPerson(browser, "turna", "번갈아");
  const b = await newPerson(browser, "turnb", "받는 쪽");
  await addFriend(a.page, b.username, `${b.displayName}님을 친구로 추가했습니다.`);

  // Tab 1's sends are held back for a while (a slow or stalled connection), tab 2's are not.
  const tab1 = a.page;
  const roomId = await openChatWith(tab1, b.displayName);
  const stalled = await swallowSends(tab1);
  await tab1.reload();
  const tab2 = await a.context.newPage();
  await tab2.goto(`/rooms/${roomId}`);
  await expect(tab2.getByRole("heading", { level: 1 })).toHaveText(b.displayName);

  const typed: string[] = [];
  for (let i = 1; i <= 6; i++) {
    const [tab, text] = i % 2 ? [tab1, `1번 탭 ${i}`] : [tab2, `2번 탭 ${i}`];
    await sendMessage(tab, text);
    typed.push(text);
    // Written in this order in both tabs' shared outbox before the next line is typed.
    await expect(tab1.locator(".msg.mine .bubble")).toHaveText(typed);
    await expect(tab2.locator(".msg.mine .bubble")).toHaveText(typed);
  }
  // Nothing of tab 2's may be stored before tab 1's first line, which has not gone yet.
  expect(await storedTexts(tab2, roomId)).toEqual([]);

  stalled.release();
  for (const ws of stalled.sockets.splice(0)) await ws.close({ code: 1012, reason: "test: reconnect" });
  await expect(pendingRows(tab1)).toHaveCount(0, { timeout: 40_000 });
  await expect(pendingRows(tab2)).toHaveCount(0, { timeout: 40_000 });
  expect(await storedTexts(tab2, roomId)).toEqual(typed);
  await expect(myStoredBubbles(tab1)).toHaveText(typed);
  await expect(myStoredBubbles(tab2)).toHaveText(typed);
  await b.page.goto(`/rooms/${roomId}`);
  await expect(storedBubbles(b.page)).toHaveText(typed);
  await a.context.close();
  await b.context.close();
});

test("a tab that reconnects leaves a line another tab is sending to that tab", async ({ browser }) => {
  const { a, b, roomId } = await twoPeople(browser, ["recona", "다시 잇는"], ["reconb", "받는 쪽"]);
  const [tab1, tab2] = [await a.context.newPage(), await a.context.newPage()];
  await swallowSends(tab1);
  await tab1.goto(`/rooms/${roomId}`);
  const watched = await routeRoomSockets(tab2, { swallow: false });
  await tab2.goto(`/rooms/${roomId}`);
  const framesOf = (type: string) => watched.passed.map((text) => JSON.parse(text) as { type: string; body?: string }).filter((f) => f.type === type);
  // A connection's `sync` goes once it is ready for sends, just before them.
  await expect.poll(() => framesOf("sync").length).toBe(1);

  // Tab 1 writes a line; its send is held back (a stalled connection). Tab 2 shows it, and leaves it to tab 1.
  await sendMessage(tab1, "1번 탭의 줄");
  await expect(myBubbles(tab2)).toHaveText(["1번 탭의 줄"]);
  // Tab 2 loses its own connection meanwhile and reconnects: tab 1's line is still tab 1's to send.
  await watched.sockets[0]!.close({ code: 1012, reason: "test: reconnect" });
  await expect.poll(() => framesOf("sync").length).toBe(2);
  await sendMessage(tab2, "2번 탭의 줄");
  await expect.poll(() => framesOf("send").length).toBeGreaterThan(0);
  expect(framesOf("send").map((f) => f.body)).toEqual(["2번 탭의 줄"]);
  await a.context.close();
  await b.context.close();
});

test("pending messages of a room that is not open are sent from any screen", async ({ browser }) => {
  test.setTimeout(120_000);
  const a = await newPerson(browser, "awaya", "떠난 사람");
  const b = await newPerson(browser, "awayb", "기다리는 사람");
  await addFriend(a.page, b.username, `${b.displayName}님을 친구로 추가했습니다.`);
  const stalled = await swallowSends(a.page);
  const roomId = await openChatWith(a.page, b.displayName);
  await sendMessage(a.page, "가기 전에 하나");
  await sendMessage(a.page, "그리고 둘");
  await expect(pendingRows(a.page)).toHaveText(["가기 전에 하나", "그리고 둘"]);
  stalled.release();

  // A leaves the room before anything went; the chat list is open, the room is not.
  await a.page.getByRole("button", { name: "뒤로" }).click();
  await expect(a.page).toHaveURL(/\/friends$/);
  await b.page.goto(`/rooms/${roomId}`);
  await expect(storedBubbles(b.page)).toHaveText(["가기 전에 하나", "그리고 둘"], { timeout: 30_000 });
  expect(await storedTexts(a.page, roomId)).toEqual(["가기 전에 하나", "그리고 둘"]);
  await a.context.close();
  await b.context.close();
});

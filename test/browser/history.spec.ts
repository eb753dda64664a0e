import { expect, test } from "@playwright/test";
import { addFriend, newPerson, openChatWith, roomIdOf, sendMessage, storedBubbles } from "./helpers";

const TOTAL = 80;

test("older messages load on scroll-up without moving the view; new ones don't yank a reader up the page", async ({ browser }) => {
  // A whole scenario across several users; generous on a loaded two-core machine.
  test.setTimeout(120_000);
  const a = await newPerson(browser, "hista", "긴 대화");
  const b = await newPerson(browser, "histb", "읽는 사람");
  await addFriend(a.page, b.username, `${b.displayName}님을 친구로 추가했습니다.`);
  await openChatWith(a.page, b.displayName);
  const roomId = roomIdOf(a.page);

  // Fill the room straight through the socket protocol, paced by the allowance its hello tells
  // (the member's, shared with the app's own socket and its read receipts, so a little under it).
  await a.page.evaluate(
    async ({ roomId, total }) => {
      const ws = new WebSocket(`ws://${location.host}/api/rooms/${roomId}/ws`);
      const hello = await new Promise<{ allowance: { tokens: number; perSecond: number } }>((resolve) =>
        ws.addEventListener("message", (e) => resolve(JSON.parse(e.data as string)), { once: true }),
      );
      let acked = 0;
      const ackedAll = new Promise<void>((resolve) =>
        ws.addEventListener("message", (e) => {
          if (typeof e.data === "string" && e.data.includes('"type":"ack"') && ++acked === total) resolve();
        }),
      );
      const { perSecond } = hello.allowance;
      let tokens = hello.allowance.tokens - 10;
      for (let i = 1; i <= total; i++) {
        if (tokens < 1) {
          await new Promise((r) => setTimeout(r, 1000 / perSecond));
          tokens += 1;
        }
        tokens -= 1;
        ws.send(JSON.stringify({ type: "send", clientId: `bulk-${i}`, body: `메시지 ${i}` }));
      }
      await ackedAll;
      ws.close();
    },
    { roomId, total: TOTAL },
  );
  await expect(storedBubbles(a.page).last()).toHaveText(`메시지 ${TOTAL}`);

  await b.page.goto(`/rooms/${roomId}`);
  const list = b.page.locator(".messages");
  await expect(storedBubbles(b.page).last()).toHaveText(`메시지 ${TOTAL}`);
  await expect(storedBubbles(b.page).last()).toBeInViewport();
  await expect(storedBubbles(b.page)).toHaveCount(50);

  // Scroll to the top: the page before loads, and the message that was on top stays where it was.
  const firstLoaded = b.page.locator(".msg[data-seq='31'] .bubble");
  await expect(firstLoaded).toHaveText("메시지 31");
  await list.evaluate((el) => el.scrollTo({ top: 0 }));
  await expect(storedBubbles(b.page)).toHaveCount(TOTAL);
  await expect(storedBubbles(b.page).first()).toHaveText("메시지 1");
  await expect(firstLoaded).toBeInViewport();

  // Reading old messages: a new one arrives without scrolling the reader away, with a way down.
  const scrollTop = await list.evaluate((el) => el.scrollTop);
  await sendMessage(a.page, "새 소식");
  await expect(storedBubbles(b.page).last()).toHaveText("새 소식");
  expect(await list.evaluate((el) => el.scrollTop)).toBe(scrollTop);
  await b.page.getByRole("button", { name: /새 메시지/ }).click();
  await expect(storedBubbles(b.page).last()).toBeInViewport();

  await a.context.close();
  await b.context.close();
});

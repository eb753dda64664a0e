import { type Browser, expect, test } from "@playwright/test";
import { befriendEachOther, newPerson, openChatWith, sendMessage, storedBubbles } from "./helpers";

const lostFrameIsFetched = (firstBeforeOpening: boolean) => async ({ browser }: { browser: Browser }) => {
  test.setTimeout(90_000);
  const a = await newPerson(browser, "gapa", "보내는 쪽");
  const b = await newPerson(browser, "gapb", "받는 쪽");
  await befriendEachOther(a, b);

  // B's room socket loses the first live `message` frame for "사라질 메시지", and nothing else.
  let swallowed = 0;
  await b.page.routeWebSocket(/\/api\/rooms\/[^/]+\/ws$/, (ws) => {
    const server = ws.connectToServer();
    server.onMessage((raw) => {
      const text = raw.toString();
      if (swallowed === 0 && text.includes('"type":"message"') && text.includes("사라질 메시지")) {
        swallowed++;
        return;
      }
      ws.send(text);
    });
  });

  await openChatWith(a.page, b.displayName);
  if (firstBeforeOpening) await sendMessage(a.page, "첫 메시지");
  await b.page.reload();
  await openChatWith(b.page, a.displayName);
  if (!firstBeforeOpening) await sendMessage(a.page, "첫 메시지");
  await expect(storedBubbles(b.page)).toHaveText(["첫 메시지"]);

  await sendMessage(a.page, "사라질 메시지");
  await expect(storedBubbles(a.page)).toHaveText(["첫 메시지", "사라질 메시지"]);
  await sendMessage(a.page, "다음 메시지");
  // Without a reconnect or reload, B holds all three, in order, once each.
  await expect(storedBubbles(b.page)).toHaveText(["첫 메시지", "사라질 메시지", "다음 메시지"]);
  expect(swallowed).toBe(1);
  await a.context.close();
  await b.context.close();
};

test("a message frame lost on the way is fetched as soon as a later one shows the gap", lostFrameIsFetched(false));

// The connection's first sync then starts from seq 1, the same seq the gap's sync starts from.
test("a lost frame is fetched even when the connection's first sync started from the same seq", lostFrameIsFetched(true));

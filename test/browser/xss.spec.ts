import { expect, test } from "@playwright/test";
import { befriendEachOther, forbidDialogs, friendRow, myStoredBubbles, newPerson, openChatWith, sendMessage, storedBubbles } from "./helpers";

const NAME_PAYLOAD = `<img src=x onerror=alert(1)>`;
const BODY_PAYLOAD = `<script>alert("body")</script><img src=x onerror=alert(2)><b>bold</b>`;
const LINKS = "see https://example.com/path?q=1, not javascript:alert(3)";

test("markup in names and messages is shown as text and never runs", async ({ browser }) => {
  const dialogs: string[] = [];
  const a = await newPerson(browser, "xssa", NAME_PAYLOAD);
  const b = await newPerson(browser, "xssb", "Receiver");
  forbidDialogs(a.page, dialogs);
  forbidDialogs(b.page, dialogs);

  await befriendEachOther(a, b);
  await expect(friendRow(b.page, NAME_PAYLOAD)).toBeVisible();
  await expect(b.page.locator(".list img")).toHaveCount(0);

  await openChatWith(a.page, b.displayName);
  await sendMessage(a.page, BODY_PAYLOAD);
  await sendMessage(a.page, LINKS);
  await expect(myStoredBubbles(a.page)).toHaveText([BODY_PAYLOAD, LINKS]);

  await openChatWith(b.page, NAME_PAYLOAD);
  await expect(storedBubbles(b.page)).toHaveText([BODY_PAYLOAD, LINKS]);
  // One name per run of messages (same sender, same minute): two if the sends straddled a minute.
  const names = b.page.locator(".msg.theirs .msg-name");
  await expect(names.first()).toHaveText(NAME_PAYLOAD);
  expect(new Set(await names.allTextContents())).toEqual(new Set([NAME_PAYLOAD]));
  const messages = b.page.locator(".messages");
  await expect(messages.locator("img, script, b")).toHaveCount(0);

  // Only the http(s) URL became a link, and a safe one.
  const links = messages.locator("a");
  await expect(links).toHaveCount(1);
  await expect(links).toHaveAttribute("href", "https://example.com/path?q=1");
  await expect(links).toHaveAttribute("rel", "noopener noreferrer");
  await expect(links).toHaveAttribute("target", "_blank");

  await b.page.goto("/chats");
  await expect(b.page.getByRole("list", { name: "채팅" })).toContainText(NAME_PAYLOAD);
  await expect(b.page.locator("img:not([src='/favicon.svg'])")).toHaveCount(0);

  expect(dialogs).toEqual([]);
  await a.context.close();
  await b.context.close();
});

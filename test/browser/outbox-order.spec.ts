import { expect, test } from "@playwright/test";
import { befriendEachOther, newPerson, openChatWith, pendingRows, sendMessage, storedBubbles, swallowSends } from "./helpers";

test("unanswered sends are resent together and stored in the order they were written", async ({ browser }) => {
  // The resend timers are the subject: real time passes (15 s before a send counts as unanswered,
  // checked every 5 s), so this test waits on purpose.
  test.setTimeout(120_000);
  const a = await newPerson(browser, "ordera", "보내는 쪽");
  const b = await newPerson(browser, "orderb", "받는 쪽");
  await befriendEachOther(a, b);

  const stalled = await swallowSends(a.page);
  await openChatWith(a.page, b.displayName);

  await sendMessage(a.page, "첫째");
  await a.page.waitForTimeout(6_000);
  await sendMessage(a.page, "둘째");
  await expect(pendingRows(a.page)).toHaveText(["첫째", "둘째"]);
  // By now "첫째" has been resent once (swallowed) at the first check after its 15 s; "둘째" comes
  // due at a later check, before "첫째" is due again. Sending one entry alone would store it first.
  await a.page.waitForTimeout(15_500);
  stalled.release();

  await expect(pendingRows(a.page)).toHaveCount(0, { timeout: 40_000 });
  await expect(storedBubbles(a.page)).toHaveText(["첫째", "둘째"]);
  await b.page.reload();
  await openChatWith(b.page, a.displayName);
  await expect(storedBubbles(b.page)).toHaveText(["첫째", "둘째"]);
  await a.context.close();
  await b.context.close();
});

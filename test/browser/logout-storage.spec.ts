import { expect, type Page, test } from "@playwright/test";
import { composer, logIn, pendingRows, swallowSends, tabLink } from "./helpers";
import { twoPeople } from "./seed";

/** Every key of this page's localStorage and sessionStorage that names the user. */
const keysOf = (page: Page, userId: string) =>
  page.evaluate(
    (id) => [localStorage, sessionStorage].flatMap((s) => Object.keys(s)).filter((k) => k.includes(id)),
    userId,
  );

test("logging out forgets the account's unsent messages; the next account on the same browser finds nothing", async ({ browser }) => {
  const { a, b, roomId } = await twoPeople(browser, ["shareda", "먼저 쓴 사람"], ["sharedb", "다음 사람"]);
  const page = await a.context.newPage();
  // The server never hears the send, so it stays unsent in the outbox.
  await swallowSends(page);
  await page.goto(`/rooms/${roomId}`);
  await composer(page).fill("보내지 못한 비밀");
  await composer(page).press("Enter");
  await expect(pendingRows(page)).toHaveText(["보내지 못한 비밀"]);
  expect(await keysOf(page, a.id)).toEqual([`talk.outbox.${a.id}.${roomId}`]);

  // In-app, as a person would: back to the chat list, then the Friends tab with the settings.
  await page.getByRole("banner").getByRole("button", { name: "뒤로" }).click();
  await tabLink(page, "친구").click();
  await page.getByRole("button", { name: "설정" }).click();
  await page.getByRole("dialog", { name: "설정" }).getByRole("button", { name: "로그아웃" }).click();
  await expect(page).toHaveURL(/\/login$/);
  expect(await keysOf(page, a.id)).toEqual([]);

  // b on the same browser: nothing of a's in storage or on screen, in the same room.
  await logIn(page, b.username);
  await expect(page).toHaveURL(/\/friends$/);
  await page.goto(`/rooms/${roomId}`);
  await expect(page.getByRole("banner").getByRole("heading", { level: 1 })).toHaveText(a.displayName);
  await expect(page.getByText("보내지 못한 비밀")).toHaveCount(0);
  await expect(pendingRows(page)).toHaveCount(0);
  expect(await keysOf(page, a.id)).toEqual([]);
  await a.context.close();
  await b.context.close();
});

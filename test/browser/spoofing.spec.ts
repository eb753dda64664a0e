import { expect, test } from "@playwright/test";
import { composer, myStoredBubbles, pendingRows, sendMessage, signUp, uniqueUsername } from "./helpers";
import { sendAs, twoPeople } from "./seed";

/** Each spoof as sent, what its link must read and where it must go. */
const SPOOFS = [
  // U+202E would show "https://evil.com/exe.jpg" reversed in place
  { sent: "https://evil.com/\u202Egpj.exe", shown: "https://evil.com/%E2%80%AEgpj.exe", href: "https://evil.com/%E2%80%AEgpj.exe" },
  // everything before "@" is a user name; the host is evil.com
  { sent: "https://google.com@evil.com/", shown: "https://evil.com/", href: "https://google.com@evil.com/" },
  // "gооgle" with two Cyrillic о
  { sent: "https://g\u043e\u043egle.com/", shown: "https://xn--ggle-55da.com/", href: "https://xn--ggle-55da.com/" },
];

test("spoofed links show the real host and go to the real URL", async ({ browser }) => {
  const { a: sender, b: reader, roomId } = await twoPeople(browser, ["spoofa", "보낸 사람"], ["spoofb", "읽는 사람"]);
  await sendAs(sender, roomId, SPOOFS.map((s) => s.sent));

  const page = await reader.context.newPage();
  await page.goto(`/rooms/${roomId}`);
  const links = page.locator(".messages a");
  await expect(links).toHaveCount(SPOOFS.length);
  for (const [i, spoof] of SPOOFS.entries()) {
    const link = links.nth(i);
    // innerText is what the reader sees; it holds no character that could reorder or hide part of it.
    expect(await link.innerText()).toBe(spoof.shown);
    await expect(link).toHaveAttribute("href", spoof.href);
    await expect(link).toHaveAttribute("dir", "ltr");
  }
  await sender.context.close();
  await reader.context.close();
});

test("the room header shows the peer's @id under the name", async ({ browser }) => {
  // Two accounts may carry the same name: the header tells them apart by ID.
  const { a: real, b: me, roomId } = await twoPeople(browser, ["realkim", "김철수"], ["headerme", "나"]);
  const page = await me.context.newPage();
  await page.goto(`/rooms/${roomId}`);
  const header = page.getByRole("banner");
  await expect(header.getByRole("heading", { level: 1 })).toHaveText("김철수");
  await expect(header.getByText(`@${real.username}`, { exact: true })).toBeVisible();
  await real.context.close();
  await me.context.close();
});

test("the composer does not send a message of spaces and a zero-width space", async ({ browser }) => {
  const { a: me, b: friend, roomId } = await twoPeople(browser, ["blankme", "나"], ["blankyou", "너"]);
  const page = await me.context.newPage();
  await page.goto(`/rooms/${roomId}`);

  await composer(page).fill("  \u200B \u202E ");
  await expect(page.getByRole("button", { name: "전송", exact: true })).toBeDisabled();
  await composer(page).press("Enter");
  // A real message after it: had the invisible one gone out, it would be stored first.
  await sendMessage(page, "보이는 글");
  await expect(myStoredBubbles(page)).toHaveText(["보이는 글"]);
  await expect(pendingRows(page)).toHaveCount(0);
  await me.context.close();
  await friend.context.close();
});

test("sign-up and settings refuse a name with invisible or bidi characters and say why", async ({ browser }) => {
  const why = "이름에는 제어 문자, 방향 제어 문자, 보이지 않는 문자를 쓸 수 없습니다";
  const context = await browser.newContext();
  const page = await context.newPage();
  const username = uniqueUsername("cleanname");
  await signUp(page, username, "김\u200B철수");
  await expect(page.getByText(why)).toBeVisible();
  await expect(page).toHaveURL(/\/login$/);

  await page.getByLabel("이름", { exact: true }).fill("김철수");
  await page.getByRole("button", { name: "가입하기" }).click();
  await expect(page).toHaveURL(/\/friends$/);
  await page.getByRole("button", { name: "설정" }).click();
  const settings = page.getByRole("dialog", { name: "설정" });
  await settings.getByLabel("이름 변경").fill("관리자\u202Egnp");
  await settings.getByRole("button", { name: "저장" }).click();
  await expect(settings.getByRole("status").filter({ hasText: why })).toBeVisible();
  await expect(page.getByLabel("내 프로필")).toContainText("김철수");
  await context.close();
});

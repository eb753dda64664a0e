import { expect, test } from "@playwright/test";
import { logIn, newPerson, PASSWORD, signUp } from "./helpers";

test("sign up, log out and log back in", async ({ browser }) => {
  const a = await newPerson(browser, "auth", "가나다 Auth");
  const { page } = a;

  // The session cookie survives a reload.
  await page.reload();
  await expect(page.getByLabel("내 프로필")).toContainText(a.username);

  // Settings: a new display name (PATCH /api/me) and the language switch, which is remembered.
  await page.getByRole("button", { name: "설정" }).click();
  const settings = page.getByRole("dialog", { name: "설정" });
  await settings.getByLabel("이름 변경").fill("새 이름");
  await settings.getByRole("button", { name: "저장" }).click();
  await expect(settings.getByRole("status").filter({ hasText: "이름을 변경했습니다." })).toBeVisible();
  await expect(page.getByLabel("내 프로필")).toContainText("새 이름");
  await settings.getByRole("radio", { name: "English" }).check();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await expect(page.getByRole("dialog", { name: "Settings" })).toBeVisible();
  await page.reload();
  await expect(page.getByRole("heading", { name: "Friends", level: 1 })).toBeVisible();
  await page.getByRole("button", { name: "Settings" }).click();
  await page.getByRole("dialog", { name: "Settings" }).getByRole("radio", { name: "한국어" }).check();
  await expect(page.locator("html")).toHaveAttribute("lang", "ko");

  await page.getByRole("dialog", { name: "설정" }).getByRole("button", { name: "로그아웃" }).click();
  await expect(page).toHaveURL(/\/login$/);

  // Logged out for real: a protected screen sends us back to the login form.
  await page.goto("/friends");
  await expect(page).toHaveURL(/\/login$/);

  await logIn(page, a.username);
  await expect(page).toHaveURL(/\/friends$/);
  await expect(page.getByLabel("내 프로필")).toContainText("새 이름");
  await a.context.close();
});

test("wrong password and a taken ID are explained on the form", async ({ browser }) => {
  const a = await newPerson(browser, "taken", "Taken");

  const context = await browser.newContext();
  const page = await context.newPage();

  await logIn(page, a.username, `${PASSWORD}-wrong`);
  await expect(page.getByRole("alert")).toHaveText("아이디 또는 비밀번호가 올바르지 않습니다.");
  await expect(page).toHaveURL(/\/login$/);

  await signUp(page, a.username, "Someone else");
  await expect(page.locator("#login-username-error")).toHaveText("이미 사용 중인 아이디입니다.");
  await expect(page.getByLabel("아이디", { exact: true })).toHaveAttribute("aria-invalid", "true");
  await expect(page).toHaveURL(/\/login$/);

  // The client checks the rules before asking the server.
  await signUp(page, "No Spaces!", "x", "short");
  await expect(page.locator("#login-username-error")).toHaveText("영문 소문자, 숫자, _ . 로 3–20자");
  await expect(page.locator("#login-password-error")).toHaveText("8–128자");

  await context.close();
  await a.context.close();
});

test("English when the browser prefers English", async ({ browser }) => {
  const context = await browser.newContext({ locale: "en-US" });
  const page = await context.newPage();
  await page.goto("/login");
  await expect(page.getByRole("heading", { name: "Log in" })).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await context.close();
});

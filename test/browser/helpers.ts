import { type Browser, type BrowserContext, expect, type Page, type WebSocketRoute } from "@playwright/test";

/** Usernames must be unique per run (reused dev servers keep users): 3–20 of a-z 0-9 _ . */
export const uniqueUsername = (prefix: string): string =>
  `${prefix}_${Date.now().toString(36).slice(-5)}${Math.random().toString(36).slice(2, 6)}`.slice(0, 20);

export const PASSWORD = "correct horse 42";

export interface Person {
  username: string;
  displayName: string;
  context: BrowserContext;
  page: Page;
}

/** Fails the test if any page of the context ever opens an alert/confirm/prompt (a script ran). */
export const forbidDialogs = (page: Page, seen: string[]): void => {
  page.on("dialog", (dialog) => {
    seen.push(dialog.message());
    void dialog.dismiss();
  });
};

export const signUp = async (page: Page, username: string, displayName: string, password = PASSWORD): Promise<void> => {
  await page.goto("/login");
  await page.getByRole("button", { name: "계정이 없나요? 회원가입" }).click();
  await expect(page.getByRole("heading", { name: "회원가입" })).toBeVisible();
  await page.getByLabel("아이디", { exact: true }).fill(username);
  await page.getByLabel("이름", { exact: true }).fill(displayName);
  await page.getByLabel("비밀번호", { exact: true }).fill(password);
  await page.getByRole("button", { name: "가입하기" }).click();
};

export const logIn = async (page: Page, username: string, password = PASSWORD): Promise<void> => {
  await page.goto("/login");
  await expect(page.getByRole("heading", { name: "로그인" })).toBeVisible();
  await page.getByLabel("아이디", { exact: true }).fill(username);
  await page.getByLabel("비밀번호", { exact: true }).fill(password);
  await page.getByRole("button", { name: "로그인", exact: true }).click();
};

/** A new browser context (its own cookies and storage) with a freshly signed-up user on the Friends screen. */
export const newPerson = async (browser: Browser, prefix: string, displayName: string): Promise<Person> => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const username = uniqueUsername(prefix);
  await signUp(page, username, displayName);
  await expect(page).toHaveURL(/\/friends$/);
  await expect(page.getByLabel("내 프로필")).toContainText(displayName);
  return { username, displayName, context, page };
};

export const addFriend = async (page: Page, username: string, expectedResult: string | RegExp): Promise<void> => {
  await page.getByRole("banner").getByRole("button", { name: "친구 추가" }).click();
  const dialog = page.getByRole("dialog", { name: "아이디로 친구 추가" });
  await dialog.getByLabel("친구 아이디").fill(username);
  await dialog.getByRole("button", { name: "추가", exact: true }).click();
  await expect(dialog.getByRole("status")).toHaveText(expectedResult);
  await dialog.getByRole("button", { name: "닫기" }).click();
  await expect(dialog).toBeHidden();
};

/** Each adds the other by ID on the Friends screen: friendship is one way, and these tests open the room from both sides. */
export const befriendEachOther = async (a: Person, b: Person): Promise<void> => {
  await addFriend(a.page, b.username, `${b.displayName}님을 친구로 추가했습니다.`);
  await addFriend(b.page, a.username, `${a.displayName}님을 친구로 추가했습니다.`);
};

export const friendRow = (page: Page, displayName: string) =>
  page.getByRole("list", { name: /^친구 \d+$/ }).getByRole("button", { name: new RegExp(`^${escapeRegExp(displayName)}`) });

/** Opens the 1:1 room with a friend from the Friends screen and returns its id. */
export const openChatWith = async (page: Page, displayName: string): Promise<string> => {
  await friendRow(page, displayName).click();
  await expect(page).toHaveURL(/\/rooms\/[^/]+$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(displayName);
  return roomIdOf(page);
};

export const roomIdOf = (page: Page): string => new URL(page.url()).pathname.split("/").pop() ?? "";

export const composer = (page: Page) => page.getByRole("textbox", { name: "메시지" });

export const sendMessage = async (page: Page, text: string): Promise<void> => {
  await composer(page).fill(text);
  await composer(page).press("Enter");
  await expect(composer(page)).toHaveValue("");
};

/** Bubbles of stored (acknowledged) messages; pending ones carry data-state. */
export const storedBubbles = (page: Page) => page.locator(".msg[data-seq] .bubble");
export const myStoredBubbles = (page: Page) => page.locator(".msg.mine[data-seq] .bubble");
export const pendingRows = (page: Page) => page.locator(".msg[data-state]");

export const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A tab of the bottom bar by its name; the Chats tab's name goes on with its unread count. */
export const tabLink = (page: Page, name: string) =>
  page.getByRole("navigation").getByRole("link", { name: new RegExp(`^${escapeRegExp(name)}(\\s|$)`) });

export const ROOM_SOCKET = /\/api\/rooms\/[^/]+\/ws$/;

/**
 * Routes the room sockets of a page (or of every page of a context) through a man in the middle
 * that keeps every frame the page gets through to the server in `passed` and, while swallowing,
 * swallows `send` frames as a stalled connection would, until `release()`; `sockets` are the
 * routed connections, to close (the app then reconnects and resends).
 */
export const routeRoomSockets = async (target: Page | BrowserContext, { swallow }: { swallow: boolean }) => {
  let swallowing = swallow;
  const sockets: WebSocketRoute[] = [];
  const passed: string[] = [];
  await target.routeWebSocket(ROOM_SOCKET, (ws) => {
    const server = ws.connectToServer();
    sockets.push(ws);
    ws.onMessage((raw) => {
      const text = raw.toString();
      if (swallowing && text.includes('"type":"send"')) return;
      passed.push(text);
      server.send(raw);
    });
  });
  return {
    sockets,
    passed,
    release: () => {
      swallowing = false;
    },
  };
};

export const swallowSends = (target: Page | BrowserContext) => routeRoomSockets(target, { swallow: true });

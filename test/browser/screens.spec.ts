import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Browser, expect, type Page, test } from "@playwright/test";
import { en } from "../../web/src/i18n/en";
import { formatMessage } from "../../web/src/i18n/format";
import { ko } from "../../web/src/i18n/ko";
import { systemLine } from "../../web/src/lib/system-line";
import { expectAccessible } from "./a11y";
import { tabLink } from "./helpers";
import { type Conversation, logInContext, seedConversation } from "./seed";

/**
 * The four screens (login, friends, chats, room), a group room and the new-chat picker in Korean and English, on a 360 px phone and a
 * 1280 px desktop (where the list and the room sit side by side): what they show, that nothing
 * overflows, axe-core finds no serious or critical violation, and a screenshot of each
 * (test/browser/.artifacts/screenshots/, git-ignored).
 */
const SHOTS = fileURLToPath(new URL("./.artifacts/screenshots/", import.meta.url));
mkdirSync(SHOTS, { recursive: true });

const catalogues = { ko, en } as const;

const TIME = { ko: /^오[전후] \d{1,2}:\d{2}$/, en: /^\d{1,2}:\d{2}\s?[AP]M$/ } as const;
const SEPARATOR = { ko: /^\d{4}년 \d{1,2}월 \d{1,2}일 [월화수목금토일]요일$/, en: /^[A-Z][a-z]+day, [A-Z][a-z]+ \d{1,2}, \d{4}$/ } as const;

let seeded: Promise<Conversation> | undefined;
const conversation = (browser: Browser) => (seeded ??= seedConversation(browser));

test.afterAll(async () => {
  await (await seeded)?.close();
});

/** Nothing sticks out sideways: no horizontal scrolling anywhere at this width. */
const expectNoOverflow = async (page: Page) => {
  const wide = await page.evaluate(() =>
    [document.documentElement, ...document.querySelectorAll<HTMLElement>(".app, .content, .messages, .login")]
      .filter((el) => el.scrollWidth > el.clientWidth + 1)
      .map((el) => `${el.className || el.tagName}: ${el.scrollWidth} > ${el.clientWidth}`),
  );
  expect(wide).toEqual([]);
};

/**
 * The phone-width column: the whole width on a phone, centred on a desktop. Signed in on a desktop
 * (1,024 px and up), the app takes the window, up to 1,440 px, for the list and the room side by side.
 */
const expectColumn = async (page: Page, width: number, signedIn = true) => {
  const box = (await page.locator(".app").boundingBox())!;
  const column = width <= 420 ? width : signedIn && width >= 1024 ? Math.min(width, 1440) : 420;
  expect(box.width).toBe(column);
  expect(Math.abs(box.x - (width - column) / 2)).toBeLessThanOrEqual(1);
};

/** On a desktop, with no room open, the right side says how to open one; a phone shows just the list. */
const expectRoomSide = async (page: Page, width: number, text: string) => {
  if (width >= 1024) await expect(page.getByText(text)).toBeVisible();
  else await expect(page.getByText(text)).toHaveCount(0);
};

const shoot = async (page: Page, name: string) => {
  // the caret blinks and skeletons shimmer: screenshots should not depend on the frame
  await page.screenshot({ path: `${SHOTS}${name}.png`, animations: "disabled", caret: "hide" });
};

for (const lang of ["ko", "en"] as const) {
  for (const width of [360, 1280]) {
    test(`the four screens in ${lang} at ${width} px`, async ({ browser }) => {
      test.setTimeout(120_000);
      const c = catalogues[lang];
      const fill = (text: string, vars: Record<string, string | number>) => formatMessage(lang, text, vars);
      const data = await conversation(browser);
      const context = await browser.newContext({
        locale: lang === "ko" ? "ko-KR" : "en-US",
        viewport: { width, height: width <= 420 ? 740 : 800 },
        deviceScaleFactor: width <= 420 ? 2 : 1,
        bypassCSP: true, // lets the test inject axe-core
      });
      const page = await context.newPage();
      const suffix = `${lang}${width > 420 ? "-desktop" : ""}`;

      await test.step("login", async () => {
        await page.goto("/login");
        await expect(page.getByRole("heading", { name: c.loginTitle, level: 1 })).toBeVisible();
        await expect(page.locator("html")).toHaveAttribute("lang", lang);
        await expect(page.getByLabel(c.username, { exact: true })).toBeVisible();
        await expectColumn(page, width, false);
        await expectNoOverflow(page);
        await expectAccessible(page, `login ${suffix}`);
        await shoot(page, `login-${suffix}`);
      });

      await logInContext(context, data.me);

      await test.step("friends", async () => {
        await page.goto("/friends");
        const profile = page.getByRole("region", { name: c.myProfile });
        await expect(profile).toContainText(data.me.displayName);
        await expect(profile).toContainText(`@${data.me.username}`);
        await expect(page.getByRole("heading", { name: fill(c.friendsCount, { n: data.friendCount }) })).toBeVisible();
        const rows = page.getByRole("list", { name: fill(c.friendsCount, { n: data.friendCount }) }).getByRole("button");
        await expect(rows).toHaveCount(data.friendCount);
        // ordered by name
        await expect(rows.locator(".row-title")).toHaveText(["강예린", "박지우", "이서준", "정도윤", "최하은"]);
        await expect(tabLink(page, c.tabFriends)).toHaveAttribute("aria-current", "page");
        await expectRoomSide(page, width, c.noRoomOpen);
        await expectColumn(page, width);
        await expectNoOverflow(page);
        await expectAccessible(page, `friends ${suffix}`);
        await shoot(page, `friends-${suffix}`);

        // The profile opens the settings sheet: name, language, log out.
        await profile.getByRole("button").click();
        const sheet = page.getByRole("dialog", { name: c.settingsTitle });
        await expect(sheet.getByLabel(c.changeName)).toHaveValue(data.me.displayName);
        await expect(sheet.getByRole("radio", { name: lang === "ko" ? c.languageKo : c.languageEn })).toBeChecked();
        await expect(sheet.getByRole("button", { name: c.logOut })).toBeVisible();
        await expectAccessible(page, `settings ${suffix}`);
        await shoot(page, `settings-${suffix}`);
        await page.keyboard.press("Escape");
        await expect(sheet).toBeHidden();
      });

      const total = data.chats.reduce((n, chat) => n + chat.unread, 0);
      await test.step("chats", async () => {
        await tabLink(page, c.tabChats).click();
        await expect(page).toHaveURL(/\/chats$/);
        await expect(tabLink(page, c.tabChats)).toHaveAttribute("aria-current", "page");
        const rows = page.getByRole("list", { name: c.chatsTitle }).getByRole("link");
        await expect(rows).toHaveCount(data.chats.length);
        for (const [i, chat] of data.chats.entries()) {
          const row = rows.nth(i);
          await expect(row.locator(".row-title")).toHaveText(chat.name);
          await expect(row.locator(".preview")).toHaveText(chat.preview);
          await expect(row.locator("time")).toHaveText(TIME[lang]);
          if (chat.unread > 0) {
            await expect(row.locator(".badge")).toHaveText(`${chat.unread}${fill(c.unreadLabel, { n: chat.unread })}`);
          } else {
            await expect(row.locator(".badge")).toHaveCount(0);
          }
        }
        // The tab bar's badge is announced as a count of unread messages, and the title shows it.
        await expect(page.getByRole("navigation", { name: c.mainNav }).locator(".badge")).toHaveText(
          `${total}${fill(c.unreadLabel, { n: total })}`,
        );
        await expect(tabLink(page, c.tabChats)).toHaveAccessibleName(`${c.tabChats} ${fill(c.unreadLabel, { n: total })}`);
        await expect(page).toHaveTitle(`(${total}) Talk`);
        await expectRoomSide(page, width, c.noRoomOpen);
        await expectColumn(page, width);
        await expectNoOverflow(page);
        await expectAccessible(page, `chats ${suffix}`);
        await shoot(page, `chats-${suffix}`);
      });

      await test.step("room", async () => {
        await page.getByRole("list", { name: c.chatsTitle }).getByRole("link").first().click();
        await expect(page).toHaveURL(new RegExp(`/rooms/${data.seojunRoom}$`));
        const room = page.locator(".room");
        await expect(room.getByRole("heading", { level: 1 })).toHaveText(data.seojun.displayName);
        // on a desktop the chat list stays on the left, with the open room's row marked
        const list = page.getByRole("list", { name: c.chatsTitle });
        if (width >= 1024) {
          const [listBox, roomBox] = [(await list.boundingBox())!, (await room.boundingBox())!];
          expect(listBox.x + listBox.width).toBeLessThanOrEqual(roomBox.x);
          await expect(list.getByRole("link").first()).toHaveAttribute("aria-current", "page");
          await expect(page.getByText(c.noRoomOpen)).toHaveCount(0);
        } else {
          await expect(list).toHaveCount(0);
        }
        const log = page.getByRole("log", { name: fill(c.conversationWith, { name: data.seojun.displayName }) });
        await expect(log).toHaveAttribute("aria-live", "polite");
        const bubbles = log.locator(".msg[data-seq] .bubble");
        await expect(bubbles).toHaveText(data.room.map((m) => m.body));
        await expect(log.locator(".msg[data-seq]")).toHaveClass(data.room.map((m) => new RegExp(m.mine ? "\\bmine\\b" : "\\btheirs\\b")));
        // one date separator, the friend's name once per run, a time at the end of each run
        await expect(log.locator(".date-sep")).toHaveText(SEPARATOR[lang]);
        await expect(log.locator(".msg-name")).toHaveText(["이서준", "이서준"]);
        await expect(log.locator(".msg-time")).toHaveCount(4);
        await expect(log.locator(".msg-time").first()).toHaveText(TIME[lang]);
        // the friend read up to their last message: my three after it still show `1`
        await expect(log.locator(".msg.mine .msg-unread")).toHaveText(Array(3).fill(`1${fill(c.unreadBy, { n: 1 })}`));
        // emoji-only messages: large, without a bubble
        await expect(log.locator(".bubble.emoji-only")).toHaveText(["👍", "☔☔"]);
        const emojiSize = await log.locator(".bubble.emoji-only").first().evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
        const textSize = await bubbles.first().evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
        expect(emojiSize).toBeGreaterThan(textSize * 2);
        expect(await log.locator(".bubble.emoji-only").first().evaluate((el) => getComputedStyle(el).backgroundColor)).toBe("rgba(0, 0, 0, 0)");
        // the link is a safe link
        await expect(log.getByRole("link", { name: "https://place.map.kakao.com/1234567890" })).toHaveAttribute("rel", "noopener noreferrer");
        await expect(page.getByRole("textbox", { name: c.messageLabel })).toBeVisible();
        await expectColumn(page, width);
        await expectNoOverflow(page);
        await expectAccessible(page, `room ${suffix}`);
        await shoot(page, `room-${suffix}`);
      });

      await test.step("group room", async () => {
        await page.goto("/chats");
        const row = page.getByRole("list", { name: c.chatsTitle }).getByRole("link").nth(1);
        await expect(row.locator(".row-count")).toHaveText(`${data.group.members.length}${fill(c.memberCount, { n: data.group.members.length })}`);
        await expect(row.locator(".collage .avatar")).toHaveCount(3);
        await row.click();
        await expect(page).toHaveURL(new RegExp(`/rooms/${data.group.id}$`));
        const header = page.locator(".room-topbar");
        await expect(header.getByRole("heading", { level: 1 })).toHaveAccessibleName(
          `${data.group.title} ${fill(c.memberCount, { n: data.group.members.length })}`,
        );
        const log = page.getByRole("log", { name: fill(c.conversationIn, { name: data.group.title }) });
        // names stand in for ids: the line names the creator and those they made it with
        const created = { type: "created" as const, actorId: data.group.creator, userIds: data.group.invited, title: data.group.title };
        await expect(log.locator(".sys-line")).toHaveText([systemLine(lang, created, (name) => name)]);
        await expect(log.locator(".msg[data-seq] .bubble")).toHaveText(data.group.messages.map((m) => m.body));
        // each sender's name above their message; the numbers of members who have not read each
        await expect(log.locator(".msg-name")).toHaveText(data.group.messages.filter((m) => m.from !== data.me.displayName).map((m) => m.from));
        await expect(log.locator(".msg-unread [aria-hidden=true]")).toHaveText(["1", "2", "3"]);
        await expectColumn(page, width);
        await expectNoOverflow(page);
        await expectAccessible(page, `group ${suffix}`);
        await shoot(page, `group-${suffix}`);

        await header.getByRole("button", { name: c.roomMenu }).click();
        const menu = page.getByRole("dialog", { name: c.roomMenu });
        await expect(menu.getByRole("list", { name: fill(c.membersHeading, { n: data.group.members.length }) }).getByRole("listitem")).toHaveCount(
          data.group.members.length,
        );
        await expectAccessible(page, `room menu ${suffix}`);
        await shoot(page, `room-menu-${suffix}`);
        await page.keyboard.press("Escape");
        await expect(menu).toBeHidden();
      });

      await test.step("new-chat picker", async () => {
        await page.goto("/chats");
        await page.getByRole("button", { name: c.newChat }).click();
        const picker = page.getByRole("dialog", { name: c.newChatTitle });
        await expect(picker.getByRole("checkbox")).toHaveCount(data.friendCount);
        await picker.getByRole("checkbox").nth(1).check();
        await picker.getByRole("checkbox").nth(4).check();
        await expect(picker.getByText(fill(c.selectedCount, { n: 2 }))).toBeVisible();
        await expect(picker.getByRole("button", { name: c.createChat })).toBeEnabled();
        await expectNoOverflow(page);
        await expectAccessible(page, `new chat ${suffix}`);
        await shoot(page, `new-chat-${suffix}`);
        await page.keyboard.press("Escape");
        await expect(picker).toBeHidden();
      });

      await context.close();
    });
  }
}

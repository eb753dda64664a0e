import { expect, test } from "@playwright/test";
import { formatDateSeparator, formatListTime, formatMessageTime } from "../../web/src/lib/time";
import { apiUser, befriend, directRoom, logInContext, sendAs } from "./seed";

// Plain Node assertions on the formatting rules of product.md (no browser needed).
// Strip the narrow no-break space ICU puts before AM/PM so the expectations stay readable.
const plain = (s: string) => s.replace(/[\u202f\u00a0]/g, " ");

const now = new Date(2026, 10, 24, 18, 30);

test("times in a room", () => {
  expect(plain(formatMessageTime(new Date(2026, 10, 24, 15, 12), "ko"))).toBe("오후 3:12");
  expect(plain(formatMessageTime(new Date(2026, 10, 24, 9, 5), "ko"))).toBe("오전 9:05");
  expect(plain(formatMessageTime(new Date(2026, 10, 24, 15, 12), "en"))).toBe("3:12 PM");
});

test("times in the chat list", () => {
  expect(plain(formatListTime(new Date(2026, 10, 24, 15, 12), now, "ko"))).toBe("오후 3:12");
  expect(formatListTime(new Date(2026, 10, 23, 23, 59), now, "ko")).toBe("어제");
  expect(formatListTime(new Date(2026, 10, 23, 0, 0), now, "en")).toBe("Yesterday");
  expect(formatListTime(new Date(2026, 10, 20, 12, 0), now, "ko")).toBe("11월 20일");
  expect(formatListTime(new Date(2026, 10, 20, 12, 0), now, "en")).toBe("Nov 20");
  expect(formatListTime(new Date(2025, 10, 20, 12, 0), now, "ko")).toBe("2025. 11. 20.");
  expect(formatListTime(new Date(2025, 10, 20, 12, 0), now, "en")).toBe("11/20/2025");
  // Yesterday across a year boundary is still "yesterday".
  expect(formatListTime(new Date(2025, 11, 31, 22, 0), new Date(2026, 0, 1, 8, 0), "ko")).toBe("어제");
});

test("date separators", () => {
  expect(formatDateSeparator(new Date(2026, 10, 24, 15, 12), "ko")).toBe("2026년 11월 24일 화요일");
  expect(formatDateSeparator(new Date(2026, 10, 24, 15, 12), "en")).toBe("Tuesday, November 24, 2026");
});

// The same rules in the browser: the chat list's time as days pass, with the page's clock moved on.
test.describe("the chat list's times in the browser", () => {
  const DAY = 24 * 60 * 60_000;
  /** The date parts of an instant in Seoul (the tests' time zone), by hand, not by the app's formatter. */
  const seoul = (at: Date) => {
    const local = new Date(at.getTime() + 9 * 60 * 60_000);
    return { y: local.getUTCFullYear(), m: local.getUTCMonth() + 1, d: local.getUTCDate() };
  };
  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  for (const lang of ["ko", "en"] as const) {
    test(`today, yesterday, this year, older (${lang})`, async ({ browser }) => {
      test.setTimeout(90_000);
      const me = await apiUser(browser, "clock", "시계");
      const friend = await apiUser(browser, "clockf", "친구");
      await befriend(me, friend);
      await sendAs(friend, await directRoom(friend, me), ["시간 확인"]);
      const context = await browser.newContext({ locale: lang === "ko" ? "ko-KR" : "en-US" });
      await logInContext(context, me);
      const page = await context.newPage();
      await page.goto("/chats");
      const time = page.locator(".chat-list time");
      await expect(time).toHaveText(lang === "ko" ? /^오[전후] \d{1,2}:\d{2}$/ : /^\d{1,2}:\d{2}\s[AP]M$/);
      const sentAt = new Date((await time.getAttribute("datetime"))!);
      const sent = seoul(sentAt);

      const at = async (now: Date, expected: string) => {
        await page.clock.setFixedTime(now);
        await page.reload();
        await expect(time).toHaveText(expected);
      };
      await at(new Date(sentAt.getTime() + DAY), lang === "ko" ? "어제" : "Yesterday");
      const later = new Date(sentAt.getTime() + 2 * DAY);
      const sameYear = seoul(later).y === sent.y;
      const full = lang === "ko" ? `${sent.y}. ${sent.m}. ${sent.d}.` : `${sent.m}/${sent.d}/${sent.y}`;
      await at(later, sameYear ? (lang === "ko" ? `${sent.m}월 ${sent.d}일` : `${MONTHS[sent.m - 1]} ${sent.d}`) : full);
      await at(new Date(sentAt.getTime() + 400 * DAY), full);

      await context.close();
      await me.context.close();
      await friend.context.close();
    });
  }
});

import { expect, test } from "@playwright/test";
import { formatDateSeparator, formatListTime, formatMessageTime } from "../../web/src/lib/time";

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

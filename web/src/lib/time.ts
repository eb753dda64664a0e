import { en } from "../i18n/en";
import { ko } from "../i18n/ko";

/** The formatting rules of product.md; pure (the caller passes `now`) so they can be tested anywhere. */
export type TimeLang = "ko" | "en";

const locales: Record<TimeLang, string> = { ko: "ko-KR", en: "en-US" };
const yesterdayLabel: Record<TimeLang, string> = { ko: ko.yesterday, en: en.yesterday };

const cache = new Map<string, Intl.DateTimeFormat>();
const formatter = (lang: TimeLang, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat => {
  const key = lang + JSON.stringify(options);
  let f = cache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locales[lang], options);
    cache.set(key, f);
  }
  return f;
};

const toDate = (value: Date | string): Date => (typeof value === "string" ? new Date(value) : value);

export const sameDay = (a: Date, b: Date): boolean =>
  a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();

export const sameMinute = (a: Date, b: Date): boolean =>
  sameDay(a, b) && a.getHours() === b.getHours() && a.getMinutes() === b.getMinutes();

/** `오후 3:12` / `3:12 PM`: the time beside a message in a room. */
export const formatMessageTime = (value: Date | string, lang: TimeLang): string =>
  formatter(lang, { hour: "numeric", minute: "2-digit" }).format(toDate(value));

/** The chat list's time: today a time, yesterday a word, this year month and day, else the full date. */
export const formatListTime = (value: Date | string, now: Date, lang: TimeLang): string => {
  const date = toDate(value);
  if (sameDay(date, now)) return formatMessageTime(date, lang);
  const yesterday = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1);
  if (sameDay(date, yesterday)) return yesterdayLabel[lang];
  if (date.getFullYear() === now.getFullYear()) {
    return formatter(lang, { month: lang === "ko" ? "long" : "short", day: "numeric" }).format(date);
  }
  return formatter(lang, { year: "numeric", month: "numeric", day: "numeric" }).format(date);
};

/** `2026년 11월 24일 화요일` / `Tuesday, November 24, 2026`: the separator between days in a room. */
export const formatDateSeparator = (value: Date | string, lang: TimeLang): string =>
  formatter(lang, { dateStyle: "full" }).format(toDate(value));

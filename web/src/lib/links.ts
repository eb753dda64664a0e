/**
 * Splits message text into plain parts and http(s) links; the caller renders both as DOM nodes,
 * never HTML. A link's text is where it goes (`shownUrl`), not what was typed.
 */
export type TextPart = { kind: "text"; text: string } | { kind: "link"; text: string; href: string };

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/gi;
// Trailing punctuation usually ends the sentence, not the URL.
const TRAILING = /[.,;:!?)\]}'"]+$/;

const parseHttp = (candidate: string): URL | null => {
  try {
    const url = new URL(candidate);
    return url.protocol === "http:" || url.protocol === "https:" ? url : null;
  } catch {
    return null;
  }
};

/** Characters that draw nothing or reorder text; shown percent-encoded, as the link holds them. */
const HIDDEN = /[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\p{White_Space}]/u;
const utf8 = new TextEncoder();
const escape = (ch: string) => [...utf8.encode(ch)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`).join("");

/**
 * The parser percent-encodes every non-ASCII character of a path; non-ASCII letters are decoded
 * back (`/wiki/서울` stays readable), while ASCII (a decoded `%2F` would change the path) and
 * hidden characters such as U+202E stay encoded.
 */
const readable = (encoded: string): string =>
  encoded.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(run);
    } catch {
      return run; // not UTF-8: show the bytes
    }
    return [...decoded].map((ch) => (ch.charCodeAt(0) < 0x80 || HIDDEN.test(ch) ? escape(ch) : ch)).join("");
  });

/**
 * What a link shows: where it really goes. The host as the parser reads it (look-alike and other
 * non-ASCII hosts in punycode, `xn--…`), no `user:pass@` part (`https://google.com@evil.com/` goes
 * to evil.com), and no hidden or bidi characters that could reorder or hide part of it.
 */
export const shownUrl = (url: URL, raw: string): string => {
  const rest = url.pathname + url.search + url.hash;
  // A bare `https://example.com` stays as typed rather than gaining the parser's "/".
  const path = rest === "/" && !raw.endsWith("/") ? "" : readable(rest);
  return `${url.protocol}//${url.host}${path}`;
};

export const splitLinks = (body: string): TextPart[] => {
  const parts: TextPart[] = [];
  let last = 0;
  for (const match of body.matchAll(URL_PATTERN)) {
    const raw = match[0].replace(TRAILING, "");
    const url = parseHttp(raw);
    const start = match.index;
    if (!url || raw.length === 0) continue;
    if (start > last) parts.push({ kind: "text", text: body.slice(last, start) });
    parts.push({ kind: "link", text: shownUrl(url, raw), href: url.href });
    last = start + raw.length;
  }
  if (last < body.length) parts.push({ kind: "text", text: body.slice(last) });
  return parts;
};

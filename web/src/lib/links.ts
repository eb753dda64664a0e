/** Splits message text into plain parts and http(s) links; the caller renders both as DOM nodes, never HTML. */
export type TextPart = { kind: "text"; text: string } | { kind: "link"; text: string; href: string };

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/gi;
// Trailing punctuation usually ends the sentence, not the URL.
const TRAILING = /[.,;:!?)\]}'"]+$/;

const safeHref = (candidate: string): string | null => {
  try {
    const url = new URL(candidate);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
};

export const splitLinks = (body: string): TextPart[] => {
  const parts: TextPart[] = [];
  let last = 0;
  for (const match of body.matchAll(URL_PATTERN)) {
    const raw = match[0].replace(TRAILING, "");
    const href = safeHref(raw);
    const start = match.index;
    if (!href || raw.length === 0) continue;
    if (start > last) parts.push({ kind: "text", text: body.slice(last, start) });
    parts.push({ kind: "link", text: raw, href });
    last = start + raw.length;
  }
  if (last < body.length) parts.push({ kind: "text", text: body.slice(last) });
  return parts;
};

import { splitLinks } from "./links";

/** How much of a long message a bubble shows before "View all" (KakaoTalk cuts at about this). */
export const PREVIEW_CODE_POINTS = 500;

const graphemes = typeof Intl.Segmenter === "function" ? new Intl.Segmenter(undefined, { granularity: "grapheme" }) : null;

/**
 * The longest start of `text` of at most `limit` code points that ends between two user-perceived
 * characters: never inside a surrogate pair, a Hangul syllable spelled in conjoining jamo, or an
 * emoji sequence. Without Intl.Segmenter, between code points.
 */
const cutAt = (text: string, limit: number): number => {
  let points = 0;
  let end = 0;
  const units = graphemes ? Array.from(graphemes.segment(text), (s) => s.segment) : Array.from(text);
  for (const unit of units) {
    const size = unit.length === 1 ? 1 : Array.from(unit).length;
    if (points + size > limit) break;
    points += size;
    end += unit.length;
  }
  return end;
};

/**
 * The part of a long message its bubble shows, or null when the whole message fits. A link the cut
 * would split is left whole: the preview stops before it, or, when the message starts with it, after it.
 */
export const clipText = (body: string, limit = PREVIEW_CODE_POINTS): string | null => {
  let end = cutAt(body, limit);
  if (end >= body.length) return null;
  let start = 0;
  for (const part of splitLinks(body)) {
    const partEnd = start + part.text.length;
    if (part.kind === "link" && start < end && end < partEnd) {
      end = start > 0 ? start : partEnd;
      break;
    }
    start = partEnd;
  }
  return end >= body.length ? null : body.slice(0, end).trimEnd();
};

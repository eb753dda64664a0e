/**
 * KakaoTalk shows a message of one to three emoji and nothing else large and without a bubble.
 * One emoji is what a user sees as one: a flag (two regional indicators), a keycap (`1️⃣`), or a
 * pictograph with its variation selector, skin tone, tags and ZWJ-joined parts (`👩‍👩‍👧`, `🏴󠁧󠁢󠁳󠁣󠁴󠁿`).
 */
// A symbol drawn as text by default (©, ™, ↔) counts only with the emoji variation selector.
const FIRST = String.raw`(?:\p{Emoji_Presentation}\p{Emoji_Modifier}?|\p{Extended_Pictographic}(?:\uFE0F|\p{Emoji_Modifier}))`;
const JOINED = String.raw`\p{Extended_Pictographic}(?:\uFE0F|\p{Emoji_Modifier})?`;
const ONE_EMOJI = String.raw`(?:\p{Regional_Indicator}{2}|[#*0-9]\uFE0F?\u20E3|${FIRST}(?:\u200D${JOINED})*[\u{E0020}-\u{E007F}]*)`;
const EMOJI = new RegExp(ONE_EMOJI, "uy");
const SPACE = /\s+/y;

export const MAX_BIG_EMOJI = 3;

/** How many emoji `body` is made of when it is only 1–3 emoji (spaces between allowed); else 0. */
export const emojiOnlyCount = (body: string): number => {
  const text = body.trim();
  if (text.length === 0 || text.length > 64) return 0;
  let count = 0;
  let at = 0;
  while (at < text.length) {
    SPACE.lastIndex = at;
    if (SPACE.test(text)) {
      at = SPACE.lastIndex;
      continue;
    }
    EMOJI.lastIndex = at;
    if (!EMOJI.test(text)) return 0;
    at = EMOJI.lastIndex;
    if (++count > MAX_BIG_EMOJI) return 0;
  }
  return count;
};

/** A stable palette slot for a user id, so a person keeps one avatar colour everywhere. */
const AVATAR_COLOURS = 8;

export const colourIndex = (id: string): number => {
  let hash = 2166136261;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 16777619);
  }
  // FNV's low bits are weak; mix the high bits down before taking a small modulus.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x45d9f3b);
  hash ^= hash >>> 16;
  return (hash >>> 0) % AVATAR_COLOURS;
};

/** The first character as the user sees it (a whole Hangul syllable or emoji, not half a surrogate pair). */
export const initial = (name: string): string => {
  const first = name.trim()[Symbol.iterator]().next().value;
  return first ? first.toUpperCase() : "?";
};

import type { User } from "../../../worker/contract";

/** Text as search compares it: NFC (a Hangul syllable typed or pasted as jamo is the same), lower case. */
const fold = (s: string) => s.normalize("NFC").toLocaleLowerCase();

/**
 * The friends whose name or ID contains the query (a leading "@" is the ID's), in the list's order;
 * all of them for an empty query.
 */
export const searchFriends = <T extends User>(friends: readonly T[], query: string): readonly T[] => {
  const q = fold(query.trim()).replace(/^@/, "");
  return q ? friends.filter((f) => fold(f.displayName).includes(q) || fold(f.username).includes(q)) : friends;
};

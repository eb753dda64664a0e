/**
 * How a room is named and pictured, in one place for the chat list, the room header and the menu:
 * a group's own name, or its members' names joined by ", " (KakaoTalk style); a 1:1 room the
 * friend's name; a collage of up to four members' avatars.
 */

interface Person {
  id: string;
  displayName: string;
}

interface Titled<M extends Person> {
  kind: "direct" | "group";
  title?: string | null;
  members: readonly M[];
}

/** At most this many faces in a chat-list collage, as KakaoTalk draws it. */
export const COLLAGE_MAX = 4;

/** The members other than me, in the order the server gave them. */
export const othersOf = <M extends Person>(room: { members: readonly M[] }, meId: string): M[] => room.members.filter((m) => m.id !== meId);

/**
 * The room's title: a group's name when it has one, else the other members' names joined by ", ".
 * `null` when nobody else is left (the caller shows its own words for an empty room). `nameOf`
 * lets a fresher name (a friend's rename heard live) win over the one the room was loaded with.
 */
export const roomTitle = <M extends Person>(room: Titled<M>, meId: string, nameOf: (member: M) => string = (m) => m.displayName): string | null => {
  if (room.kind === "group" && room.title) return room.title;
  const names = othersOf(room, meId).map(nameOf);
  return names.length > 0 ? names.join(", ") : null;
};

/** The faces of a room's picture: up to four others, or me alone when nobody else is in it. */
export const collageOf = <M extends Person>(room: { members: readonly M[] }, meId: string): M[] => {
  const others = othersOf(room, meId);
  if (others.length > 0) return others.slice(0, COLLAGE_MAX);
  return room.members.filter((m) => m.id === meId).slice(0, 1);
};

import { createSignal } from "solid-js";
import type { Friend, User } from "../../../worker/contract";
import { api } from "../api/endpoints";
import { onSignedOut } from "./session";

export type LoadState = "idle" | "loading" | "ready" | "error";

const [friends, setFriends] = createSignal<Friend[]>([]);
const [friendsState, setFriendsState] = createSignal<LoadState>("idle");
/** Bumped on sign-out, so an answer still in flight for the previous user is dropped. */
let generation = 0;

export { friends, friendsState };

/** 즐겨찾기 first, as the server lists them; then by name. */
const byName = (a: Friend, b: Friend) =>
  Number(b.favorite) - Number(a.favorite) || a.displayName.localeCompare(b.displayName) || a.username.localeCompare(b.username);

/**
 * Friendships are only removed by blocking (dropFriend), so loaded and live data are merged, never
 * replaced: a list requested before a `friend` frame arrived cannot make that friend disappear again.
 */
const merge = (incoming: readonly (User & { favorite?: boolean })[]) =>
  setFriends((list) => {
    const byId = new Map(list.map((f) => [f.id, f]));
    let changed = false;
    for (const user of incoming) {
      const held = byId.get(user.id);
      // A `friend` frame carries no mark: the one held stays.
      const friend = { ...user, favorite: user.favorite ?? held?.favorite ?? false };
      // An unchanged friend keeps its object, so its row (and a keyboard focus on it) stays.
      if (held && held.username === friend.username && held.displayName === friend.displayName && held.favorite === friend.favorite) continue;
      byId.set(friend.id, friend);
      changed = true;
    }
    return changed ? [...byId.values()].sort(byName) : list;
  });

export const loadFriends = async (): Promise<void> => {
  const started = generation;
  if (friendsState() !== "ready") setFriendsState("loading");
  try {
    const list = await api.friends();
    if (started !== generation) return;
    merge(list);
    setFriendsState("ready");
  } catch {
    if (started === generation && friendsState() !== "ready") setFriendsState("error");
  }
};

/** Marks or unmarks a friend 즐겨찾기; the list moves them once the server took it. */
export const setFavorite = async (friendId: string, favorite: boolean): Promise<void> => {
  merge([await api.setFavorite(friendId, favorite)]);
};

export const friendById = (id: string): User | undefined => friends().find((f) => f.id === id);

/** Adds or refreshes one friend, from our own add or from the events socket. */
export const upsertFriend = (friend: User): void => {
  merge([friend]);
};

/** Blocking someone takes them off my friends (the server removed my row). */
export const dropFriend = (id: string): void => {
  setFriends((list) => list.filter((f) => f.id !== id));
};

onSignedOut(() => {
  generation++;
  setFriends([]);
  setFriendsState("idle");
});

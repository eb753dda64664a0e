import { createSignal } from "solid-js";
import type { User } from "../../../worker/contract";
import { api } from "../api/endpoints";
import { onSignedOut } from "./session";

export type LoadState = "idle" | "loading" | "ready" | "error";

const [friends, setFriends] = createSignal<User[]>([]);
const [friendsState, setFriendsState] = createSignal<LoadState>("idle");
/** Bumped on sign-out, so an answer still in flight for the previous user is dropped. */
let generation = 0;

export { friends, friendsState };

const byName = (a: User, b: User) => a.displayName.localeCompare(b.displayName) || a.username.localeCompare(b.username);

/**
 * Friendships are only removed by blocking (dropFriend), so loaded and live data are merged, never
 * replaced: a list requested before a `friend` frame arrived cannot make that friend disappear again.
 */
const merge = (incoming: readonly User[]) =>
  setFriends((list) => {
    const byId = new Map(list.map((f) => [f.id, f]));
    let changed = false;
    for (const friend of incoming) {
      const held = byId.get(friend.id);
      // An unchanged friend keeps its object, so its row (and a keyboard focus on it) stays.
      if (held && held.username === friend.username && held.displayName === friend.displayName) continue;
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

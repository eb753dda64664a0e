import { createSignal } from "solid-js";
import type { User } from "../../../worker/contract";
import { api } from "../api/endpoints";
import { dropFriend } from "./friends";
import { onSignedOut } from "./session";

const [blocked, setBlocked] = createSignal<User[]>([]);

/** Whom I block (settings' list). The server enforces every block; this list is only for showing and undoing them. */
export { blocked };

export const loadBlocked = async (): Promise<void> => {
  setBlocked(await api.blocked());
};

/** Blocks a user: they leave my friends; a 1:1 room with them leaves my list through the events socket (room_removed). */
export const blockUser = async (user: User): Promise<void> => {
  await api.block(user.id);
  dropFriend(user.id);
  setBlocked((list) => [...list.filter((u) => u.id !== user.id), user]);
};

export const unblockUser = async (id: string): Promise<void> => {
  await api.unblock(id);
  setBlocked((list) => list.filter((u) => u.id !== id));
};

onSignedOut(() => setBlocked([]));

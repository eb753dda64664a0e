import { createSignal } from "solid-js";
import type { User } from "../../../worker/contract";
import { HttpError, setUnauthenticatedHandler } from "../api/client";
import { api } from "../api/endpoints";
import { forgetAccountStorage } from "./account-storage";

/** `undefined` while the first `GET /api/me` is in flight; `null` when logged out. */
const [me, setMe] = createSignal<User | null | undefined>(undefined);
const [bootError, setBootError] = createSignal(false);

export { bootError, me };

const listeners = new Set<() => void>();

/** Lets user-scoped stores drop their data when the session ends, without importing each other. */
export const onSignedOut = (listener: () => void): void => {
  listeners.add(listener);
};

const signOutLocally = () => {
  if (me() === null) return;
  setMe(null);
  for (const listener of listeners) listener();
};

setUnauthenticatedHandler(signOutLocally);

export const loadSession = async (): Promise<void> => {
  setBootError(false);
  try {
    setMe(await api.me());
  } catch (err) {
    if (err instanceof HttpError && err.status === 401) setMe(null);
    else setBootError(true);
  }
};

export const signedIn = (user: User): void => {
  setMe(user);
};

export const updateMe = (user: User): void => {
  if (me()?.id === user.id) setMe(user);
};

/** Ends the session here and on the server; even when the server can't be reached, this browser forgets the account. */
export const logOut = async (): Promise<void> => {
  const userId = me()?.id;
  try {
    await api.logout();
  } finally {
    signOutLocally();
    // After the stores have let go of this account, so none of them writes its keys back.
    if (userId) forgetAccountStorage(userId);
  }
};

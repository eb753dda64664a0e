import { createSignal } from "solid-js";
import type { SocketStatus } from "../socket/reconnecting";

/**
 * What the connection banners show: whether the browser says it is offline, and how the
 * events socket (the live chat list and friends) is doing.
 */
const [online, setOnline] = createSignal(navigator.onLine !== false);
const [eventsStatus, setEventsStatus] = createSignal<SocketStatus>("connecting");
const [eventsEverOpen, setEventsEverOpen] = createSignal(false);

window.addEventListener("online", () => setOnline(true));
window.addEventListener("offline", () => setOnline(false));

export { eventsStatus, online };

export const reportEventsStatus = (status: SocketStatus): void => {
  setEventsStatus(status);
  if (status === "open") setEventsEverOpen(true);
};

/** Live updates are off: after having been live once, or after the first attempt failed. */
export const eventsDown = (): boolean => eventsStatus() === "closed" || (eventsEverOpen() && eventsStatus() !== "open");

export const resetEventsStatus = (): void => {
  setEventsStatus("connecting");
  setEventsEverOpen(false);
};

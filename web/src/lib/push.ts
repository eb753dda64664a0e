import { api } from "../api/endpoints";

/** Where the browser stands on this device's notifications (the settings switch shows it). */
export type PushState = "unsupported" | "unavailable" | "denied" | "off" | "on";

export const pushSupported = (): boolean => "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;

const currentSubscription = async (): Promise<PushSubscription | null> =>
  (await navigator.serviceWorker.getRegistration())?.pushManager.getSubscription() ?? null;

/** `POST /api/push/subscriptions` with what the browser's subscription says of itself. */
const registerWithServer = (subscription: PushSubscription): Promise<void> => {
  const { endpoint, keys } = subscription.toJSON();
  return api.subscribePush({ endpoint: endpoint!, keys: { p256dh: keys!.p256dh!, auth: keys!.auth! } });
};

export const readPushState = async (): Promise<PushState> => {
  if (!pushSupported()) return "unsupported";
  if (Notification.permission === "denied") return "denied";
  return Notification.permission === "granted" && (await currentSubscription()) ? "on" : "off";
};

/**
 * Asks for permission (only ever from the switch: a press, never a page load; first, while the
 * press still counts as one), installs the service worker that shows pushes (only for those who
 * turn them on: nobody else gets one), subscribes with the server's VAPID key and registers the
 * subscription. "unavailable": the server has push turned off.
 */
export const turnPushOn = async (): Promise<PushState> => {
  if (!pushSupported()) return "unsupported";
  const permission = await Notification.requestPermission();
  if (permission !== "granted") return permission === "denied" ? "denied" : "off";
  const key = await api.pushKey();
  if (!key) return "unavailable";
  await navigator.serviceWorker.register("/sw.js");
  const registration = await navigator.serviceWorker.ready;
  const subscription =
    (await registration.pushManager.getSubscription()) ??
    (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key }));
  await registerWithServer(subscription);
  return "on";
};

/**
 * Registers this device's subscription again for whoever is logged in now (on each start of the
 * app): the server keeps a subscription only while the session that registered it lives, so after
 * a new login the device would otherwise fall silent while the switch still says on.
 */
export const renewPushSubscription = async (): Promise<void> => {
  if (!pushSupported() || Notification.permission !== "granted") return;
  const subscription = await currentSubscription();
  if (!subscription) return;
  await registerWithServer(subscription);
};

/** Unregisters this device on the server, then with the push service. */
export const turnPushOff = async (): Promise<PushState> => {
  const subscription = await currentSubscription();
  if (subscription) {
    await api.unsubscribePush(subscription.endpoint);
    await subscription.unsubscribe();
  }
  return readPushState();
};

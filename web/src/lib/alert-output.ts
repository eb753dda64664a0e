import type { PushPayload } from "../../../worker/contract";
import { soundOn } from "../stores/alert-sound";
import { readPushState } from "./push";

let audio: AudioContext | undefined;

/** Two short soft tones from one oscillator, made here: no sound file to download. */
const chime = (): void => {
  audio ??= new AudioContext();
  const now = audio.currentTime;
  const tone = audio.createOscillator();
  const gain = audio.createGain();
  tone.frequency.setValueAtTime(880, now);
  tone.frequency.setValueAtTime(1320, now + 0.12);
  gain.gain.setValueAtTime(0.0001, now);
  gain.gain.exponentialRampToValueAtTime(0.15, now + 0.02);
  gain.gain.exponentialRampToValueAtTime(0.0001, now + 0.35);
  tone.connect(gain).connect(audio.destination);
  tone.start(now);
  tone.stop(now + 0.4);
};

/**
 * Alerts of a new message in this tab: the sound when turned on, and a notification when this device
 * has notifications on (the settings switch: permission and a push subscription). Shown through the
 * service worker, as a push is, so clicking it opens the room the same way; a push for this message
 * may have come first (the server pushes to every device of a member with no socket in the room),
 * and then the notification already there is left as it is.
 */
export const alertNewMessage = async (alert: PushPayload): Promise<void> => {
  if (soundOn()) chime();
  if ((await readPushState()) !== "on") return;
  const registration = await navigator.serviceWorker.getRegistration();
  if (!registration) return;
  const shown = await registration.getNotifications({ tag: alert.tag });
  if (shown.some((n) => ((n.data as { seq?: number } | null)?.seq ?? 0) >= alert.seq)) return;
  await registration.showNotification(alert.title, { body: alert.body, tag: alert.tag, renotify: true, icon: "/icon.svg", data: { url: alert.url, seq: alert.seq } } as NotificationOptions);
};

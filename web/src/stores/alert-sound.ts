import { createSignal } from "solid-js";

/**
 * The alert sound for new messages while this tab is in the background (설정 → 알림음). Off unless
 * turned on: a tab that starts making noise on its own surprises, and the system notification
 * already has the sound the user chose for it. Per device, like the language: it names no one.
 */
const STORAGE_KEY = "talk.sound";

const stored = (): boolean => {
  try {
    return localStorage.getItem(STORAGE_KEY) === "on";
  } catch {
    return false;
  }
};

const [soundOn, setSound] = createSignal(stored());

export const setSoundOn = (on: boolean): void => {
  setSound(on);
  try {
    if (on) localStorage.setItem(STORAGE_KEY, "on");
    else localStorage.removeItem(STORAGE_KEY);
  } catch {
    // storage blocked: the choice lasts as long as the tab
  }
};

export { soundOn };

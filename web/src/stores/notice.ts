import { createSignal } from "solid-js";
import type { MessageKey } from "../i18n";

/** A one-off line for the chat list (why a room just closed), cleared when a room opens again. */
const [notice, setNotice] = createSignal<MessageKey | null>(null);

export { notice };
export const showNotice = (key: MessageKey): void => {
  setNotice(key);
};
export const clearNotice = (): void => {
  setNotice(null);
};

import { createSignal } from "solid-js";
import { en } from "./en";
import { formatMessage } from "./format";
import { type Catalogue, ko } from "./ko";

export type Lang = "ko" | "en";
export type MessageKey = keyof Catalogue;

const catalogues: Record<Lang, Catalogue> = { ko, en };
const STORAGE_KEY = "talk.lang";

const stored = (): Lang | null => {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return value === "ko" || value === "en" ? value : null;
  } catch {
    return null; // storage can be blocked (privacy mode); the browser's preference still works
  }
};

/** Korean only when the browser ranks Korean above English (or lists no English at all). */
const fromBrowser = (): Lang => {
  for (const tag of navigator.languages ?? [navigator.language]) {
    const base = tag.toLowerCase().split("-")[0];
    if (base === "ko") return "ko";
    if (base === "en") return "en";
  }
  return "en";
};

const [lang, setLangSignal] = createSignal<Lang>(stored() ?? fromBrowser());
document.documentElement.lang = lang();

export { lang };

export const setLang = (next: Lang): void => {
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // the choice still applies to this tab
  }
  document.documentElement.lang = next;
  setLangSignal(next);
};

/** Looks up a string in the current language; reactive, so call it inside JSX or effects. */
export const t = (key: MessageKey, vars?: Record<string, string | number>): string => formatMessage(lang(), catalogues[lang()][key], vars);

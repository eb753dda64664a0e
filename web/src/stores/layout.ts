import { createSignal } from "solid-js";

/**
 * From this width up the app is laid out like KakaoTalk for PC: the list on the left, the open room
 * on the right. The same width is in base.css.
 */
const WIDE = matchMedia("(min-width: 1024px)");
const [wide, setWide] = createSignal(WIDE.matches);
WIDE.addEventListener("change", (event) => setWide(event.matches));

export type ListName = "friends" | "chats";
/** The list beside an open room: the one last shown (a room opened from a link: the chats). */
const [lastList, setLastList] = createSignal<ListName>("chats");

export { lastList, setLastList, wide };

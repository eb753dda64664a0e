import { type RouteSectionProps, useLocation } from "@solidjs/router";
import { createEffect, onMount, Show } from "solid-js";
import { EmptyState } from "../components/EmptyState";
import { t } from "../i18n";
import { lastList, type ListName, setLastList, wide } from "../stores/layout";
import Chats from "./Chats";
import Friends from "./Friends";

/**
 * The signed-in screens. The lists are drawn here rather than by their routes, so on a wide screen
 * the list stays mounted (live, scrolled, focused) beside whichever room the URL opens; on a phone
 * one screen shows at a time, as before.
 */
export default function Shell(props: RouteSectionProps) {
  const location = useLocation();
  const section = () => location.pathname.split("/")[1];
  const roomOpen = () => section() === "rooms";
  const list = (): ListName => (roomOpen() ? lastList() : section() === "chats" ? "chats" : "friends");
  createEffect(() => {
    if (!roomOpen()) setLastList(list());
  });
  // The room's code is loaded apart from the lists (App.tsx): fetch it now, before a row is clicked.
  onMount(() => void import("./ChatRoom"));

  const List = () => (
    <Show when={list() === "friends"} fallback={<Chats />}>
      <Friends />
    </Show>
  );

  // The route's own element: the room, nothing on a list's URL, a redirect on "/".
  return (
    <Show
      when={wide()}
      fallback={
        <>
          <Show when={!roomOpen()}>
            <List />
          </Show>
          {props.children}
        </>
      }
    >
      <div class="panes">
        <div class="pane pane-list">
          <List />
        </div>
        <div class="pane pane-room">
          <Show when={!roomOpen()}>
            <NoRoom />
          </Show>
          {props.children}
        </div>
      </div>
    </Show>
  );
}

const NoRoom = () => (
  <div class="no-room">
    <img src="/favicon.svg" alt="" width="64" height="64" />
    <EmptyState title={t("noRoomOpen")} hint={t("noRoomOpenHint")} />
  </div>
);

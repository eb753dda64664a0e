import { A, useNavigate } from "@solidjs/router";
import { createEffect, createMemo, createSignal, For, lazy, Match, onCleanup, onMount, Show, Switch } from "solid-js";
import type { Message, Room } from "../../../worker/contract";
import { AvatarCollage } from "../components/AvatarCollage";
import { Badge } from "../components/Badge";
import { ConnectionBanner } from "../components/Banner";
import { EmptyState } from "../components/EmptyState";
import { ErrorRetry } from "../components/ErrorRetry";
import { NearEnd } from "../components/NearEnd";
import { onListKeyDown } from "../components/listNav";
import { createDialogState } from "../components/dialog-state";
import { MutedIcon, NewChatIcon, PinIcon } from "../components/Icons";
import { SkeletonRows } from "../components/Skeleton";
import { TabBar } from "../components/TabBar";
import { lang, t } from "../i18n";
import { collageOf, roomTitle } from "../lib/room-title";
import { systemLine } from "../lib/system-line";
import { formatListTime } from "../lib/time";
import { friendById, friendsState, loadFriends } from "../stores/friends";
import { clearNotice, notice } from "../stores/notice";
import { chatList, hasMoreRooms, loadMoreRooms, loadRooms, moreRoomsState, roomById, roomsState } from "../stores/rooms";
import { me } from "../stores/session";

/** Loaded when first opened: the first screen does not carry it. */
const NewChatDialog = lazy(() => import("./NewChatDialog"));

const firstLine = (body: string) => body.split("\n", 1)[0] ?? "";

/** A row's names: a friend's live rename first, else the name the row came with. */
const nameIn = (room: Room) => (id: string) => friendById(id)?.displayName ?? room.members.find((m) => m.id === id)?.displayName;

/** The row's preview: the first line of the last message, or what a system message says. */
const preview = (room: Room, message: Message | null) =>
  !message ? "" : message.kind === "system" ? systemLine(lang(), message.event, nameIn(room)) : firstLine(message.body);

export default function Chats() {
  const navigate = useNavigate();
  // "Today" and "yesterday" move at midnight; a coarse clock keeps the times honest.
  const [now, setNow] = createSignal(new Date());
  const clock = setInterval(() => setNow(new Date()), 60_000);
  onCleanup(() => clearInterval(clock));

  onMount(() => {
    if (roomsState() !== "ready") void loadRooms();
  });

  const chatIds = createMemo(() => chatList().map((room) => room.id), undefined, {
    equals: (a, b) => a.length === b.length && a.every((id, i) => id === b[i]),
  });

  const [endInView, setEndInView] = createSignal(false);
  createEffect(() => {
    if (endInView() && moreRoomsState() === "idle") void loadMoreRooms();
  });

  const picker = createDialogState();
  const openPicker = () => {
    if (friendsState() !== "ready") void loadFriends();
    picker.show();
  };
  const title = (room: Room) => roomTitle(room, me()?.id ?? "", (m) => nameIn(room)(m.id) ?? m.displayName) ?? t("noMembers");

  return (
    <div class="screen">
      <header class="topbar">
        <h1>{t("chatsTitle")}</h1>
        <div class="topbar-actions">
          <button type="button" class="icon-btn" aria-label={t("newChat")} aria-haspopup="dialog" onClick={openPicker}>
            <NewChatIcon />
          </button>
        </div>
      </header>
      <ConnectionBanner />
      <Show when={notice()}>
        {(key) => (
          <div class="notice" role="status">
            <span>{t(key())}</span>
            <button type="button" class="icon-btn" aria-label={t("close")} onClick={clearNotice}>
              <span aria-hidden="true">×</span>
            </button>
          </div>
        )}
      </Show>
      <main class="content">
        <Switch>
          <Match when={roomsState() === "error" && chatList().length === 0}>
            <ErrorRetry message={t("chatsLoadFailed")} onRetry={loadRooms} />
          </Match>
          <Match when={roomsState() !== "ready" && chatList().length === 0}>
            <SkeletonRows />
          </Match>
          <Match when={chatList().length === 0}>
            <EmptyState title={t("noChats")} hint={t("noChatsHint")} action={t("toFriends")} onAction={() => navigate("/friends")} />
          </Match>
          <Match when={true}>
            <ul class="list chat-list" aria-label={t("chatsTitle")} onKeyDown={onListKeyDown}>
              {/* Keyed by id: a room that changes keeps its row (and a keyboard focus on it). */}
              <For each={chatIds()}>
                {(id) => (
                  <Show when={roomById(id)}>
                    {(room) => (
                      <li>
                        <A href={`/rooms/${id}`} state={{ inApp: true }} class="row chat-row" data-row>
                          <AvatarCollage people={collageOf(room(), me()?.id ?? "")} />
                          <span class="row-main">
                            <span class="row-title-line">
                              <span class="row-title">{title(room())}</span>
                              <Show when={room().kind === "group"}>
                                <span class="row-count">
                                  <span aria-hidden="true">{room().memberCount}</span>
                                  <span class="sr-only">{t("memberCount", { n: room().memberCount })}</span>
                                </span>
                              </Show>
                              <Show when={room().muted}>
                                <span class="row-flag" role="img" aria-label={t("mutedLabel")} data-flag="muted">
                                  <MutedIcon />
                                </span>
                              </Show>
                              <Show when={room().pinnedAt}>
                                <span class="row-flag" role="img" aria-label={t("pinnedLabel")} data-flag="pinned">
                                  <PinIcon />
                                </span>
                              </Show>
                            </span>
                            <span class="row-sub preview">{preview(room(), room().lastMessage)}</span>
                          </span>
                          <span class="row-meta">
                            <time class="row-time" datetime={room().lastMessage?.sentAt}>
                              {room().lastMessage ? formatListTime(room().lastMessage!.sentAt, now(), lang()) : ""}
                            </time>
                            <Badge count={room().unreadCount} label={t("unreadLabel", { n: room().unreadCount })} />
                          </span>
                        </A>
                      </li>
                    )}
                  </Show>
                )}
              </For>
            </ul>
            <Show when={hasMoreRooms()}>
              <NearEnd onNear={setEndInView}>
                <Show when={moreRoomsState() === "error"} fallback={<SkeletonRows rows={2} />}>
                  <ErrorRetry message={t("chatsMoreFailed")} onRetry={loadMoreRooms} />
                </Show>
              </NearEnd>
            </Show>
          </Match>
        </Switch>
      </main>
      <TabBar />
      <Show when={picker.used()}>
        <NewChatDialog open={picker.open()} onClose={picker.hide} />
      </Show>
    </div>
  );
}

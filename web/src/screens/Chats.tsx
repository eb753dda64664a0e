import { A, useNavigate } from "@solidjs/router";
import { createEffect, createMemo, createSignal, For, Match, onCleanup, onMount, Show, Switch } from "solid-js";
import type { Room } from "../../../worker/contract";
import { Avatar } from "../components/Avatar";
import { Badge } from "../components/Badge";
import { ConnectionBanner } from "../components/Banner";
import { EmptyState } from "../components/EmptyState";
import { ErrorRetry } from "../components/ErrorRetry";
import { NearEnd } from "../components/NearEnd";
import { onListKeyDown } from "../components/listNav";
import { SkeletonRows } from "../components/Skeleton";
import { TabBar } from "../components/TabBar";
import { lang, t } from "../i18n";
import { formatListTime } from "../lib/time";
import { chatList, hasMoreRooms, loadMoreRooms, loadRooms, moreRoomsState, roomById, roomsState } from "../stores/rooms";
import { me } from "../stores/session";

const firstLine = (body: string) => body.split("\n", 1)[0] ?? "";

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

  const peer = (room: Room) => room.members.find((m) => m.id !== me()?.id) ?? room.members[0];

  return (
    <div class="screen">
      <header class="topbar">
        <h1>{t("chatsTitle")}</h1>
      </header>
      <ConnectionBanner />
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
                          <Avatar id={peer(room())?.id ?? id} name={peer(room())?.displayName ?? "?"} />
                          <span class="row-main">
                            <span class="row-title">{peer(room())?.displayName}</span>
                            <span class="row-sub preview">{firstLine(room().lastMessage?.body ?? "")}</span>
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
    </div>
  );
}

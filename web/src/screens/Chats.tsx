import { A } from "@solidjs/router";
import { createSignal, For, Match, onCleanup, onMount, Switch } from "solid-js";
import type { Room } from "../../../worker/contract";
import { Avatar } from "../components/Avatar";
import { Badge } from "../components/Badge";
import { EmptyState } from "../components/EmptyState";
import { ErrorRetry } from "../components/ErrorRetry";
import { SkeletonRows } from "../components/Skeleton";
import { TabBar } from "../components/TabBar";
import { lang, t } from "../i18n";
import { formatListTime } from "../lib/time";
import { chatList, loadRooms, roomsState } from "../stores/rooms";
import { me } from "../stores/session";

const firstLine = (body: string) => body.split("\n", 1)[0] ?? "";

export default function Chats() {
  // "Today" and "yesterday" move at midnight; a coarse clock keeps the times honest.
  const [now, setNow] = createSignal(new Date());
  const clock = setInterval(() => setNow(new Date()), 60_000);
  onCleanup(() => clearInterval(clock));

  onMount(() => {
    if (roomsState() !== "ready") void loadRooms();
  });

  const peer = (room: Room) => room.members.find((m) => m.id !== me()?.id) ?? room.members[0];

  return (
    <div class="screen">
      <header class="topbar">
        <h1>{t("chatsTitle")}</h1>
      </header>
      <main class="content">
        <Switch>
          <Match when={roomsState() === "error"}>
            <ErrorRetry onRetry={loadRooms} />
          </Match>
          <Match when={roomsState() !== "ready" && chatList().length === 0}>
            <SkeletonRows />
          </Match>
          <Match when={chatList().length === 0}>
            <EmptyState title={t("noChats")} hint={t("noChatsHint")} />
          </Match>
          <Match when={true}>
            <ul class="list chat-list" aria-label={t("chatsTitle")}>
              <For each={chatList()}>
                {(room) => (
                  <li>
                    <A href={`/rooms/${room.id}`} state={{ inApp: true }} class="row chat-row">
                      <Avatar id={peer(room)?.id ?? room.id} name={peer(room)?.displayName ?? "?"} />
                      <span class="row-main">
                        <span class="row-title">{peer(room)?.displayName}</span>
                        <span class="row-sub preview">{firstLine(room.lastMessage?.body ?? "")}</span>
                      </span>
                      <span class="row-meta">
                        <time class="row-time" datetime={room.lastMessage?.sentAt}>
                          {room.lastMessage ? formatListTime(room.lastMessage.sentAt, now(), lang()) : ""}
                        </time>
                        <Badge count={room.unreadCount} label={t("unreadLabel", { n: room.unreadCount })} />
                      </span>
                    </A>
                  </li>
                )}
              </For>
            </ul>
          </Match>
        </Switch>
      </main>
      <TabBar />
    </div>
  );
}

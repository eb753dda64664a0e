import { useLocation, useNavigate, useParams } from "@solidjs/router";
import { createEffect, createSignal, For, lazy, Match, on, onCleanup, onMount, Show, Switch } from "solid-js";
import { ConnectionBanner } from "../components/Banner";
import { Composer } from "../components/Composer";
import { EmptyState } from "../components/EmptyState";
import { ErrorRetry } from "../components/ErrorRetry";
import { BubbleSkeleton } from "../components/Skeleton";
import { createDialogState } from "../components/dialog-state";
import { BackIcon, CloseIcon, MenuIcon } from "../components/Icons";
import { t } from "../i18n";
import { lastList, wide } from "../stores/layout";
import { friendById, friendsState } from "../stores/friends";
import { createRoomSession } from "../stores/messages";
import { clearNotice, showNotice } from "../stores/notice";
import { me } from "../stores/session";
import { MessageRow } from "./MessageRow";
import { NotFriendBanner } from "./NotFriendBanner";
import { PendingRow } from "./PendingRow";

/** Loaded when first opened: opening a room does not wait for it. */
const RoomMenu = lazy(() => import("./RoomMenu"));
const BlockDialog = lazy(() => import("./BlockDialog"));

/** Within this many pixels of the end counts as "at the bottom" (sub-pixel rounding, a last line half hidden). */
const BOTTOM_SLACK_PX = 48;
const LOAD_OLDER_AT_PX = 200;

const Room = (props: { roomId: string; meId: string }) => {
  const navigate = useNavigate();
  const location = useLocation<{ inApp?: boolean }>();
  const session = createRoomSession(props.roomId, props.meId);
  const [newBelow, setNewBelow] = createSignal(false);
  const menu = createDialogState();
  const blockDialog = createDialogState();
  let scroller: HTMLDivElement | undefined;
  // A plain variable, not a signal: it must describe the view *before* the DOM changes.
  let atBottom = true;
  let stickAfterSend = false;

  const group = () => session.room.kind() === "group";
  // A 1:1 room's friend: their ID goes under the name (anyone can copy a display name).
  const peer = () => (group() ? undefined : session.room.others()[0]);
  const title = () => session.room.title() ?? t("noMembers");
  // Friendship is one way: the banner shows while the other member of a 1:1 room is not in my friends.
  const stranger = () => {
    const p = peer();
    return p && friendsState() === "ready" && !friendById(p.id) ? p : undefined;
  };
  // A blocked sender's messages arrive as placeholders (same seq, for gap-free sync): nothing to show.
  const shown = () => session.messages().filter((m) => !(m.kind === "text" && m.hidden));
  const openBlock = () => {
    menu.hide();
    blockDialog.show();
  };
  const logLabel = () => (group() ? t("conversationIn", { name: title() }) : t("conversationWith", { name: title() }));

  // Out of the room (left here, or no longer a member): back to the chat list, saying why if it wasn't us.
  createEffect(
    on(session.roomState, (state) => {
      if (state !== "left" && state !== "removed") return;
      menu.hide();
      if (state === "removed") showNotice("removedFromRoom");
      navigate("/chats", { replace: true });
    }),
  );
  onMount(clearNotice);

  const updateViewing = () => session.setViewing(atBottom && document.visibilityState === "visible");

  const scrollToBottom = () => {
    if (!scroller) return;
    scroller.scrollTop = scroller.scrollHeight;
    atBottom = true;
    setNewBelow(false);
    updateViewing();
  };

  const loadOlder = async (): Promise<void> => {
    if (!scroller) return;
    const fromBottom = scroller.scrollHeight - scroller.scrollTop;
    if (!(await session.loadOlder())) return;
    scroller.scrollTop = scroller.scrollHeight - fromBottom; // keep the same message in view
    // Too few messages to scroll means no scroll event will ever ask for the rest.
    if (scroller.scrollHeight <= scroller.clientHeight) await loadOlder();
  };

  const onScroll = () => {
    if (!scroller) return;
    atBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < BOTTOM_SLACK_PX;
    if (atBottom) setNewBelow(false);
    updateViewing();
    if (scroller.scrollTop < LOAD_OLDER_AT_PX) void loadOlder();
  };

  // Rows added at the end: follow the conversation only if the reader was already at its end.
  createEffect(
    on([() => session.messages().at(-1), () => session.outbox().length], ([last], previous) => {
      if (!scroller) return;
      if (atBottom || stickAfterSend) scrollToBottom();
      else if (last && last !== previous?.[0] && last.senderId !== props.meId) setNewBelow(true);
      stickAfterSend = false;
      if (scroller.scrollHeight <= scroller.clientHeight && session.hasMore()) void loadOlder();
    }),
  );

  // A growing composer or an on-screen keyboard shrinks the list: stay pinned to the newest message.
  const resize = new ResizeObserver(() => {
    if (atBottom && scroller) scroller.scrollTop = scroller.scrollHeight;
  });
  const attachScroller = (el: HTMLDivElement) => {
    scroller = el;
    resize.observe(el);
  };

  onMount(() => {
    document.addEventListener("visibilitychange", updateViewing);
    onCleanup(() => {
      document.removeEventListener("visibilitychange", updateViewing);
      resize.disconnect();
    });
    updateViewing();
  });

  // Opened from our own lists: going back returns there; opened from a link or a reload: to the chat list.
  // Beside the list (wide screens) the button closes the room instead: the list's own URL.
  const goBack = () => {
    if (wide()) navigate(`/${lastList()}`);
    else if (location.state?.inApp) history.back();
    else navigate("/chats", { replace: true });
  };

  const send = (body: string) => {
    stickAfterSend = true;
    session.send(body);
  };

  const showBanner = () => session.roomState() === "ready" && !session.ready() && (session.everReady() || session.status() === "closed");

  return (
    <div class="screen room">
      <header class="topbar room-topbar">
        <button type="button" class="icon-btn" aria-label={wide() ? t("closeRoom") : t("back")} onClick={goBack}>
          <Show when={wide()} fallback={<BackIcon />}>
            <CloseIcon />
          </Show>
        </button>
        <div class="room-heading">
          <h1 class="room-title">
            <span class="room-name">{title()}</span>
            <Show when={group()}>
              <span class="room-count">
                <span aria-hidden="true">{session.room.memberCount()}</span>
                <span class="sr-only">{t("memberCount", { n: session.room.memberCount() })}</span>
              </span>
            </Show>
          </h1>
          <Show when={peer()}>{(p) => <p class="room-handle">@{p().username}</p>}</Show>
        </div>
        <Show when={session.roomState() === "ready"}>
          <button type="button" class="icon-btn room-menu-btn" aria-label={t("roomMenu")} aria-haspopup="dialog" onClick={menu.show}>
            <MenuIcon />
          </button>
        </Show>
      </header>
      <Switch>
        <Match when={session.roomState() === "not_found"}>
          <main class="content">
            <ErrorRetry message={t("roomNotFound")} action={t("toChatList")} onRetry={() => navigate("/chats")} />
          </main>
        </Match>
        <Match when={session.roomState() === "error" || session.historyState() === "error"}>
          <main class="content">
            <ErrorRetry message={t("roomLoadFailed")} onRetry={() => void session.retryLoad()} />
          </main>
        </Match>
        <Match when={true}>
          <div class="room-body">
            <ConnectionBanner down={showBanner()} offlineHint={t("offlineSendHint")} />
            <Show when={stranger()}>{(p) => <NotFriendBanner user={p()} onBlock={openBlock} />}</Show>
            <div
              class="messages"
              ref={attachScroller}
              onScroll={onScroll}
              role="log"
              aria-live="polite"
              aria-relevant="additions"
              aria-label={logLabel()}
              aria-busy={session.historyState() === "loading"}
              tabindex="0"
            >
              <Show when={session.loadingOlder()}>
                <p class="older-loading">{t("loadingOlder")}</p>
              </Show>
              <Show when={session.historyState() === "loading"}>
                <BubbleSkeleton />
              </Show>
              <Show when={session.historyState() === "ready" && shown().length === 0 && session.outbox().length === 0}>
                <EmptyState title={title()} hint={t("emptyRoom")} />
              </Show>
              <For each={shown()}>
                {(message, index) => (
                  <MessageRow
                    message={message}
                    prev={shown()[index() - 1]}
                    next={shown()[index() + 1]}
                    meId={props.meId}
                    room={session.room}
                  />
                )}
              </For>
              <For each={session.outbox()}>
                {(entry) => (
                  <PendingRow entry={entry} onRetry={() => session.retry(entry.clientId)} onDiscard={() => session.discard(entry.clientId)} />
                )}
              </For>
            </div>
            <Show when={newBelow()}>
              <button type="button" class="new-below" onClick={scrollToBottom}>
                {t("newMessages")} <span aria-hidden="true">↓</span>
              </button>
            </Show>
          </div>
          <Composer onSend={send} autofocus />
        </Match>
      </Switch>
      <Show when={menu.used()}>
        <RoomMenu
          open={menu.open()}
          onClose={menu.hide}
          meId={props.meId}
          roomId={props.roomId}
          room={session.room}
          invite={session.invite}
          rename={session.rename}
          leave={session.leave}
          onBlock={openBlock}
        />
      </Show>
      <Show when={blockDialog.used() && peer()}>
        {(p) => (
          <BlockDialog open={blockDialog.open()} user={p()} onClose={blockDialog.hide} onBlocked={() => navigate("/chats", { replace: true })} />
        )}
      </Show>
    </div>
  );
};

export default function ChatRoom() {
  const params = useParams<{ id: string }>();
  return (
    <Show when={me()}>
      {(user) => (
        <Show when={params.id} keyed>
          {(id) => <Room roomId={id} meId={user().id} />}
        </Show>
      )}
    </Show>
  );
}

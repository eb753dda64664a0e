import { useNavigate } from "@solidjs/router";
import { createMemo, createSignal, For, lazy, Match, onMount, Show, Switch } from "solid-js";
import type { Friend, User } from "../../../worker/contract";
import { api } from "../api/endpoints";
import { Avatar } from "../components/Avatar";
import { ConnectionBanner } from "../components/Banner";
import { EmptyState } from "../components/EmptyState";
import { ErrorRetry } from "../components/ErrorRetry";
import { AddPersonIcon, GearIcon, StarIcon } from "../components/Icons";
import { onListKeyDown } from "../components/listNav";
import { SkeletonRows } from "../components/Skeleton";
import { TabBar } from "../components/TabBar";
import { t } from "../i18n";
import { searchFriends } from "../lib/friend-search";
import { friends, friendsState, loadFriends, setFavorite } from "../stores/friends";
import { upsertRoom } from "../stores/rooms";
import { me } from "../stores/session";
import { createDialogState } from "../components/dialog-state";

// Loaded when first opened: the first screen does not carry them.
const AddFriendDialog = lazy(() => import("./AddFriendDialog"));
const SettingsSheet = lazy(() => import("./SettingsSheet"));

export default function Friends() {
  const navigate = useNavigate();
  const adding = createDialogState();
  const settings = createDialogState();
  const [opening, setOpening] = createSignal<string | null>(null);
  const [openError, setOpenError] = createSignal(false);
  const [favoriteError, setFavoriteError] = createSignal(false);
  const [query, setQuery] = createSignal("");
  const shown = createMemo(() => searchFriends(friends(), query()));
  const favorites = createMemo(() => shown().filter((f) => f.favorite));
  const others = createMemo(() => shown().filter((f) => !f.favorite));

  const toggleFavorite = async (friend: Friend) => {
    setFavoriteError(false);
    try {
      await setFavorite(friend.id, !friend.favorite);
    } catch {
      setFavoriteError(true);
    }
  };

  /** One friend: the row opens the 1:1 chat; the star beside it, a checkbox, marks 즐겨찾기 (Tab reaches it after the row). */
  const friendRow = (friend: Friend) => (
    <li class="friend-item">
      <button type="button" class="row row-button" data-row aria-busy={opening() === friend.id} onClick={() => openChat(friend)}>
        <Avatar id={friend.id} name={friend.displayName} />
        <span class="row-main">
          <span class="row-title">{friend.displayName}</span>
          <span class="row-sub">@{friend.username}</span>
        </span>
      </button>
      <label class="icon-btn favorite-btn" classList={{ on: friend.favorite }}>
        <input
          type="checkbox"
          class="sr-only"
          checked={friend.favorite}
          aria-label={t("favoriteOf", { name: friend.displayName })}
          onChange={() => void toggleFavorite(friend)}
        />
        <StarIcon />
      </label>
    </li>
  );

  onMount(() => {
    if (friendsState() !== "ready") void loadFriends();
  });

  const openChat = async (friend: User) => {
    if (opening()) return;
    setOpening(friend.id);
    setOpenError(false);
    try {
      const room = await api.openDirect(friend.id);
      upsertRoom(room);
      navigate(`/rooms/${room.id}`, { state: { inApp: true } });
    } catch {
      setOpenError(true);
    } finally {
      setOpening(null);
    }
  };

  return (
    <div class="screen">
      <header class="topbar">
        <h1>{t("friendsTitle")}</h1>
        <div class="topbar-actions">
          <button type="button" class="icon-btn" aria-label={t("addFriend")} onClick={() => adding.show()}>
            <AddPersonIcon />
          </button>
          <button type="button" class="icon-btn" aria-label={t("settings")} onClick={() => settings.show()}>
            <GearIcon />
          </button>
        </div>
      </header>
      <ConnectionBanner />
      <main class="content">
        {/* Above my profile, as KakaoTalk's search sits at the top: Tab goes from my profile straight to the list. */}
        <Show when={friends().length > 0}>
          <div class="friend-search">
            <label class="sr-only" for="friend-search">
              {t("searchFriends")}
            </label>
            <input
              id="friend-search"
              type="search"
              placeholder={t("searchFriends")}
              autocomplete="off"
              value={query()}
              onInput={(e) => setQuery(e.currentTarget.value)}
            />
          </div>
        </Show>
        <Show when={me()}>
          {(user) => (
            <section class="profile" aria-label={t("myProfile")}>
              <button type="button" class="row profile-row" onClick={() => settings.show()}>
                <Avatar id={user().id} name={user().displayName} size="lg" />
                <span class="row-main">
                  <span class="profile-name">{user().displayName}</span>
                  <span class="row-sub">@{user().username}</span>
                </span>
                <span class="sr-only">{t("editProfile")}</span>
              </button>
            </section>
          )}
        </Show>
        <Show when={openError()}>
          <p class="form-error" role="alert">
            {t("openChatFailed")}
          </p>
        </Show>
        <Show when={favoriteError()}>
          <p class="form-error" role="alert">
            {t("favoriteFailed")}
          </p>
        </Show>
        <Show when={favorites().length > 0}>
          <h2 class="section-title" id="favorites-heading">
            {t("favoritesHeading", { n: favorites().length })}
          </h2>
          <ul class="list" aria-labelledby="favorites-heading" onKeyDown={onListKeyDown}>
            <For each={favorites()}>{friendRow}</For>
          </ul>
        </Show>
        <h2 class="section-title" id="friends-heading">
          {t("friendsCount", { n: friends().length })}
        </h2>
        <Switch>
          <Match when={friendsState() === "error" && friends().length === 0}>
            <ErrorRetry message={t("friendsLoadFailed")} onRetry={loadFriends} />
          </Match>
          <Match when={friendsState() !== "ready" && friends().length === 0}>
            <SkeletonRows rows={4} />
          </Match>
          <Match when={friends().length === 0}>
            <EmptyState title={t("noFriends")} hint={t("noFriendsHint")} action={t("addFriend")} onAction={() => adding.show()} />
          </Match>
          <Match when={true}>
            <Show when={shown().length > 0} fallback={<p class="checklist-empty">{t("noFriendsMatch")}</p>}>
              <ul class="list" aria-labelledby="friends-heading" onKeyDown={onListKeyDown}>
                <For each={others()}>{friendRow}</For>
              </ul>
            </Show>
          </Match>
        </Switch>
      </main>
      <TabBar />
      <Show when={adding.used()}>
        <AddFriendDialog open={adding.open()} onClose={adding.hide} />
      </Show>
      <Show when={settings.used()}>
        <SettingsSheet open={settings.open()} onClose={settings.hide} />
      </Show>
    </div>
  );
}

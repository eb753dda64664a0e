import { Navigate, Route, Router, type RouteSectionProps, useNavigate } from "@solidjs/router";
import { createEffect, lazy, Match, onCleanup, Show, Switch } from "solid-js";
import { onServiceWorkerOpen } from "./lib/sw-open";
import { badgeText } from "./lib/unread";
import { ErrorRetry } from "./components/ErrorRetry";
import { t } from "./i18n";
import Login from "./screens/Login";
import Shell from "./screens/Shell";
import { startEvents } from "./stores/events";
import { startOutboxDrain } from "./stores/outbox-drain";
import { totalUnread } from "./stores/rooms";
import { bootError, loadSession, me } from "./stores/session";

/**
 * The room (and the pickers and menus it opens) is loaded apart from the lists: the first screen's
 * download stays under its budget (bench), and the lists prefetch it as soon as they show.
 */
const ChatRoom = lazy(() => import("./screens/ChatRoom"));

/** Waits for the first `GET /api/me`, so no screen flashes before we know who is here. */
const Root = (props: RouteSectionProps) => {
  const navigate = useNavigate();
  // A notification clicked while this tab is open: the service worker asks it to show the room.
  onCleanup(onServiceWorkerOpen((path) => navigate(path)));
  createEffect(() => {
    const unread = totalUnread();
    document.title = unread > 0 ? `(${badgeText(unread)}) ${t("appName")}` : t("appName");
  });
  createEffect(() => {
    const user = me();
    if (!user) return;
    startEvents();
    startOutboxDrain(user.id);
    // Loaded apart: only devices with notifications on have anything to renew.
    void import("./lib/push").then((push) => push.renewPushSubscription()).catch(() => {});
  });
  return (
    <div class="app">
      <Switch>
        <Match when={bootError()}>
          <ErrorRetry message={t("errorNetwork")} onRetry={loadSession} />
        </Match>
        <Match when={me() === undefined}>
          <div class="splash" aria-busy="true" aria-label={t("loading")} />
        </Match>
        <Match when={true}>{props.children}</Match>
      </Switch>
    </div>
  );
};

const RequireAuth = (props: RouteSectionProps) => (
  <Show when={me()} fallback={<Navigate href="/login" />}>
    <Shell {...props} />
  </Show>
);

/** The Shell draws the friends and chats lists itself (so they can stay beside an open room). */
const ListRoute = () => null;

const GuestOnly = () => (
  <Show when={!me()} fallback={<Navigate href="/friends" />}>
    <Login />
  </Show>
);

export const App = () => {
  void loadSession();
  return (
    <Router root={Root}>
      <Route path="/login" component={GuestOnly} />
      <Route path="/" component={RequireAuth}>
        <Route path="/" component={() => <Navigate href="/friends" />} />
        <Route path="/friends" component={ListRoute} />
        <Route path="/chats" component={ListRoute} />
        <Route path="/rooms/:id" component={ChatRoom} />
      </Route>
      <Route path="*" component={() => <Navigate href="/friends" />} />
    </Router>
  );
};

// Talk's service worker: shows Web Push messages as notifications and opens their room when one
// is clicked. Installed only when the user turns notifications on (web/src/lib/push.ts); nothing is
// cached, and the app works as before without it. Payload (worker/contract/push.ts
// PushPayload): { roomId, title, body, url, tag, seq }.

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

/**
 * One notification per room (tag); renotify so a newer message in that room still alerts. An open
 * tab may have shown this message (or a newer one) already (web/src/lib/alert-output.ts): that
 * notification is shown again as it is, silently, since a push must always show one.
 */
async function showPush(payload) {
  const [shown] = (await self.registration.getNotifications({ tag: payload.tag })).filter((n) => (n.data?.seq ?? 0) >= payload.seq);
  if (shown) return self.registration.showNotification(shown.title, { body: shown.body, tag: shown.tag, renotify: false, icon: "/icon.svg", data: shown.data });
  return self.registration.showNotification(payload.title, {
    body: payload.body,
    tag: payload.tag,
    renotify: true,
    icon: "/icon.svg",
    data: { url: payload.url, seq: payload.seq },
  });
}

self.addEventListener("push", (event) => {
  const payload = event.data ? event.data.json() : null;
  if (!payload) return;
  event.waitUntil(showPush(payload));
});

/**
 * Brings the room at `url` (a path of this site) to the front: a tab already on it is focused, any
 * other tab of the app is asked to route there (no reload: its sockets stay), else a window opens.
 */
async function openRoom(url) {
  const target = new URL(url, self.location.origin);
  if (target.origin !== self.location.origin) return;
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const same = windows.find((client) => new URL(client.url).pathname === target.pathname);
  if (same) return same.focus();
  const other = windows[0];
  if (other) {
    other.postMessage({ type: "open", path: target.pathname });
    return other.focus();
  }
  return self.clients.openWindow(target.href);
}

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(openRoom(event.notification.data?.url ?? "/chats"));
});

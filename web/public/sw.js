// Talk's service worker: shows Web Push messages as notifications and opens their room when one
// is clicked. Installed only when the user turns notifications on (web/src/lib/push.ts); nothing is
// cached, and the app works as before without it. Payload (worker/contract/push.ts
// PushPayload): { roomId, title, body, url, tag }.

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("push", (event) => {
  const payload = event.data ? event.data.json() : null;
  if (!payload) return;
  // One notification per room (tag); renotify so a newer message in that room still alerts.
  event.waitUntil(
    self.registration.showNotification(payload.title, {
      body: payload.body,
      tag: payload.tag,
      renotify: true,
      icon: "/icon.svg",
      data: { url: payload.url },
    }),
  );
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

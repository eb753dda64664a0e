// Apart from push.ts: every tab listens (the first load), only the settings sheet subscribes. Paths
// only (one leading slash): the app never routes a tab off this site.

/** Routes to a room when the service worker asks (a notification clicked while this tab is open). */
export const onServiceWorkerOpen = (go: (path: string) => void): (() => void) => {
  if (!("serviceWorker" in navigator)) return () => {};
  const listener = (event: MessageEvent) => {
    const data = event.data as { type?: string; path?: unknown } | null;
    if (data?.type === "open" && typeof data.path === "string" && /^\/(?!\/)/.test(data.path)) go(data.path);
  };
  navigator.serviceWorker.addEventListener("message", listener);
  return () => navigator.serviceWorker.removeEventListener("message", listener);
};

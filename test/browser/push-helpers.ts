import type { BrowserContext, Page } from "@playwright/test";

/** A notification as the service worker's registration lists it. */
export interface Shown {
  title: string;
  body: string;
  tag: string;
  url: unknown;
}

/** The notifications the service worker has on screen, as the page's registration lists them. */
export const shownNotifications = (page: Page): Promise<Shown[]> =>
  page.evaluate(async () =>
    (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => ({ title: n.title, body: n.body, tag: n.tag, url: (n.data as { url?: unknown } | null)?.url })),
  );

/** Installs the app's service worker, as turning notifications on does (no one else gets one). */
export const installServiceWorker = (page: Page): Promise<void> =>
  page.evaluate(async () => {
    await navigator.serviceWorker.register("/sw.js");
    await navigator.serviceWorker.ready;
  });

/**
 * Delivers a payload to the app's service worker as a push message, through the DevTools protocol
 * (ServiceWorker.deliverPushMessage runs the worker's `push` handler as a real push would).
 */
export const pushDelivery = async (context: BrowserContext, page: Page) => {
  const origin = new URL(page.url()).origin;
  const cdp = await context.newCDPSession(page);
  const registrationId = new Promise<string>((resolve) =>
    cdp.on("ServiceWorker.workerRegistrationUpdated", ({ registrations }) => {
      const found = registrations.find((r) => r.scopeURL === `${origin}/` && !r.isDeleted);
      if (found) resolve(found.registrationId);
    }),
  );
  await cdp.send("ServiceWorker.enable");
  const id = await registrationId;
  return (payload: object) => cdp.send("ServiceWorker.deliverPushMessage", { origin, registrationId: id, data: JSON.stringify(payload) });
};

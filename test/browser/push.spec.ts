import { expect, test } from "@playwright/test";
import { addFriend, newPerson, openChatWith } from "./helpers";
import { installServiceWorker, pushDelivery, shownNotifications } from "./push-helpers";

/**
 * The service worker's side of Web Push. Headless Chromium cannot reach a push service, so the
 * messages come through the DevTools protocol (ServiceWorker.deliverPushMessage runs the worker's
 * `push` handler as a real push would) and subscribing is faked in the page (pushManager.subscribe
 * answers a made-up FCM subscription with real keys, which the server then stores).
 */

test("a pushed message shows as a notification grouped per room, and clicking it routes the open tab to that room", async ({ browser }) => {
  const a = await newPerson(browser, "pusha", "푸시 받는 사람");
  const b = await newPerson(browser, "pushb", "민지");
  await addFriend(a.page, b.username, "민지님을 친구로 추가했습니다.");
  const roomId = await openChatWith(a.page, "민지");
  await a.context.grantPermissions(["notifications"]);
  await a.page.goto("/chats");
  await installServiceWorker(a.page);
  const deliver = await pushDelivery(a.context, a.page);

  let seq = 0;
  const message = (body: string, room = roomId) => ({ roomId: room, title: "민지", body, url: `/rooms/${room}`, tag: room, seq: ++seq });
  await deliver(message("내일 몇 시에 볼까?"));
  await expect.poll(() => shownNotifications(a.page)).toEqual([{ title: "민지", body: "내일 몇 시에 볼까?", tag: roomId, url: `/rooms/${roomId}` }]);

  // The same room again replaces its notification; another room gets its own.
  await deliver(message("7시 어때?"));
  await expect.poll(() => shownNotifications(a.page)).toEqual([{ title: "민지", body: "7시 어때?", tag: roomId, url: `/rooms/${roomId}` }]);
  await deliver({ ...message("다른 방", "other-room"), title: "저녁팟" });
  await expect.poll(async () => (await shownNotifications(a.page)).map((n) => n.tag).sort()).toEqual([roomId, "other-room"].sort());

  // A system notification cannot be clicked headless, so the click handler's routing (openRoom in
  // sw.js) runs in the worker directly. Focusing a window needs the click's user activation, which
  // an evaluated call lacks: only the routing is checked here.
  const worker = a.context.serviceWorkers().find((w) => w.url().endsWith("/sw.js"))!;
  expect(a.page.url()).toMatch(/\/chats$/);
  await worker.evaluate((url) => (self as unknown as { openRoom: (url: string) => Promise<unknown> }).openRoom(url).catch(() => {}), `/rooms/${roomId}`);
  await expect(a.page).toHaveURL(new RegExp(`/rooms/${roomId}$`));
  await expect(a.page.getByRole("heading", { level: 1 })).toHaveText("민지");
  await a.context.close();
  await b.context.close();
});

test("the notifications switch asks for permission only when pressed, registers this device (again at each start) and unregisters it", async ({ browser }) => {
  const a = await newPerson(browser, "pushsw", "알림 켜는 사람");
  // Count permission prompts, and fake the push service's subscription (with a real P-256 key).
  await a.context.addInitScript(() => {
    const w = window as unknown as { permissionAsks: number; unsubscribed: boolean };
    w.permissionAsks = 0;
    w.unsubscribed = false;
    const ask = Notification.requestPermission.bind(Notification);
    Notification.requestPermission = () => {
      w.permissionAsks++;
      return ask();
    };
    const b64url = (bytes: ArrayBuffer) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
    // Kept in sessionStorage, as a real one outlives a reload.
    const saved = (): PushSubscription | null => {
      const json = sessionStorage.getItem("fakePush");
      if (!json) return null;
      const parsed = JSON.parse(json) as { endpoint: string };
      const unsubscribe = async () => {
        sessionStorage.removeItem("fakePush");
        w.unsubscribed = true;
        return true;
      };
      return { endpoint: parsed.endpoint, toJSON: () => parsed, unsubscribe } as unknown as PushSubscription;
    };
    PushManager.prototype.getSubscription = async () => saved();
    PushManager.prototype.subscribe = async () => {
      const pair = (await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"])) as CryptoKeyPair;
      const json = {
        endpoint: `https://fcm.googleapis.com/fcm/send/${crypto.randomUUID()}`,
        keys: { p256dh: b64url(await crypto.subtle.exportKey("raw", pair.publicKey)), auth: b64url(crypto.getRandomValues(new Uint8Array(16)).buffer) },
      };
      sessionStorage.setItem("fakePush", JSON.stringify(json));
      return saved()!;
    };
  });
  await a.page.reload();
  await a.page.getByRole("button", { name: "설정" }).click();
  const settings = a.page.getByRole("dialog", { name: "설정" });
  const toggle = settings.getByRole("switch", { name: "알림 받기" });
  await expect(toggle).not.toBeChecked();
  await expect(toggle).toBeEnabled();
  expect(await a.page.evaluate(() => (window as unknown as { permissionAsks: number }).permissionAsks)).toBe(0);

  await a.context.grantPermissions(["notifications"]);
  const subscribed = a.page.waitForResponse((r) => r.url().endsWith("/api/push/subscriptions") && r.request().method() === "POST");
  await toggle.click();
  expect((await subscribed).status()).toBe(204);
  expect(await a.page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.active?.scriptURL)).toMatch(/\/sw\.js$/);
  const sent = (await subscribed).request().postDataJSON() as { endpoint: string; keys: { p256dh: string; auth: string } };
  expect(sent.endpoint).toMatch(/^https:\/\/fcm\.googleapis\.com\/fcm\/send\//);
  expect(Object.keys(sent.keys).sort()).toEqual(["auth", "p256dh"]);
  await expect(toggle).toBeChecked();
  await expect(settings.getByText("이 기기로 새 메시지 알림을 보냅니다.")).toBeVisible();
  expect(await a.page.evaluate(() => (window as unknown as { permissionAsks: number }).permissionAsks)).toBe(1);

  // The next start of the app registers the device again, for whoever is logged in then.
  const renewed = a.page.waitForResponse((r) => r.url().endsWith("/api/push/subscriptions") && r.request().method() === "POST");
  await a.page.reload();
  expect((await renewed).status()).toBe(204);
  expect((await renewed).request().postDataJSON()).toEqual(sent);
  await a.page.getByRole("button", { name: "설정" }).click();
  await expect(toggle).toBeChecked();

  const unsubscribed = a.page.waitForResponse((r) => r.url().endsWith("/api/push/subscriptions") && r.request().method() === "DELETE");
  await toggle.click();
  expect((await unsubscribed).status()).toBe(204);
  expect((await unsubscribed).request().postDataJSON()).toEqual({ endpoint: sent.endpoint });
  await expect(toggle).not.toBeChecked();
  expect(await a.page.evaluate(() => (window as unknown as { unsubscribed: boolean }).unsubscribed)).toBe(true);
  await a.context.close();
});

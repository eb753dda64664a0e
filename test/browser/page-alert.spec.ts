import { expect, type Page, test } from "@playwright/test";
import { tabLink } from "./helpers";
import { installServiceWorker, pushDelivery, shownNotifications } from "./push-helpers";
import { apiUser, roomWithFriend, sendAs } from "./seed";

/**
 * The tab that is open but not looked at (web/src/lib/message-alert.ts, alert-output.ts). A headless
 * page is always visible and focused, so the page's view of itself is overridden by an init script:
 * `document.visibilityState` / `document.hidden` (getters on Document.prototype) and
 * `document.hasFocus()` read `window.attention`, which the test sets; the app reads them when a
 * message arrives, so no `visibilitychange` event is needed. Oscillator starts count the chimes.
 * This device has notifications on: permission granted, a push subscription faked in the page (its
 * registration with the server answered 204 here, so the server never pushes to a made-up endpoint).
 */

interface Attention {
  visible: boolean;
  focused: boolean;
}

const setAttention = (page: Page, attention: Attention) =>
  page.evaluate((a) => {
    (window as unknown as { attention: Attention }).attention = a;
  }, attention);

const chimes = (page: Page) => page.evaluate(() => (window as unknown as { chimes: number }).chimes);

test("a tab not looked at shows a notification and chimes for a new message, never for what is on screen; a late push does not undo it", async ({ browser }) => {
  const me = await apiUser(browser, "alertme", "알림 받는 사람");
  const minji = await apiUser(browser, "alertminji", "민지");
  const jun = await apiUser(browser, "alertjun", "준");
  const minjiRoom = await roomWithFriend(me, minji);
  const junRoom = await roomWithFriend(me, jun);

  await me.context.grantPermissions(["notifications"]);
  await me.context.route("**/api/push/subscriptions", (route) => route.fulfill({ status: 204 }));
  await me.context.addInitScript(() => {
    const w = window as unknown as { attention: Attention; chimes: number };
    w.attention = { visible: true, focused: true };
    w.chimes = 0;
    Object.defineProperty(Document.prototype, "visibilityState", { configurable: true, get: () => (w.attention.visible ? "visible" : "hidden") });
    Object.defineProperty(Document.prototype, "hidden", { configurable: true, get: () => !w.attention.visible });
    Document.prototype.hasFocus = () => w.attention.focused;
    const start = OscillatorNode.prototype.start;
    OscillatorNode.prototype.start = function (...args: Parameters<OscillatorNode["start"]>) {
      w.chimes++;
      return start.apply(this, args);
    };
    const endpoint = "https://fcm.googleapis.com/fcm/send/page-alert";
    const subscription = { endpoint, toJSON: () => ({ endpoint, keys: { p256dh: "p", auth: "a" } }) };
    PushManager.prototype.getSubscription = async () => subscription as unknown as PushSubscription;
  });
  const page = await me.context.newPage();
  const listLoaded = page.waitForResponse((r) => new URL(r.url()).pathname === "/api/rooms" && r.ok());
  await page.goto("/friends");
  await listLoaded;
  await installServiceWorker(page);

  // The sound is off until turned on (설정 → 알림음).
  await page.getByRole("button", { name: "설정" }).click();
  const settings = page.getByRole("dialog", { name: "설정" });
  const sound = settings.getByRole("switch", { name: "알림음" });
  await expect(sound).not.toBeChecked();
  await sound.check();
  await page.keyboard.press("Escape");
  await expect(settings).toBeHidden();
  await tabLink(page, "채팅").click();

  // In front and focused: the list shows it, nothing more.
  await sendAs(minji, minjiRoom, ["보고 있지?"]);
  await expect(page.getByText("보고 있지?")).toBeVisible();
  // Hidden: a notification titled by the sender, grouped by room, and a chime.
  await setAttention(page, { visible: false, focused: false });
  await sendAs(jun, junRoom, ["자니?"]);
  await expect.poll(() => shownNotifications(page)).toEqual([{ title: "준", body: "자니?", tag: junRoom, url: `/rooms/${junRoom}` }]);
  // Frames arrive in order and each alert chimes first: the focused tab's message made none.
  expect(await chimes(page)).toBe(1);

  // Visible beside another window (not focused), with 민지's room open: her message is on screen,
  // 준's is not.
  await setAttention(page, { visible: true, focused: true });
  const reloaded = page.waitForResponse((r) => new URL(r.url()).pathname === "/api/rooms" && r.ok());
  await page.goto(`/rooms/${minjiRoom}`);
  await reloaded;
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("민지");
  await setAttention(page, { visible: true, focused: false });
  await sendAs(minji, minjiRoom, ["여기 보고 있지?"]);
  await expect(page.locator(".msg[data-seq] .bubble").getByText("여기 보고 있지?")).toBeVisible();
  await sendAs(jun, junRoom, ["또 자니?"]);
  await expect.poll(() => shownNotifications(page)).toEqual([{ title: "준", body: "또 자니?", tag: junRoom, url: `/rooms/${junRoom}` }]);
  expect(await chimes(page)).toBe(1);

  // The push for an older message of that room arriving late leaves the newer notification as it is.
  const deliver = await pushDelivery(me.context, page);
  await deliver({ roomId: junRoom, title: "준", body: "자니?", url: `/rooms/${junRoom}`, tag: junRoom, seq: 1 });
  await deliver({ roomId: minjiRoom, title: "민지", body: "나중에 봐", url: `/rooms/${minjiRoom}`, tag: minjiRoom, seq: 9 });
  await expect.poll(async () => (await shownNotifications(page)).map((n) => n.body).sort()).toEqual(["나중에 봐", "또 자니?"]);

  for (const person of [me, minji, jun]) await person.context.close();
});

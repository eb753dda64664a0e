import { createSignal, onMount, Show } from "solid-js";
import { type MessageKey, t } from "../i18n";
import { type PushState, readPushState, turnPushOff, turnPushOn } from "../lib/push";

const hints: Record<PushState | "failed", MessageKey | null> = {
  on: "notificationsOnHint",
  off: null,
  unsupported: "notificationsUnsupported",
  unavailable: "notificationsUnavailable",
  denied: "notificationsDenied",
  failed: "notificationsFailed",
};

/**
 * The settings switch for this device's push notifications. The browser's permission prompt comes
 * only from pressing it, never on its own.
 */
export default function NotificationSetting() {
  const [state, setState] = createSignal<PushState | "failed" | null>(null);
  const [busy, setBusy] = createSignal(false);
  onMount(() => void readPushState().then(setState));

  const toggle = async (input: HTMLInputElement) => {
    setBusy(true);
    try {
      setState(await (input.checked ? turnPushOn() : turnPushOff()));
    } catch {
      setState("failed");
    } finally {
      setBusy(false);
      // A dismissed prompt leaves the state as it was, so the binding would not put the box back.
      input.checked = state() === "on";
    }
  };

  const hint = () => {
    const s = state();
    return s === null ? null : hints[s];
  };

  return (
    <div class="settings-section">
      <label class="toggle-row">
        <span class="settings-label">{t("notificationsToggle")}</span>
        <input
          type="checkbox"
          role="switch"
          aria-describedby="notifications-hint"
          checked={state() === "on"}
          disabled={busy() || state() === null || state() === "unsupported"}
          onChange={(e) => void toggle(e.currentTarget)}
        />
      </label>
      <p id="notifications-hint" class="dialog-result" classList={{ bad: state() === "failed" || state() === "denied" }} aria-live="polite">
        <Show when={hint()}>{(key) => t(key())}</Show>
      </p>
    </div>
  );
}

import { useNavigate } from "@solidjs/router";
import { createSignal, For, Show } from "solid-js";
import { codePoints, LIMITS } from "../../../worker/contract/limits";
import { isCleanName } from "../../../worker/contract/visible-text";
import { HttpError } from "../api/client";
import { api } from "../api/endpoints";
import { Dialog } from "../components/Dialog";
import { type Lang, lang, type MessageKey, setLang, t } from "../i18n";
import { turnPushOff } from "../lib/push";
import { setSoundOn, soundOn } from "../stores/alert-sound";
import { logOut, me, updateMe } from "../stores/session";
import BlockedList from "./BlockedList";
import NotificationSetting from "./NotificationSetting";

const languages: { value: Lang; key: MessageKey }[] = [
  { value: "ko", key: "languageKo" },
  { value: "en", key: "languageEn" },
];

export default function SettingsSheet(props: { open: boolean; onClose: () => void }) {
  const navigate = useNavigate();
  const [status, setStatus] = createSignal<{ ok: boolean; key: MessageKey } | null>(null);
  const [busy, setBusy] = createSignal(false);

  const saveName = async (event: SubmitEvent) => {
    event.preventDefault();
    const input = (event.currentTarget as HTMLFormElement).elements.namedItem("displayName") as HTMLInputElement;
    const name = input.value.trim();
    if (codePoints(name) < 1 || codePoints(name) > LIMITS.displayNameMax) return setStatus({ ok: false, key: "displayNameHint" });
    if (!isCleanName(name)) return setStatus({ ok: false, key: "displayNameInvisible" });
    setBusy(true);
    try {
      updateMe(await api.updateMe(name));
      setStatus({ ok: true, key: "nameSaved" });
    } catch (err) {
      const code = err instanceof HttpError ? err.code : "";
      setStatus({ ok: false, key: code === "invalid" ? "displayNameHint" : code === "network" ? "errorNetwork" : "errorGeneric" });
    } finally {
      setBusy(false);
    }
  };

  const doLogOut = async () => {
    // While still logged in (the DELETE needs the session): the next account on this device starts with notifications off.
    await turnPushOff().catch(() => {});
    await logOut().catch(() => {});
    navigate("/login", { replace: true });
  };

  const close = () => {
    setStatus(null);
    props.onClose();
  };

  return (
    <Dialog open={props.open} onClose={close} title={t("settingsTitle")} sheet>
      <form class="settings-section" onSubmit={saveName}>
        <label for="settings-name" class="settings-label">
          {t("changeName")}
        </label>
        <div class="inline-form">
          <input id="settings-name" name="displayName" value={me()?.displayName ?? ""} maxLength={60} autocomplete="nickname" />
          <button type="submit" class="btn btn-primary" disabled={busy()}>
            {t("save")}
          </button>
        </div>
        <p class="dialog-result" classList={{ ok: status()?.ok === true, bad: status()?.ok === false }} role="status" aria-live="polite">
          <Show when={status()}>{(s) => t(s().key)}</Show>
        </p>
      </form>
      <fieldset class="settings-section">
        <legend class="settings-label">{t("language")}</legend>
        <div class="segmented">
          <For each={languages}>
            {(option) => (
              <label class="segment" classList={{ active: lang() === option.value }}>
                <input type="radio" name="lang" value={option.value} checked={lang() === option.value} onChange={() => setLang(option.value)} />
                {t(option.key)}
              </label>
            )}
          </For>
        </div>
      </fieldset>
      <NotificationSetting />
      <div class="settings-section">
        <label class="toggle-row">
          <span class="settings-label">{t("alertSoundToggle")}</span>
          <input type="checkbox" role="switch" aria-describedby="alert-sound-hint" checked={soundOn()} onChange={(e) => setSoundOn(e.currentTarget.checked)} />
        </label>
        <p id="alert-sound-hint" class="dialog-result">
          {t("alertSoundHint")}
        </p>
      </div>
      <Show when={props.open}>
        <BlockedList />
      </Show>
      <button type="button" class="btn btn-danger btn-block" onClick={doLogOut}>
        {t("logOut")}
      </button>
    </Dialog>
  );
}

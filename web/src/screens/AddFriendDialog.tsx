import { createSignal, Show } from "solid-js";
import { HttpError } from "../api/client";
import { api } from "../api/endpoints";
import { Dialog } from "../components/Dialog";
import { type MessageKey, t } from "../i18n";
import { upsertFriend } from "../stores/friends";

type Result = { ok: true; name: string } | { ok: false; key: MessageKey };

const errorKeys: Record<string, MessageKey> = {
  user_not_found: "userNotFound",
  already_friends: "alreadyFriends",
  cannot_add_self: "cannotAddSelf",
  rate_limited: "errorRateLimited",
  network: "errorNetwork",
  // a malformed ID can't belong to anyone
  invalid: "userNotFound",
};

export default function AddFriendDialog(props: { open: boolean; onClose: () => void }) {
  const [result, setResult] = createSignal<Result | null>(null);
  const [busy, setBusy] = createSignal(false);
  let input!: HTMLInputElement;

  const close = () => {
    setResult(null);
    input.value = "";
    props.onClose();
  };

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    // The app shows IDs as `@id`; the server takes either form.
    const username = input.value.trim().toLowerCase();
    if (!username.replace(/^@/, "")) return input.focus();
    setBusy(true);
    setResult(null);
    try {
      const friend = await api.addFriend(username);
      upsertFriend(friend);
      setResult({ ok: true, name: friend.displayName });
      input.value = "";
    } catch (err) {
      setResult({ ok: false, key: (err instanceof HttpError && errorKeys[err.code]) || "errorGeneric" });
    } finally {
      setBusy(false);
      input.focus();
    }
  };

  return (
    <Dialog open={props.open} onClose={close} title={t("addFriendTitle")}>
      <form class="inline-form" onSubmit={submit}>
        <label class="sr-only" for="add-friend-id">
          {t("addFriendLabel")}
        </label>
        <input
          ref={input}
          id="add-friend-id"
          autofocus
          name="username"
          placeholder={t("addFriendLabel")}
          autocomplete="off"
          autocapitalize="none"
          spellcheck={false}
          maxLength={64}
        />
        <button type="submit" class="btn btn-primary" disabled={busy()}>
          {t("addFriendSubmit")}
        </button>
      </form>
      <p class="dialog-result" classList={{ ok: result()?.ok === true, bad: result()?.ok === false }} role="status" aria-live="polite">
        <Show when={result()}>{(r) => {
          const value = r();
          return value.ok ? t("friendAdded", { name: value.name }) : t(value.key);
        }}</Show>
      </p>
    </Dialog>
  );
}

import { createSignal, Show } from "solid-js";
import type { User } from "../../../worker/contract";
import { api } from "../api/endpoints";
import { t } from "../i18n";
import { upsertFriend } from "../stores/friends";

/**
 * Above a 1:1 room whose other member is not in my friends (friendship is one way: they added me,
 * or I blocked and unblocked them): 추가 adds them, 차단 asks to block them.
 */
export const NotFriendBanner = (props: { user: User; onBlock: () => void }) => {
  const [busy, setBusy] = createSignal(false);
  const [failed, setFailed] = createSignal(false);
  const add = async () => {
    setBusy(true);
    setFailed(false);
    try {
      upsertFriend(await api.addFriend(props.user.username));
    } catch {
      setFailed(true);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="not-friend" aria-label={t("notFriendBanner")}>
      <p class="not-friend-text">{t("notFriendBanner")}</p>
      <Show when={failed()}>
        <p class="not-friend-text" role="status">
          {t("errorGeneric")}
        </p>
      </Show>
      <div class="not-friend-actions">
        <button type="button" class="btn btn-primary" disabled={busy()} onClick={() => void add()}>
          {t("addAction")}
        </button>
        <button type="button" class="btn btn-danger" onClick={() => props.onBlock()}>
          {t("blockAction")}
        </button>
      </div>
    </section>
  );
};

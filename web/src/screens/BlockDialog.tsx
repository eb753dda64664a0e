import { createSignal, Show } from "solid-js";
import type { User } from "../../../worker/contract";
import { Dialog } from "../components/Dialog";
import { t } from "../i18n";
import { blockUser } from "../stores/blocks";

/** Confirms blocking someone (from the non-friend banner or the room menu); `onBlocked` runs once the server took it. */
export default function BlockDialog(props: { open: boolean; user: User; onClose: () => void; onBlocked: () => void }) {
  const [busy, setBusy] = createSignal(false);
  const [failed, setFailed] = createSignal(false);
  const block = async () => {
    setBusy(true);
    setFailed(false);
    try {
      await blockUser(props.user);
      props.onBlocked();
    } catch {
      setFailed(true);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open={props.open} onClose={props.onClose} title={t("blockTitle")} sheet>
      <p class="leave-warning">{t("blockConfirm", { name: props.user.displayName })}</p>
      <p class="dialog-result bad" role="status" aria-live="polite">
        <Show when={failed()}>{t("errorGeneric")}</Show>
      </p>
      <div class="menu-actions">
        <button type="button" class="btn btn-secondary" onClick={props.onClose}>
          {t("cancel")}
        </button>
        <button type="button" class="btn btn-danger" disabled={busy()} onClick={() => void block()}>
          {t("blockAction")}
        </button>
      </div>
    </Dialog>
  );
}

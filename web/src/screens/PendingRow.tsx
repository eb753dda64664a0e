import { Show } from "solid-js";
import { Bubble } from "../components/MessageText";
import { t } from "../i18n";
import type { OutboxEntry } from "../stores/outbox";

/** A message of mine the server hasn't acknowledged: marked, and once failed, retryable by hand. */
export const PendingRow = (props: { entry: OutboxEntry; onRetry: () => void; onDiscard: () => void }) => (
  <div class="msg mine" classList={{ failed: props.entry.failed, pending: !props.entry.failed }} data-state={props.entry.failed ? "failed" : "pending"}>
    <div class="msg-col">
      <div class="msg-line">
        <Bubble body={props.entry.body} />
        <div class="msg-meta">
          <Show when={props.entry.failed} fallback={<span class="msg-pending" role="img" aria-label={t("sending")} />}>
            <span class="msg-failed">{t("failed")}</span>
          </Show>
        </div>
      </div>
      <Show when={props.entry.failed}>
        <div class="msg-actions">
          <button type="button" class="chip" onClick={() => props.onRetry()}>
            {t("resend")}
          </button>
          <button type="button" class="chip" onClick={() => props.onDiscard()}>
            {t("discard")}
          </button>
        </div>
      </Show>
    </div>
  </div>
);

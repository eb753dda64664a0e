import { createMemo, createSignal, type JSX, Show } from "solid-js";
import { Portal } from "solid-js/web";
import { t } from "../i18n";
import { clipText } from "../lib/clip";
import { Dialog } from "./Dialog";

/**
 * A long message shows its first part and "View all", which opens the whole text in a dialog (as
 * KakaoTalk does), so one message never fills screens of bubble. `render` draws text (links and all).
 */
export const ClippedText = (props: { body: string; render: (text: string) => JSX.Element }) => {
  const preview = createMemo(() => clipText(props.body));
  const [open, setOpen] = createSignal(false);
  return (
    <Show when={preview()} fallback={props.render(props.body)}>
      {(text) => (
        <>
          {props.render(text())}…
          <button type="button" class="view-all" onClick={() => setOpen(true)}>
            {t("viewAll")}
          </button>
          {/* outside the message list: not part of its live region, not in a bubble's styles */}
          <Portal>
            <Dialog open={open()} onClose={() => setOpen(false)} title={t("fullMessage")}>
              <div class="full-text" tabindex="0">
                {props.render(props.body)}
              </div>
            </Dialog>
          </Portal>
        </>
      )}
    </Show>
  );
};

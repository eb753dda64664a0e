import { createEffect, type JSX, onCleanup } from "solid-js";
import { t } from "../i18n";

/**
 * A native modal <dialog>: focus trap, Escape and the inert background come from the browser.
 * `sheet` slides it up from the bottom like a mobile action sheet.
 */
export const Dialog = (props: { open: boolean; onClose: () => void; title: string; sheet?: boolean; children: JSX.Element }) => {
  let el!: HTMLDialogElement;
  createEffect(() => {
    if (props.open && !el.open) el.showModal();
    else if (!props.open && el.open) el.close();
  });
  onCleanup(() => el.open && el.close());
  const titleId = `dlg-${Math.random().toString(36).slice(2)}`;
  return (
    <dialog
      ref={el}
      class={props.sheet ? "dialog sheet" : "dialog"}
      aria-labelledby={titleId}
      onClose={() => props.onClose()}
      onClick={(e) => e.target === el && props.onClose()}
    >
      <div class="dialog-body">
        <header class="dialog-header">
          <h2 id={titleId}>{props.title}</h2>
          <button type="button" class="icon-btn" aria-label={t("close")} onClick={() => props.onClose()}>
            ✕
          </button>
        </header>
        {props.children}
      </div>
    </dialog>
  );
};

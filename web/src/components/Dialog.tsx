import { createEffect, type JSX, onCleanup } from "solid-js";
import { t } from "../i18n";
import { CloseIcon } from "./Icons";

let ids = 0;
const FOCUSABLE = "button:not([disabled]), input:not([disabled]), textarea:not([disabled]), select:not([disabled]), a[href], [tabindex]:not([tabindex='-1'])";

/**
 * A native modal <dialog>: the browser makes everything behind it inert (so Tab stays inside)
 * and closes it on Escape. We add what browsers disagree on: the focus goes back to the control
 * that opened it. `sheet` slides it up from the bottom like a mobile action sheet.
 */
export const Dialog = (props: { open: boolean; onClose: () => void; title: string; sheet?: boolean; children: JSX.Element }) => {
  let el!: HTMLDialogElement;
  let opener: HTMLElement | null = null;
  const restoreFocus = () => {
    const target = opener;
    opener = null;
    if (target?.isConnected) target.focus();
  };
  createEffect(() => {
    if (props.open && !el.open) {
      opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      el.showModal();
    } else if (!props.open && el.open) {
      el.close();
    }
  });
  onCleanup(() => {
    if (el.open) el.close();
  });
  /** Tab from the last control goes to the first and back, never out to the page or the browser. */
  const trapTab = (event: KeyboardEvent) => {
    if (event.key !== "Tab") return;
    const focusable = Array.from(el.querySelectorAll<HTMLElement>(FOCUSABLE)).filter((node) => !node.closest("[hidden]") && node.getClientRects().length > 0);
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (!first || !last) return;
    if (event.shiftKey && (document.activeElement === first || document.activeElement === el)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  };
  const titleId = `dlg-${++ids}`;
  return (
    <dialog
      ref={el}
      class={props.sheet ? "dialog sheet" : "dialog"}
      aria-labelledby={titleId}
      onClose={() => {
        restoreFocus();
        props.onClose();
      }}
      onClick={(e) => e.target === el && props.onClose()}
      onKeyDown={trapTab}
    >
      <div class="dialog-body">
        <header class="dialog-header">
          <h2 id={titleId}>{props.title}</h2>
          <button type="button" class="icon-btn" aria-label={t("close")} onClick={() => props.onClose()}>
            <CloseIcon />
          </button>
        </header>
        {props.children}
      </div>
    </dialog>
  );
};

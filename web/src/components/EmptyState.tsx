import { Show } from "solid-js";

/** What an empty screen says, with what to do about it. */
export const EmptyState = (props: { title: string; hint: string; action?: string; onAction?: () => void }) => (
  <div class="state-box">
    <p class="state-title">{props.title}</p>
    <p class="state-hint">{props.hint}</p>
    <Show when={props.action && props.onAction}>
      <button type="button" class="btn btn-primary" onClick={() => props.onAction?.()}>
        {props.action}
      </button>
    </Show>
  </div>
);

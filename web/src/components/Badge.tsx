import { Show } from "solid-js";
import { badgeText } from "../lib/unread";

/** The red unread count; screen readers hear `label` instead of the bare number. */
export const Badge = (props: { count: number; label: string }) => (
  <Show when={props.count > 0}>
    <span class="badge">
      <span aria-hidden="true">{badgeText(props.count)}</span>
      <span class="sr-only">{props.label}</span>
    </span>
  </Show>
);

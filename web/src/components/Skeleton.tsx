import { For } from "solid-js";
import { t } from "../i18n";

/** Placeholder rows of the same height as real ones, so the list doesn't jump when data arrives. */
export const SkeletonRows = (props: { rows?: number }) => (
  <ul class="list" aria-busy="true" aria-label={t("loading")}>
    <For each={Array.from({ length: props.rows ?? 5 })}>
      {() => (
        <li class="row skeleton-row" aria-hidden="true">
          <span class="avatar avatar-md skeleton" />
          <span class="row-main">
            <span class="skeleton skeleton-line" />
            <span class="skeleton skeleton-line short" />
          </span>
        </li>
      )}
    </For>
  </ul>
);

/** Grey bubbles where the conversation will be, while its first page loads. */
export const BubbleSkeleton = () => (
  <div class="bubble-skeleton" aria-hidden="true">
    <For each={["theirs w60", "theirs w40", "mine w50", "theirs w70", "mine w35"]}>
      {(kind) => <span class={`skeleton skeleton-bubble ${kind}`} />}
    </For>
  </div>
);

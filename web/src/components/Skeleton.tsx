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

import type { JSX } from "solid-js";

/** A strip laid over the top of the content (so nothing below moves when it appears). */
export const Banner = (props: { children: JSX.Element }) => (
  <div class="banner" role="status">
    {props.children}
  </div>
);

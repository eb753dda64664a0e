import { type JSX, onCleanup, onMount } from "solid-js";

/**
 * The end of a list that loads more: tells whether it is within a screen or so of showing, so the
 * next page comes before the user gets there. The list scrolls inside .content, which clips this
 * element: the margin only works around that box, found once the element is in the document.
 */
export const NearEnd = (props: { onNear: (near: boolean) => void; children: JSX.Element }) => {
  let el!: HTMLDivElement;
  onMount(() => {
    const observer = new IntersectionObserver(([entry]) => props.onNear(entry?.isIntersecting ?? false), {
      root: el.closest(".content"),
      rootMargin: "0px 0px 600px 0px",
    });
    observer.observe(el);
    onCleanup(() => {
      observer.disconnect();
      props.onNear(false);
    });
  });
  return (
    <div class="list-more" ref={el}>
      {props.children}
    </div>
  );
};

/**
 * Keeps the app exactly as tall as the visible area, so the message box stays above an
 * on-screen keyboard. Chromium on Android resizes the layout itself (the viewport meta's
 * `interactive-widget=resizes-content`, then 100dvh is enough); iOS Safari lays the keyboard
 * over the page and only the visual viewport shrinks: follow it. Pinch zoom is left alone.
 */
export const followVisualViewport = (): void => {
  const vv = window.visualViewport;
  if (!vv) return;
  const root = document.documentElement;
  const update = () => {
    if (Math.abs(vv.scale - 1) > 0.01) return;
    root.style.setProperty("--app-height", `${Math.round(vv.height)}px`);
    // iOS scrolls the page up to show the focused box; the app column already fits, so undo it.
    if (window.scrollY !== 0) window.scrollTo(0, 0);
  };
  vv.addEventListener("resize", update);
  vv.addEventListener("scroll", update);
  update();
};

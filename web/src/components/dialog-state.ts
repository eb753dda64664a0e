import { createSignal } from "solid-js";

/**
 * Whether a dialog is open, and whether it ever was: a dialog loaded lazily (not part of the first
 * screen's download) is mounted at its first opening and stays mounted, so closing it still hands
 * the focus back to its opener (components/Dialog.tsx).
 */
export const createDialogState = () => {
  const [open, setOpen] = createSignal(false);
  const [used, setUsed] = createSignal(false);
  return {
    open,
    used,
    show: () => {
      setUsed(true);
      setOpen(true);
    },
    hide: () => setOpen(false),
  };
};

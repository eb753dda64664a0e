/**
 * Arrow keys (and Home/End) move the focus between the rows of a list, as in a native list
 * box; Tab still visits every row. Put it on the list element; rows carry `data-row`.
 */
export const onListKeyDown = (event: KeyboardEvent): void => {
  if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
  const list = event.currentTarget as HTMLElement;
  const rows = Array.from(list.querySelectorAll<HTMLElement>("[data-row]"));
  const at = rows.indexOf(document.activeElement as HTMLElement);
  if (at < 0 || rows.length === 0) return;
  let next: number;
  switch (event.key) {
    case "ArrowDown":
      next = Math.min(rows.length - 1, at + 1);
      break;
    case "ArrowUp":
      next = Math.max(0, at - 1);
      break;
    case "Home":
      next = 0;
      break;
    case "End":
      next = rows.length - 1;
      break;
    default:
      return;
  }
  event.preventDefault();
  rows[next]!.focus();
};

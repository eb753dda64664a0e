import { createMemo, createSignal, For, Show } from "solid-js";
import type { User } from "../../../worker/contract";
import { t } from "../i18n";
import { searchFriends } from "../lib/friend-search";
import { Avatar } from "./Avatar";

let ids = 0;

/**
 * Friends to pick from, as checkboxes, with a search box over names and IDs. Native checkboxes:
 * Tab reaches each, Space ticks it, and screen readers hear the name and whether it is ticked.
 */
export const FriendChecklist = (props: {
  friends: readonly User[];
  selected: ReadonlySet<string>;
  onChange: (next: ReadonlySet<string>) => void;
  /** Marks the search box as where a view that shows the list starts (RoomMenu's `data-focus`). */
  focusSearch?: boolean;
}) => {
  const id = `pick-${++ids}`;
  const [query, setQuery] = createSignal("");
  const shown = createMemo(() => searchFriends(props.friends, query()));
  const toggle = (userId: string, on: boolean) => {
    const next = new Set(props.selected);
    if (on) next.add(userId);
    else next.delete(userId);
    props.onChange(next);
  };
  return (
    <div class="checklist">
      <label class="sr-only" for={`${id}-q`}>
        {t("searchFriends")}
      </label>
      <input id={`${id}-q`} data-focus={props.focusSearch || undefined} type="search" placeholder={t("searchFriends")} autocomplete="off" value={query()} onInput={(e) => setQuery(e.currentTarget.value)} />
      <p class="checklist-count" id={`${id}-count`} aria-live="polite">
        {t("selectedCount", { n: props.selected.size })}
      </p>
      <Show when={shown().length > 0} fallback={<p class="checklist-empty">{props.friends.length === 0 ? t("noFriendsToPick") : t("noFriendsMatch")}</p>}>
        <ul class="checklist-list" aria-describedby={`${id}-count`}>
          <For each={shown()}>
            {(friend) => (
              <li>
                <label class="pick-row">
                  <Avatar id={friend.id} name={friend.displayName} size="sm" />
                  <span class="row-main">
                    <span class="row-title">{friend.displayName}</span>
                    <span class="row-sub">@{friend.username}</span>
                  </span>
                  <input type="checkbox" checked={props.selected.has(friend.id)} onChange={(e) => toggle(friend.id, e.currentTarget.checked)} />
                </label>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </div>
  );
};

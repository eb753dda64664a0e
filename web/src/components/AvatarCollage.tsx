import { For, Show } from "solid-js";
import { Avatar } from "./Avatar";

/**
 * A room's picture: one person's avatar, or for a group up to four members' avatars in one tile
 * (two across the diagonal, three in a triangle, four in a grid), KakaoTalk style. Decorative:
 * the row names the room.
 */
export const AvatarCollage = (props: { people: readonly { id: string; displayName: string }[] }) => (
  <Show when={props.people.length > 1} fallback={<Avatar id={props.people[0]?.id ?? ""} name={props.people[0]?.displayName ?? "?"} />}>
    <span class={`collage collage-${Math.min(4, props.people.length)}`} aria-hidden="true">
      <For each={props.people.slice(0, 4)}>{(p) => <Avatar id={p.id} name={p.displayName} size="xs" />}</For>
    </span>
  </Show>
);

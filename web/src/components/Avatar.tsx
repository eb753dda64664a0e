import { colourIndex, initial } from "../lib/color";

/** An initial on a colour derived from the user id; decorative, the name is always shown beside it. */
export const Avatar = (props: { id: string; name: string; size?: "xs" | "sm" | "md" | "lg" }) => (
  <span class={`avatar avatar-${props.size ?? "md"} avatar-c${colourIndex(props.id)}`} aria-hidden="true">
    {initial(props.name)}
  </span>
);

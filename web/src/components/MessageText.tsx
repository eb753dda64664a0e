import { For } from "solid-js";
import { splitLinks } from "../lib/links";

/** Message text as DOM text nodes; only http(s) links become elements. Never HTML. */
export const MessageText = (props: { body: string }) => (
  <For each={splitLinks(props.body)}>
    {(part) =>
      part.kind === "link" ? (
        <a href={part.href} target="_blank" rel="noopener noreferrer">
          {part.text}
        </a>
      ) : (
        part.text
      )
    }
  </For>
);

import { For } from "solid-js";
import { emojiOnlyCount } from "../lib/emoji";
import { splitLinks } from "../lib/links";
import { ClippedText } from "./ClippedText";

/** Message text as DOM text nodes; only http(s) links become elements. Never HTML. */
export const MessageText = (props: { body: string }) => (
  <For each={splitLinks(props.body)}>
    {(part) =>
      part.kind === "link" ? (
        // dir isolates the URL: right-to-left text around it cannot reorder its parts.
        <a href={part.href} target="_blank" rel="noopener noreferrer" dir="ltr">
          {part.text}
        </a>
      ) : (
        part.text
      )
    }
  </For>
);

/**
 * A message's bubble. One to three emoji and nothing else are shown large and without the
 * bubble, as KakaoTalk does.
 */
export const Bubble = (props: { body: string }) => {
  const emoji = () => emojiOnlyCount(props.body);
  return (
    <div class="bubble" classList={{ "emoji-only": emoji() > 0 }} data-emoji={emoji() || undefined}>
      <ClippedText body={props.body} render={(text) => <MessageText body={text} />} />
    </div>
  );
};

import { createSignal, onMount, Show } from "solid-js";
import { codePoints, LIMITS } from "../../../worker/contract/limits";
import { hasVisibleText } from "../../../worker/contract/visible-text";
import { t } from "../i18n";
import { SendIcon } from "./Icons";

const MAX_HEIGHT_PX = 120;

/**
 * The message box. Enter sends, Shift+Enter is a newline. Hangul: Chromium fires the Enter keydown
 * with isComposing before `compositionend`, while the last syllable is not committed yet; we
 * remember that Enter and send once the composition ends. The plain Enter keydown some browsers
 * repeat afterwards finds the box already empty, so it sends nothing (and adds no newline).
 * Safari ends the composition first and then fires one plain Enter, which simply sends.
 */
export const Composer = (props: { onSend: (body: string) => void; autofocus?: boolean }) => {
  let textarea!: HTMLTextAreaElement;
  let composing = false;
  let sendWhenComposed = false;
  const [empty, setEmpty] = createSignal(true);
  const [tooLong, setTooLong] = createSignal(false);

  // With a mouse or a trackpad, typing starts at once; on a touch screen the focus would throw up
  // the on-screen keyboard over the conversation the reader just opened, so there it waits for a tap.
  onMount(() => {
    if (props.autofocus && matchMedia("(pointer: fine)").matches) textarea.focus({ preventScroll: true });
  });

  const resize = () => {
    textarea.style.height = "auto";
    textarea.style.height = `${Math.min(textarea.scrollHeight, MAX_HEIGHT_PX)}px`;
  };

  const update = () => {
    // Zero-width and bidi characters alone look empty, and the server refuses them like spaces.
    setEmpty(!hasVisibleText(textarea.value));
    setTooLong(codePoints(textarea.value) > LIMITS.bodyMax);
    resize();
  };

  const submit = () => {
    const body = textarea.value.trim();
    if (!hasVisibleText(body) || codePoints(body) > LIMITS.bodyMax) return;
    props.onSend(body);
    textarea.value = "";
    update();
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key !== "Enter" || e.shiftKey) return;
    e.preventDefault();
    if (e.isComposing || composing) {
      sendWhenComposed = true;
      return;
    }
    submit();
  };

  const onCompositionEnd = () => {
    composing = false;
    if (!sendWhenComposed) return;
    sendWhenComposed = false;
    // The committed syllable is in the textarea's value by now.
    submit();
  };

  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
        textarea.focus();
      }}
    >
      <Show when={tooLong()}>
        <p class="composer-error" role="alert">
          {t("messageTooLong", { n: LIMITS.bodyMax })}
        </p>
      </Show>
      <textarea
        ref={textarea}
        class="composer-input"
        rows={1}
        aria-label={t("messageLabel")}
        placeholder={t("messagePlaceholder")}
        onInput={update}
        onKeyDown={onKeyDown}
        onCompositionStart={() => {
          composing = true;
          // an Enter whose composition never ended must not fire on a later one
          sendWhenComposed = false;
        }}
        onCompositionEnd={onCompositionEnd}
      />
      <button
        type="submit"
        class="icon-btn send-btn"
        aria-label={t("send")}
        disabled={empty() || tooLong()}
        // keep the focus (and the on-screen keyboard) in the textarea
        onMouseDown={(e) => e.preventDefault()}
      >
        <SendIcon />
      </button>
    </form>
  );
};

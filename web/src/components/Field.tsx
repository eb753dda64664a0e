import { type JSX, Show, splitProps } from "solid-js";

/** A labelled input with its hint and error wired up through aria-describedby. */
export const Field = (
  props: { label: string; hint?: string; error?: string | null; id: string } & JSX.InputHTMLAttributes<HTMLInputElement>,
) => {
  const [own, input] = splitProps(props, ["label", "hint", "error", "id"]);
  const described = () => [own.error ? `${own.id}-error` : null, own.hint ? `${own.id}-hint` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div class="field">
      <label for={own.id}>{own.label}</label>
      <input {...input} id={own.id} aria-invalid={own.error ? "true" : undefined} aria-describedby={described()} />
      <Show when={own.error}>
        <p class="field-error" id={`${own.id}-error`}>
          {own.error}
        </p>
      </Show>
      <Show when={own.hint && !own.error}>
        <p class="field-hint" id={`${own.id}-hint`}>
          {own.hint}
        </p>
      </Show>
    </div>
  );
};

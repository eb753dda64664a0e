import { useNavigate } from "@solidjs/router";
import { createSignal, onMount, Show } from "solid-js";
import { codePoints, LIMITS } from "../../../worker/contract/limits";
import { isCleanName } from "../../../worker/contract/visible-text";
import { HttpError } from "../api/client";
import { api } from "../api/endpoints";
import { Field } from "../components/Field";
import { type MessageKey, t } from "../i18n";
import { signedIn } from "../stores/session";

type Mode = "login" | "signup";
type FieldName = "username" | "displayName" | "password";
/** Errors hold catalogue keys, not text, so switching language re-translates them. */
type Errors = Partial<Record<FieldName, MessageKey>>;

const hints: Record<FieldName, MessageKey> = { username: "usernameHint", displayName: "displayNameHint", password: "passwordHint" };

const validate = (mode: Mode, username: string, displayName: string, password: string): Errors => {
  const errors: Errors = {};
  if (!username) errors.username = "fieldRequired";
  else if (mode === "signup" && !LIMITS.usernamePattern.test(username)) errors.username = "usernameHint";
  if (!password) errors.password = "fieldRequired";
  else if (mode === "signup" && (codePoints(password) < LIMITS.passwordMin || codePoints(password) > LIMITS.passwordMax)) errors.password = "passwordHint";
  if (mode === "signup" && codePoints(displayName.trim()) > LIMITS.displayNameMax) errors.displayName = "displayNameHint";
  else if (mode === "signup" && displayName && !isCleanName(displayName)) errors.displayName = "displayNameInvisible";
  return errors;
};

export default function Login() {
  const navigate = useNavigate();
  const [mode, setMode] = createSignal<Mode>("login");
  const [fieldErrors, setFieldErrors] = createSignal<Errors>({});
  const [formError, setFormError] = createSignal<MessageKey | null>(null);
  const [busy, setBusy] = createSignal(false);
  let usernameInput!: HTMLInputElement;
  onMount(() => usernameInput.focus());

  const switchMode = () => {
    setMode(mode() === "login" ? "signup" : "login");
    setFieldErrors({});
    setFormError(null);
  };

  const showServerError = (err: unknown) => {
    if (!(err instanceof HttpError)) return setFormError("errorGeneric");
    switch (err.code) {
      case "invalid_credentials":
        return setFormError("invalidCredentials");
      case "username_taken":
        return setFieldErrors({ username: "usernameTaken" });
      case "rate_limited":
        return setFormError("errorRateLimited");
      case "network":
        return setFormError("errorNetwork");
    }
    const errors: Errors = {};
    for (const name of Object.keys(err.fields) as FieldName[]) if (name in hints) errors[name] = hints[name];
    if (Object.keys(errors).length > 0) setFieldErrors(errors);
    else setFormError("errorGeneric");
  };

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const username = String(form.get("username") ?? "").trim().toLowerCase();
    const displayName = String(form.get("displayName") ?? "").trim();
    const password = String(form.get("password") ?? "");
    setFormError(null);
    const errors = validate(mode(), username, displayName, password);
    setFieldErrors(errors);
    if (Object.keys(errors).length > 0) return;
    setBusy(true);
    try {
      const user = mode() === "login" ? await api.login(username, password) : await api.register(username, password, displayName || undefined);
      signedIn(user);
      navigate("/friends", { replace: true });
    } catch (err) {
      showServerError(err);
      usernameInput.focus();
    } finally {
      setBusy(false);
    }
  };

  const error = (name: FieldName) => {
    const key = fieldErrors()[name];
    return key ? t(key) : null;
  };

  return (
    <main class="login">
      <div class="login-brand" aria-hidden="true">
        <img src="/favicon.svg" alt="" width="72" height="72" />
      </div>
      <h1 class="login-title">{mode() === "login" ? t("loginTitle") : t("signupTitle")}</h1>
      <p class="login-tagline">{t("loginTagline")}</p>
      <form class="login-form" onSubmit={submit} novalidate>
        <Field
          ref={usernameInput}
          id="login-username"
          name="username"
          label={t("username")}
          hint={mode() === "signup" ? t("usernameHint") : undefined}
          error={error("username")}
          autocomplete="username"
          autocapitalize="none"
          spellcheck={false}
          maxLength={64}
          required
        />
        <Show when={mode() === "signup"}>
          <Field
            id="login-display-name"
            name="displayName"
            label={t("displayName")}
            hint={t("displayNameHint")}
            error={error("displayName")}
            autocomplete="nickname"
            maxLength={60}
          />
        </Show>
        <Field
          id="login-password"
          name="password"
          type="password"
          label={t("password")}
          hint={mode() === "signup" ? t("passwordHint") : undefined}
          error={error("password")}
          autocomplete={mode() === "login" ? "current-password" : "new-password"}
          maxLength={LIMITS.passwordMax}
          required
        />
        <Show when={formError()}>{(key) => <p class="form-error" role="alert">{t(key())}</p>}</Show>
        <button type="submit" class="btn btn-primary btn-block" disabled={busy()}>
          {mode() === "login" ? t("logIn") : t("signUp")}
        </button>
      </form>
      <button type="button" class="btn-link" onClick={switchMode}>
        {mode() === "login" ? t("toSignUp") : t("toLogIn")}
      </button>
    </main>
  );
}

import { t } from "../i18n";

/** A failure and the one thing to do about it: retry, unless `action` names something else. */
export const ErrorRetry = (props: { message?: string; action?: string; onRetry: () => void }) => (
  <div class="state-box" role="alert">
    <p>{props.message ?? t("errorGeneric")}</p>
    <button type="button" class="btn btn-secondary" onClick={() => props.onRetry()}>
      {props.action ?? t("retry")}
    </button>
  </div>
);

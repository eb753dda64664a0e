import { t } from "../i18n";

export const ErrorRetry = (props: { message?: string; onRetry: () => void }) => (
  <div class="state-box" role="alert">
    <p>{props.message ?? t("errorGeneric")}</p>
    <button type="button" class="btn btn-secondary" onClick={() => props.onRetry()}>
      {t("retry")}
    </button>
  </div>
);

import { createSignal, For, onMount, Show } from "solid-js";
import { Avatar } from "../components/Avatar";
import { t } from "../i18n";
import { blocked, loadBlocked, unblockUser } from "../stores/blocks";

/** Settings' 차단한 사용자: each with 차단 해제. What they sent while blocked stays undelivered. */
export default function BlockedList() {
  const [failed, setFailed] = createSignal(false);
  const run = async (work: () => Promise<void>) => {
    setFailed(false);
    try {
      await work();
    } catch {
      setFailed(true);
    }
  };
  onMount(() => void run(loadBlocked));
  return (
    <section class="settings-section" aria-labelledby="blocked-heading">
      <h3 class="settings-label" id="blocked-heading">
        {t("blockedHeading")}
      </h3>
      <Show when={blocked().length > 0} fallback={<p class="field-hint">{t("noneBlocked")}</p>}>
        <ul class="list member-list" aria-labelledby="blocked-heading">
          <For each={blocked()}>
            {(user) => (
              <li class="member-row">
                <Avatar id={user.id} name={user.displayName} size="sm" />
                <span class="row-main">
                  <span class="row-title">{user.displayName}</span>
                  <span class="row-sub">@{user.username}</span>
                </span>
                <button
                  type="button"
                  class="btn btn-secondary"
                  aria-label={t("unblockLabel", { name: user.displayName })}
                  onClick={() => void run(() => unblockUser(user.id))}
                >
                  {t("unblockAction")}
                </button>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <p class="dialog-result bad" role="status" aria-live="polite">
        <Show when={failed()}>{t("errorGeneric")}</Show>
      </p>
    </section>
  );
}

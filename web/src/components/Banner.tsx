import { type JSX, Show } from "solid-js";
import { t } from "../i18n";
import { eventsDown, online } from "../stores/connection";

/** A strip above the content; the content makes room for it, so it never hides a message. */
export const Banner = (props: { children: JSX.Element }) => (
  <div class="banner" role="status">
    {props.children}
  </div>
);

/**
 * Offline (the browser says so) or reconnecting (`down`, by default the events socket that
 * keeps the lists live): one banner, the more fundamental cause first.
 */
export const ConnectionBanner = (props: { down?: boolean; offlineHint?: string }) => {
  const down = () => props.down ?? eventsDown();
  return (
    <Show when={!online() || down()}>
      <Banner>
        <Show when={!online()} fallback={t("reconnecting")}>
          {t("offline")}
          <Show when={props.offlineHint}>{(hint) => <> {hint()}</>}</Show>
        </Show>
      </Banner>
    </Show>
  );
};

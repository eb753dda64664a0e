import { useNavigate } from "@solidjs/router";
import { createSignal, Show } from "solid-js";
import { LIMITS } from "../../../worker/contract/limits";
import { api } from "../api/endpoints";
import { Dialog } from "../components/Dialog";
import { FriendChecklist } from "../components/FriendChecklist";
import { type MessageKey, t } from "../i18n";
import { friends } from "../stores/friends";
import { upsertRoom } from "../stores/rooms";
import { groupErrorKey, titleProblem } from "./group-forms";

/**
 * "새 채팅": friends picked from a searchable checklist and an optional name. One friend and no
 * name opens the 1:1 room with them, as KakaoTalk does; anything else makes a group.
 */
export default function NewChatDialog(props: { open: boolean; onClose: () => void }) {
  const navigate = useNavigate();
  const [picked, setPicked] = createSignal<ReadonlySet<string>>(new Set());
  const [title, setTitle] = createSignal("");
  const [error, setError] = createSignal<MessageKey | null>(null);
  const [busy, setBusy] = createSignal(false);

  const close = () => {
    setPicked(new Set<string>());
    setTitle("");
    setError(null);
    props.onClose();
  };

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const ids = [...picked()];
    const name = title().trim();
    const problem = titleProblem(name);
    if (ids.length === 0 || problem) return setError(problem);
    setBusy(true);
    setError(null);
    try {
      const room = ids.length === 1 && !name ? await api.openDirect(ids[0]!) : await api.createGroup(ids, name || undefined);
      upsertRoom(room);
      close();
      navigate(`/rooms/${room.id}`, { state: { inApp: true } });
    } catch (err) {
      setError(groupErrorKey(err, "createChatFailed"));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open={props.open} onClose={close} title={t("newChatTitle")}>
      <form class="pick-form" onSubmit={submit}>
        <FriendChecklist friends={friends()} selected={picked()} onChange={setPicked} />
        <label class="settings-label" for="new-chat-name">
          {t("groupNameLabel")}
        </label>
        <input
          id="new-chat-name"
          value={title()}
          onInput={(e) => setTitle(e.currentTarget.value)}
          maxLength={LIMITS.groupTitleMax * 2}
          autocomplete="off"
          aria-invalid={error() === "titleInvalid" ? "true" : undefined}
        />
        <p class="dialog-result bad" role="status" aria-live="polite">
          <Show when={error()}>{(key) => t(key(), { n: LIMITS.groupTitleMax })}</Show>
        </p>
        <button type="submit" class="btn btn-primary btn-block" disabled={busy() || picked().size === 0}>
          {t("createChat")}
        </button>
      </form>
    </Dialog>
  );
}

import { useNavigate } from "@solidjs/router";
import { createMemo, createSignal, For, Match, Show, Switch } from "solid-js";
import { LIMITS } from "../../../worker/contract/limits";
import { api } from "../api/endpoints";
import { Avatar } from "../components/Avatar";
import { Dialog } from "../components/Dialog";
import { FriendChecklist } from "../components/FriendChecklist";
import { type MessageKey, t } from "../i18n";
import { friends } from "../stores/friends";
import type { RoomMembers } from "../stores/room-members";
import { roomById, upsertRoom } from "../stores/rooms";
import { groupErrorKey, titleProblem } from "./group-forms";

type View = "menu" | "invite" | "rename" | "leave";

/**
 * The room's ☰ menu, one sheet whose content changes: my 알림 끄기 and 상단 고정 toggles, the
 * members, then "invite" (friends not in the room), "rename" for groups and "leave" (with a
 * confirmation; a 1:1 room is hidden until the friend writes again). Inviting from a 1:1 room
 * makes a new group of the three (KakaoTalk does the same) and opens it.
 */
export default function RoomMenu(props: {
  open: boolean;
  onClose: () => void;
  meId: string;
  roomId: string;
  room: RoomMembers;
  invite: (userIds: string[]) => Promise<void>;
  rename: (title: string) => Promise<void>;
  leave: () => Promise<void>;
  /** 차단: asks to block the other member of a 1:1 room. */
  onBlock: () => void;
}) {
  const navigate = useNavigate();
  const [view, setView] = createSignal<View>("menu");
  const [picked, setPicked] = createSignal<ReadonlySet<string>>(new Set());
  const [error, setError] = createSignal<MessageKey | null>(null);
  const [busy, setBusy] = createSignal(false);
  let titleInput: HTMLInputElement | undefined;
  let body: HTMLDivElement | undefined;

  const group = () => props.room.kind() === "group";
  const candidates = createMemo(() => {
    const inRoom = new Set(props.room.members().map((m) => m.id));
    return friends().filter((f) => !inRoom.has(f.id));
  });
  // Me first, then the others as the server orders them.
  const members = createMemo(() => [...props.room.members()].sort((a, b) => Number(b.id === props.meId) - Number(a.id === props.meId)));

  const show = (next: View) => {
    setError(null);
    setPicked(new Set<string>());
    setView(next);
    // The control that was pressed is gone with the old content: start the new one at its first control.
    body?.querySelector<HTMLElement>("[data-focus]")?.focus();
  };
  const close = () => {
    show("menu");
    props.onClose();
  };

  /** Runs an action; its failure stays on screen with the given words. */
  const act = async (run: () => Promise<void>, failed: MessageKey) => {
    setBusy(true);
    setError(null);
    try {
      await run();
    } catch (err) {
      setError(groupErrorKey(err, failed));
    } finally {
      setBusy(false);
    }
  };

  const invite = (event: SubmitEvent) => {
    event.preventDefault();
    const ids = [...picked()];
    if (ids.length === 0) return;
    void act(async () => {
      if (group()) {
        await props.invite(ids);
        close();
        return;
      }
      const room = await api.createGroup([...props.room.others().map((m) => m.id), ...ids]);
      upsertRoom(room);
      close();
      navigate(`/rooms/${room.id}`, { state: { inApp: true } });
    }, "inviteFailed");
  };

  const rename = (event: SubmitEvent) => {
    event.preventDefault();
    const title = titleInput?.value.trim() ?? "";
    const problem = titleProblem(title);
    if (problem) return setError(problem);
    void act(async () => {
      await props.rename(title);
      close();
    }, "renameFailed");
  };

  const leave = () => void act(props.leave, "leaveFailed");

  /** My 알림 끄기 / 상단 고정, as the chat list holds the room (a room not listed yet: off). */
  const listed = () => roomById(props.roomId);
  const changeSetting = (settings: { muted?: boolean; pinned?: boolean }) =>
    void act(async () => upsertRoom(await api.roomSettings(props.roomId, settings)), "roomSettingFailed");

  const heading = () =>
    view() === "invite" ? t("invite") : view() === "rename" ? t("renameRoom") : view() === "leave" ? t("leaveTitle") : t("roomMenu");

  /**
   * Cancel (back to the menu) and the view's action: a form's submit, or a button for a danger.
   * `disabled` is read inside, so a busy change updates the button rather than replacing it (focus stays).
   */
  const actions = (action: { label: string; disabled: () => boolean; danger?: () => void }) => (
    <div class="menu-actions">
      <button type="button" class="btn btn-secondary" onClick={() => show("menu")}>
        {t("cancel")}
      </button>
      <button
        type={action.danger ? "button" : "submit"}
        class={action.danger ? "btn btn-danger" : "btn btn-primary"}
        disabled={action.disabled()}
        onClick={action.danger}
      >
        {action.label}
      </button>
    </div>
  );

  const errorLine = () => (
    <p class="dialog-result bad" role="status" aria-live="polite">
      <Show when={error()}>{(key) => t(key(), { n: LIMITS.groupTitleMax })}</Show>
    </p>
  );

  return (
    <Dialog open={props.open} onClose={close} title={heading()} sheet>
      <div ref={body}>
        <Switch>
          <Match when={view() === "menu"}>
            <div class="menu-actions">
              <button type="button" class="btn btn-secondary" data-focus onClick={() => show("invite")}>
                {t("invite")}
              </button>
              <Show when={group()}>
                <button type="button" class="btn btn-secondary" onClick={() => show("rename")}>
                  {t("renameRoom")}
                </button>
              </Show>
              <button type="button" class="btn btn-secondary" disabled={busy()} onClick={() => changeSetting({ muted: !listed()?.muted })}>
                {listed()?.muted ? t("unmuteRoom") : t("muteRoom")}
              </button>
              <button type="button" class="btn btn-secondary" disabled={busy()} onClick={() => changeSetting({ pinned: !listed()?.pinnedAt })}>
                {listed()?.pinnedAt ? t("unpinRoom") : t("pinRoom")}
              </button>
            </div>
            {errorLine()}
            <h3 class="section-title" id="room-members-heading">
              {t("membersHeading", { n: props.room.memberCount() })}
            </h3>
            <ul class="list member-list" aria-labelledby="room-members-heading">
              <For each={members()}>
                {(m) => (
                  <li class="member-row">
                    <Avatar id={m.id} name={m.displayName} size="sm" />
                    <span class="row-main">
                      <span class="row-title">
                        {props.room.nameOf(m.id) ?? m.displayName}
                        <Show when={m.id === props.meId}>
                          <span class="me-marker">{t("meMarker")}</span>
                        </Show>
                      </span>
                      <span class="row-sub">@{m.username}</span>
                    </span>
                  </li>
                )}
              </For>
            </ul>
            <Show when={!group() && props.room.others().length > 0}>
              <button type="button" class="btn btn-danger btn-block" onClick={() => props.onBlock()}>
                {t("blockAction")}
              </button>
            </Show>
            <button type="button" class="btn btn-danger btn-block" onClick={() => show("leave")}>
              {t("leaveRoom")}
            </button>
          </Match>
          <Match when={view() === "invite"}>
            <form class="pick-form" onSubmit={invite}>
              <FriendChecklist friends={candidates()} selected={picked()} onChange={setPicked} focusSearch />
              {errorLine()}
              {actions({ label: t("inviteSubmit"), disabled: () => busy() || picked().size === 0 })}
            </form>
          </Match>
          <Match when={view() === "rename"}>
            <form class="pick-form" onSubmit={rename}>
              <label class="settings-label" for="room-title-input">
                {t("renameLabel")}
              </label>
              <input
                ref={titleInput}
                data-focus
                id="room-title-input"
                value={props.room.ownTitle() ?? ""}
                maxLength={LIMITS.groupTitleMax * 2}
                autocomplete="off"
                aria-describedby="room-title-hint"
                aria-invalid={error() === "titleInvalid" ? "true" : undefined}
              />
              <p class="field-hint" id="room-title-hint">
                {t("renameHint")}
              </p>
              {errorLine()}
              {actions({ label: t("save"), disabled: busy })}
            </form>
          </Match>
          <Match when={view() === "leave"}>
            <p class="leave-warning" tabindex="-1" data-focus>
              {group() ? t("leaveConfirm") : t("leaveDirectConfirm")}
            </p>
            {errorLine()}
            {actions({ label: t("leaveRoom"), disabled: busy, danger: leave })}
          </Match>
        </Switch>
      </div>
    </Dialog>
  );
}

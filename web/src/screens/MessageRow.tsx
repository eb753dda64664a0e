import { createMemo, Show } from "solid-js";
import type { Message, SystemMessage } from "../../../worker/contract";
import { unreadCountOf } from "../../../worker/contract/unread";
import { Avatar } from "../components/Avatar";
import { Bubble } from "../components/MessageText";
import { lang, t } from "../i18n";
import { systemLine } from "../lib/system-line";
import { formatDateSeparator, formatMessageTime, sameDay, sameMinute } from "../lib/time";
import type { RoomMembers } from "../stores/room-members";

/**
 * One stored message with what its neighbours decide: a date separator before it, the sender's
 * avatar and name at the start of a run, the time at the end of a run (same sender, same minute),
 * and how many members have not read it yet. A system message is a centred line and ends a run.
 */
export const MessageRow = (props: { message: Message; prev: Message | undefined; next: Message | undefined; meId: string; room: RoomMembers }) => {
  const at = createMemo(() => new Date(props.message.sentAt));
  const newDay = () => !props.prev || !sameDay(new Date(props.prev.sentAt), at());
  return (
    <>
      <Show when={newDay()}>
        <div class="date-sep">
          <span>{formatDateSeparator(at(), lang())}</span>
        </div>
      </Show>
      <Show when={props.message.kind === "system" && (props.message as SystemMessage)} fallback={<TextRow {...props} at={at()} newDay={newDay()} />}>
        {(system) => (
          <div class="sys-line" data-seq={system().seq}>
            <span>{systemLine(lang(), system().event, props.room.nameOf)}</span>
          </div>
        )}
      </Show>
    </>
  );
};

const TextRow = (props: { message: Message; prev: Message | undefined; next: Message | undefined; meId: string; room: RoomMembers; at: Date; newDay: boolean }) => {
  const mine = () => props.message.senderId === props.meId;
  const sameRun = (other: Message | undefined) =>
    other !== undefined && other.kind === "text" && other.senderId === props.message.senderId && sameMinute(new Date(other.sentAt), props.at);
  const startsRun = () => props.newDay || !sameRun(props.prev);
  const endsRun = () => !sameRun(props.next);
  const senderName = () => props.room.nameOf(props.message.senderId) ?? t("someone");
  const unread = () => unreadCountOf(props.message, props.room.counted());

  return (
    <div class="msg" classList={{ mine: mine(), theirs: !mine(), "run-start": startsRun() }} data-seq={props.message.seq}>
      <Show when={!mine()}>
        <div class="msg-avatar">
          <Show when={startsRun()}>
            <Avatar id={props.message.senderId} name={senderName()} size="sm" />
          </Show>
        </div>
      </Show>
      <div class="msg-col">
        <Show when={!mine() && startsRun()}>
          <div class="msg-name">{senderName()}</div>
        </Show>
        <div class="msg-line">
          <Bubble body={props.message.body} />
          <div class="msg-meta">
            <Show when={unread() > 0}>
              <span class="msg-unread">
                <span aria-hidden="true">{unread()}</span>
                <span class="sr-only">{t("unreadBy", { n: unread() })}</span>
              </span>
            </Show>
            <Show when={endsRun()}>
              <time class="msg-time" datetime={props.message.sentAt}>
                {formatMessageTime(props.at, lang())}
              </time>
            </Show>
          </div>
        </div>
      </div>
    </div>
  );
};

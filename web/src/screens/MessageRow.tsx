import { createMemo, Show } from "solid-js";
import type { Member, Message } from "../../../worker/contract";
import { Avatar } from "../components/Avatar";
import { Bubble } from "../components/MessageText";
import { lang, t } from "../i18n";
import { unreadBy } from "../lib/unread";
import { formatDateSeparator, formatMessageTime, sameDay, sameMinute } from "../lib/time";

/**
 * One stored message with what its neighbours decide: a date separator before it, the sender's
 * avatar and name at the start of a run, the time at the end of a run (same sender, same minute),
 * and on my messages how many others have not read it yet.
 */
export const MessageRow = (props: {
  message: Message;
  prev: Message | undefined;
  next: Message | undefined;
  meId: string;
  others: readonly Member[];
}) => {
  const at = createMemo(() => new Date(props.message.sentAt));
  const mine = () => props.message.senderId === props.meId;
  const sameRun = (other: Message | undefined) =>
    other !== undefined && other.senderId === props.message.senderId && sameMinute(new Date(other.sentAt), at());
  const newDay = () => !props.prev || !sameDay(new Date(props.prev.sentAt), at());
  const startsRun = () => newDay() || !sameRun(props.prev);
  const endsRun = () => !sameRun(props.next);
  const sender = () => props.others.find((m) => m.id === props.message.senderId);
  const unread = () => (mine() ? unreadBy(props.others, props.meId, props.message.seq) : 0);

  return (
    <>
      <Show when={newDay()}>
        <div class="date-sep">
          <span>{formatDateSeparator(at(), lang())}</span>
        </div>
      </Show>
      <div class="msg" classList={{ mine: mine(), theirs: !mine(), "run-start": startsRun() }} data-seq={props.message.seq}>
        <Show when={!mine()}>
          <div class="msg-avatar">
            <Show when={startsRun()}>
              <Avatar id={props.message.senderId} name={sender()?.displayName ?? "?"} size="sm" />
            </Show>
          </div>
        </Show>
        <div class="msg-col">
          <Show when={!mine() && startsRun()}>
            <div class="msg-name">{sender()?.displayName}</div>
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
                  {formatMessageTime(at(), lang())}
                </time>
              </Show>
            </div>
          </div>
        </div>
      </div>
    </>
  );
};

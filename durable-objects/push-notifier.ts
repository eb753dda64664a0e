import type { TextMessage } from "../worker/contract";
import { userHub } from "../worker/lib/hubs";
import type { RoomLog } from "./room-log/room-log";
import { chatListRowsFor } from "./room-log/views";

/** What a room tells a member's hub of a new message; the hub decides whether it becomes a push (hub-push.ts). */
export interface MessageNotice {
  roomId: string;
  /** A group's name, or (at most 4 of) its other members' names joined by ", "; null for a 1:1 room. */
  roomTitle: string | null;
  senderId: string;
  senderName: string;
  seq: number;
  body: string;
}

/** At most one notice per member per room per this long: a busy conversation must not wake every offline member's hub per message. */
export const PUSH_WINDOW_MS = 2_000;

/**
 * Tells the hubs of members with no socket open in this room of its new messages: at once, then at
 * most once per window with the newest message each member did not send. Kept in memory only: an
 * object evicted inside a window loses that window's last notice (a window owing one has a timer,
 * which keeps the object awake meanwhile, so this is rare), and a push is a courtesy, not the record.
 */
export class PushNotifier {
  private windowEnd = 0;
  /** The newest text message of each sender since the last notices went out. */
  private readonly owed = new Map<string, TextMessage>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  /** Members whose hub answered that they have no device, and until when it need not be told. */
  private readonly noDevice = new Map<string, number>();

  constructor(
    private readonly env: Env,
    private readonly log: RoomLog,
    /** Whether the member has a socket open in this room: then they see the message, and need no push. */
    private readonly watching: (userId: string) => boolean,
    /** The members a message is hidden from (they block its sender: room-blocks.ts). */
    private readonly hiddenFrom: (message: TextMessage) => Set<string>,
  ) {}

  stored(message: TextMessage, now = Date.now()): void {
    this.owed.set(message.senderId, message);
    if (now < this.windowEnd) {
      // A timer only for a window that owes something: a lone message keeps nothing awake.
      this.timer ??= setTimeout(() => this.windowEnded(), this.windowEnd - now);
      return;
    }
    // Nobody to tell (all watching, or without a device): no window either.
    this.windowEnd = this.notify() > 0 ? now + PUSH_WINDOW_MS : 0;
  }

  /** Sends what is owed now and waits for every hub told so far (tests: "no push" is then final). */
  async drain(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.windowEnd = 0;
    this.notify();
    await Promise.all([...this.inFlight]);
  }

  private windowEnded(): void {
    this.timer = undefined;
    this.windowEnd = this.notify() > 0 ? Date.now() + PUSH_WINDOW_MS : 0;
  }

  /** Tells the hubs what is owed; answers how many it told. */
  private notify(): number {
    if (this.owed.size === 0 || !this.log.ready) return 0;
    const now = Date.now();
    // Members with a socket open here, or no device, need nothing: in a live conversation that is everyone, every message.
    const away = this.log.memberIds().filter((id) => (this.noDevice.get(id) ?? 0) <= now && !this.watching(id));
    if (away.length === 0) {
      this.owed.clear();
      return 0;
    }
    const owed = [...this.owed.values()].map((message) => ({ message, hidden: this.hiddenFrom(message) }));
    this.owed.clear();
    const room = this.log.room;
    let rowFor: ReturnType<typeof chatListRowsFor> | undefined;
    let told = 0;
    for (const id of away) {
      const latest = owed
        .filter(({ message, hidden }) => message.senderId !== id && !hidden.has(id))
        .reduce<TextMessage | undefined>((a, { message: m }) => (a && a.seq > m.seq ? a : m), undefined);
      // A sender who left since is no longer in the log's members: their last words go unannounced.
      const senderName = latest && this.log.member(latest.senderId)?.displayName;
      if (!latest || senderName === undefined) continue;
      const notice: MessageNotice = {
        roomId: this.log.roomId,
        // An unnamed group's title as the member's chat list shows it: the names of (at most 4) others.
        roomTitle:
          room.kind === "group" ? (room.title ?? (rowFor ??= chatListRowsFor(this.log))(id).members.filter((m) => m.id !== id).map((m) => m.displayName).join(", ")) : null,
        senderId: latest.senderId,
        senderName,
        seq: latest.seq,
        body: latest.body,
      };
      const call = userHub(this.env, id)
        .messageArrived(notice)
        .then((skipMs) => {
          if (skipMs > 0) this.noDevice.set(id, Date.now() + skipMs);
          else this.noDevice.delete(id);
        })
        .catch((err: unknown) => console.error("telling a member's hub of a message failed", err))
        .finally(() => this.inFlight.delete(call));
      this.inFlight.add(call);
      told++;
    }
    return told;
  }
}

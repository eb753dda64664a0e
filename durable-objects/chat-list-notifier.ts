import { userHub } from "../worker/lib/hubs";
import type { AlarmClock } from "./alarm-clock";
import type { RoomBlocks } from "./room-blocks";
import type { RoomLog } from "./room-log/room-log";
import { chatListRowsFor, listsRoom } from "./room-log/views";

const WINDOW_MS = 300;
/** When this notifier wants the object's alarm: other parts set it too. */
const ALARM_KEY = "chat-list:alarm";
/**
 * How long after a window's end the backstop alarm fires. The window's own timer normally sends
 * what is owed first; the alarm only acts for an object evicted in between, and being this late
 * lets one alarm cover several busy windows (bench/README.md: an alarm per change cost ~15 % CPU).
 */
const ALARM_SLACK_MS = 2_000;

/**
 * Tells the members' chat lists (their UserHubs) that the room changed: at once, then at most once
 * per window with the latest state, since a live conversation changes the room several times a
 * second (each message, then the reader's cursor) and every change would otherwise cost one hub
 * call per member. A change owed at a window's end is never lost: the first one owed in a window
 * makes sure an alarm is set past that end, which sends it if this object was evicted meanwhile.
 */
export class ChatListNotifier {
  private windowEnd = 0;
  private owed = false;
  /** When the alarm this instance set will fire (0: none set by this instance). */
  private alarmAt = 0;
  /**
   * Members whose hub answered that no tab is open, and until when (this object's clock) it need not
   * be called. Losing this on eviction only costs calls; hubListening clears an entry early.
   */
  private readonly quietHubs = new Map<string, number>();
  /** Counts hubListening calls per member, so a quiet answer that crossed one is not believed. */
  private readonly hubWakes = new Map<string, number>();

  constructor(
    private readonly kv: SyncKvStorage,
    private readonly clock: AlarmClock,
    private readonly env: Env,
    private readonly log: RoomLog,
    private readonly blocks: RoomBlocks,
  ) {}

  changed(now = Date.now()): void {
    // Nobody to tell, so no window either: a member whose tab opens wakes this room and re-reads the list.
    if (this.everyHubQuiet(now)) return;
    if (now < this.windowEnd) {
      if (!this.owed) this.owe();
      this.owed = true;
      return;
    }
    this.notifyMembers().catch(logFailure);
    this.windowEnd = now + WINDOW_MS;
    setTimeout(() => this.windowEnded(), WINDOW_MS);
  }

  /** A member's hub has a tab open again: call it on every change from now on. */
  hubListening(userId: string): void {
    this.hubWakes.set(userId, (this.hubWakes.get(userId) ?? 0) + 1);
    this.quietHubs.delete(userId);
  }

  /**
   * The backstop, when the object's alarm fires (it is shared: alarm-clock.ts) at or after the time
   * this notifier asked for, which storage remembers. In the instance that asked, the window's timer
   * has already sent what was owed (or will, for a window still open, which then needs a later
   * alarm). In a fresh instance, after an eviction, nothing here knows whether a change was owed:
   * send the room's state to be sure.
   */
  async alarm(now = Date.now()): Promise<void> {
    const due = this.kv.get<number>(ALARM_KEY);
    if (due === undefined || due > now) return;
    this.kv.delete(ALARM_KEY);
    if (this.alarmAt === 0) return this.notifyMembers();
    this.alarmAt = 0;
    if (this.owed) this.owe();
  }

  private owe(): void {
    if (this.alarmAt >= this.windowEnd) return;
    this.alarmAt = this.windowEnd + ALARM_SLACK_MS;
    this.kv.put(ALARM_KEY, this.alarmAt);
    this.clock.at(this.alarmAt);
  }

  private windowEnded(): void {
    if (!this.owed) return;
    this.owed = false;
    this.changed();
  }

  private everyHubQuiet(now: number): boolean {
    return this.log.ready && this.log.memberIds().every((id) => (this.quietHubs.get(id) ?? 0) > now);
  }

  private async notifyMembers(): Promise<void> {
    if (!this.log.ready) return;
    const now = Date.now();
    // A member who left a 1:1 chat, or blocks the other, hears of it again once it is back in their list.
    const listening = this.log.memberIds().filter((id) => (this.quietHubs.get(id) ?? 0) <= now && listsRoom(this.log, this.blocks, id));
    if (listening.length === 0) return;
    const rowFor = chatListRowsFor(this.log, this.blocks);
    const callHub = async (id: string) => {
      const wakes = this.hubWakes.get(id) ?? 0;
      const quietMs = await userHub(this.env, id).roomChanged(this.log.roomId, rowFor(id));
      if (quietMs > 0 && (this.hubWakes.get(id) ?? 0) === wakes) this.quietHubs.set(id, Date.now() + quietMs);
    };
    await Promise.all(listening.map((id) => callHub(id).catch(logFailure)));
  }
}

const logFailure = (err: unknown) => console.error("telling the members' chat lists failed", err);

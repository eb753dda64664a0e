/** A room's sockets above which `read` frames are coalesced. */
export const COALESCE_ABOVE_SOCKETS = 16;
/** At most one flush of `read` frames per this window in a big room: a few per second. */
const WINDOW_MS = 250;

/**
 * The room's `read` frames. Every cursor move costs a frame to every socket, so when a big room
 * opens (everyone reads at once) that is members × sockets frames: with more than a few sockets the
 * moves are gathered for a window and each member's latest cursor goes out once at its end. Never
 * dropped: the last move of a window always leaves at its end. Small rooms send at once.
 */
export class ReadFanout {
  private readonly owed = new Map<string, number>();
  private windowEnd = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly socketCount: () => number,
    private readonly send: (userId: string, lastReadSeq: number) => void,
  ) {}

  moved(userId: string, lastReadSeq: number, now = Date.now()): void {
    if (this.owed.size === 0 && (now >= this.windowEnd || this.socketCount() <= COALESCE_ABOVE_SOCKETS)) {
      this.send(userId, lastReadSeq);
      this.windowEnd = now + WINDOW_MS;
      return;
    }
    this.owed.set(userId, Math.max(this.owed.get(userId) ?? 0, lastReadSeq));
    this.timer ??= setTimeout(() => this.flush(), Math.max(0, this.windowEnd - now));
  }

  private flush(): void {
    this.timer = undefined;
    const owed = [...this.owed];
    this.owed.clear();
    this.windowEnd = Date.now() + WINDOW_MS;
    for (const [userId, seq] of owed) this.send(userId, seq);
  }
}

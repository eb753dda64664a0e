/** A room's sockets above which cursor moves are gathered into `reads` frames. */
export const COALESCE_ABOVE_SOCKETS = 16;
/** At most one `reads` frame per this window in a big room: four a second. */
const WINDOW_MS = 250;

export interface CursorMove {
  userId: string;
  lastReadSeq: number;
}

/**
 * The room's cursor moves. Each costs a frame to every socket, so when a big room opens (everyone
 * reads at once) that is members × sockets frames. Past a few sockets the moves are gathered instead:
 * one `reads` frame per window carries each member's latest cursor, so a room sends at most a few a
 * second. Never dropped: what a window gathered always leaves at its end. Small rooms send `read` at once.
 */
export class ReadFanout {
  private readonly owed = new Map<string, number>();
  private windowEnd = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly socketCount: () => number,
    private readonly sendOne: (move: CursorMove) => void,
    private readonly sendMany: (moves: CursorMove[]) => void,
  ) {}

  moved(userId: string, lastReadSeq: number, now = Date.now()): void {
    if (this.owed.size === 0 && this.socketCount() <= COALESCE_ABOVE_SOCKETS) return this.sendOne({ userId, lastReadSeq });
    this.owed.set(userId, Math.max(this.owed.get(userId) ?? 0, lastReadSeq));
    this.timer ??= setTimeout(() => this.flush(), Math.max(0, this.windowEnd - now));
  }

  private flush(): void {
    this.timer = undefined;
    const moves = [...this.owed].map(([userId, lastReadSeq]) => ({ userId, lastReadSeq }));
    this.owed.clear();
    this.windowEnd = Date.now() + WINDOW_MS;
    this.sendMany(moves);
  }
}

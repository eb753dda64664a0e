import { type SQL, and, count, eq, gt, gte, lte, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/durable-sqlite";
import type { Message } from "../worker/contract";
import { blocks } from "../worker/db/schema";
import type { Db } from "../worker/db/client";
import { logMessages } from "./room-log/schema";

/** One member blocking another, from `from` (the block's `created_at`) to `to` (its removal; null while it stands). */
interface BlockSpan {
  blockerId: string;
  blockedId: string;
  from: number;
  to: number | null;
}

const KEY = "blocks";

/**
 * Who among the room's members blocks whom, and since when: a text message is hidden from a blocker
 * when its sender was blocked at its `sentAt`. Spans are kept after an unblock, so what was sent
 * meanwhile stays hidden. D1's `blocks` is the authority for the blocks that stand now: the block
 * routes tell each room the two share (`blockChanged`), and `reconcile` reads D1 when the room wakes
 * in case a call was lost. Times, not seqs, so the D1 chat list (worker/db/chat-list.ts), which only
 * has `blocks.created_at` and `messages.sent_at`, hides exactly the same messages.
 */
export class RoomBlocks {
  private spans: BlockSpan[];
  private readonly log;

  constructor(
    private readonly kv: SyncKvStorage,
    storage: DurableObjectStorage,
  ) {
    this.spans = kv.get<BlockSpan[]>(KEY) ?? [];
    this.log = drizzle(storage);
  }

  /** D1's standing blocks among these members: a span opens for each one not known here, and closes for each gone from D1. */
  async reconcile(db: Db, memberIds: string[], now = Date.now()): Promise<void> {
    const ids = JSON.stringify(memberIds);
    const rows = await db.select().from(blocks).where(and(inJson(blocks.userId, ids), inJson(blocks.blockedId, ids)));
    for (const r of rows) this.blocked(r.userId, r.blockedId, r.createdAt);
    for (const s of this.spans.filter((s) => s.to === null && !rows.some((r) => r.userId === s.blockerId && r.blockedId === s.blockedId)))
      this.unblocked(s.blockerId, s.blockedId, now);
  }

  /** Opens a span (a repeat of a standing block changes nothing). */
  blocked(blockerId: string, blockedId: string, at: number): void {
    if (this.standing(blockerId, blockedId)) return;
    this.spans.push({ blockerId, blockedId, from: at, to: null });
    this.save();
  }

  /** Closes the standing span, if any: messages sent from now on reach the blocker again. */
  unblocked(blockerId: string, blockedId: string, at: number): void {
    const span = this.spans.find((s) => s.blockerId === blockerId && s.blockedId === blockedId && s.to === null);
    if (!span) return;
    span.to = at;
    this.save();
  }

  /** Whether the block stands now. */
  standing(blockerId: string, blockedId: string): boolean {
    return this.spans.some((s) => s.blockerId === blockerId && s.blockedId === blockedId && s.to === null);
  }

  /** Who must get this message as a placeholder: the members whose block of its sender covers its time. */
  hiddenFrom(message: Message): Set<string> {
    if (message.kind !== "text" || this.spans.length === 0) return new Set();
    const at = Date.parse(message.sentAt);
    return new Set(this.spans.filter((s) => s.blockedId === message.senderId && covers(s, at)).map((s) => s.blockerId));
  }

  /** The message as this reader may see it: a blocked sender's text becomes a placeholder with the same seq. */
  shape(readerId: string, message: Message): Message {
    return this.hiddenFrom(message).has(readerId) ? placeholder(message) : message;
  }

  /** How many text messages above `cursor` are hidden from the reader: they are never unread. */
  hiddenAbove(readerId: string, cursor: number): number {
    let n = 0;
    for (const s of this.spansOf(readerId)) {
      n += this.log
        .select({ n: count() })
        .from(logMessages)
        .where(
          and(
            eq(logMessages.senderId, s.blockedId),
            eq(logMessages.kind, "text"),
            gt(logMessages.seq, cursor),
            gte(logMessages.sentAt, s.from),
            s.to === null ? undefined : lte(logMessages.sentAt, s.to),
          ),
        )
        .get()!.n;
    }
    return n;
  }

  private spansOf(readerId: string): BlockSpan[] {
    return this.spans.filter((s) => s.blockerId === readerId);
  }

  private save(): void {
    this.kv.put(KEY, this.spans);
  }
}

export const placeholder = (message: Message): Message => ({ ...message, body: "", hidden: true }) as Message;

const covers = (s: BlockSpan, at: number) => at >= s.from && (s.to === null || at <= s.to);

/** One JSON parameter for the whole id list: D1 binds at most 100. */
const inJson = (column: typeof blocks.userId | typeof blocks.blockedId, ids: string): SQL => sql`${column} in (select value from json_each(${ids}))`;

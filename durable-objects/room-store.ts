import { and, eq, lt, sql } from "drizzle-orm";
import type { Message } from "../worker/contract";
import { type Db, type PreparedBatchStatement, prepareForBatch, readRow } from "../worker/db/client";
import { messages, roomMembers, rooms } from "../worker/db/schema";
import { toMessage } from "../worker/db/views";

export interface Draft {
  senderId: string;
  clientId: string;
  body: string;
  sentAt: number;
  /** The clientId of the sender's message written just before this one, which must be stored first. */
  after?: string;
}

/** A draft's fate: stored (or found stored before), or refused: its `after` is not stored yet, or its sender left. */
export type Committed =
  | {
      /** The stored message: this send's, or the original when (sender, clientId) was stored before. */
      message: Message;
      /** False for a repeat: the original already moved the room and the sender's cursor. */
      stored: boolean;
    }
  | { outOfOrder: true };

const p = sql.placeholder;

/**
 * A room's writes. The send path's statement is built by drizzle once per object, with
 * placeholders, and only bound per message: building it for every message cost ~0.13 ms, a
 * tenth of a message's CPU in the benchmark's ping-pong.
 */
export class RoomStore {
  private readonly insertMessage: PreparedBatchStatement;
  /** The binding under `db`: batches go straight to it, so the two can never disagree. */
  private readonly d1: D1Database;

  constructor(private readonly db: Db) {
    this.d1 = db.$client;
    // Sender order (docs/architecture.md): a draft that names the message written before it is
    // stored only once that one is, so nothing overtakes a refused or lost send.
    const storedBefore = sql`(${p("after")} is null or exists (select 1 from ${messages} where ${messages.roomId} = ${p("roomId")} and ${messages.senderId} = ${p("senderId")} and ${messages.clientId} = ${p("after")}))`;
    // A send queued before its sender left the group (checked by the Worker, then overtaken by the leave) stores nothing.
    const stillMember = sql`exists (select 1 from ${roomMembers} where ${roomMembers.roomId} = ${p("roomId")} and ${roomMembers.userId} = ${p("senderId")})`;
    this.insertMessage = prepareForBatch(
      this.d1,
      db
        .insert(messages)
        .select(
          db
            .select({
              id: sql`${p("id")}`.as("id"),
              roomId: rooms.id,
              seq: sql`${rooms.lastSeq} + 1`.as("seq"),
              senderId: sql`${p("senderId")}`.as("sender_id"),
              clientId: sql`${p("clientId")}`.as("client_id"),
              body: sql`${p("body")}`.as("body"),
              sentAt: sql`${p("sentAt")}`.as("sent_at"),
              kind: sql`'text'`.as("kind"),
              event: sql`null`.as("event"),
            })
            .from(rooms)
            .where(and(eq(rooms.id, p("roomId")), storedBefore, stillMember)),
        )
        .onConflictDoUpdate({ target: [messages.roomId, messages.senderId, messages.clientId], set: { clientId: sql`excluded.client_id` } })
        .returning(),
    );
  }

  /**
   * Stores a group of sends in one D1 batch (one transaction), one statement per send. The room's
   * last message and the sender's read cursor (you have read what you answer, which keeps
   * unread = last_seq − cursor exact) move in the same statement, by the
   * `messages_keep_room_current` trigger (migrations/0001). That trigger also keeps `last_seq` at
   * the highest stored seq, so seq is `last_seq` + 1 from the room row the statement reads anyway:
   * a `max(seq)` subquery on messages cost about 0.05 ms of a message's 1.2 ms CPU
   * (bench/README.md). A repeated (sender, clientId) hits the unique index and the upsert's no-op
   * update hands back the stored row instead, so nothing is stored twice and seq stays gap-free.
   * A draft whose `after` is not stored, or whose sender is no longer a member, selects no row:
   * nothing is written and it comes back refused (`outOfOrder`; the room tells the two apart). The drafts of one batch see each other, so a draft may follow one earlier in its batch.
   */
  async commitDrafts(roomId: string, drafts: Draft[]): Promise<Committed[]> {
    const ids = drafts.map(() => crypto.randomUUID());
    const results = await this.d1.batch<Record<string, unknown>>(
      drafts.map((d, i) => this.insertMessage({ id: ids[i], roomId, senderId: d.senderId, clientId: d.clientId, body: d.body, sentAt: d.sentAt, after: d.after ?? null })),
    );
    return results.map((result, i) => {
      const row = result.results[0];
      if (!row) return { outOfOrder: true };
      const message = toMessage(readRow(messages, row));
      return { message, stored: message.id === ids[i] };
    });
  }

  /** Moves a member's cursor forward only (a seq past the end counts as the end); null when it did not move. */
  async advanceCursor(roomId: string, userId: string, seq: number): Promise<number | null> {
    const target = sql`min(${seq}, (select ${rooms.lastSeq} from ${rooms} where ${rooms.id} = ${roomId}))`;
    const row = await this.db
      .update(roomMembers)
      .set({ lastReadSeq: target })
      .where(and(eq(roomMembers.roomId, roomId), eq(roomMembers.userId, userId), lt(roomMembers.lastReadSeq, target)))
      .returning({ lastReadSeq: roomMembers.lastReadSeq })
      .get();
    return row?.lastReadSeq ?? null;
  }
}

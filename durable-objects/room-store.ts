import { and, eq, lt, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Message } from "../worker/contract";
import type { Db } from "../worker/db/client";
import { messages, roomMembers, rooms } from "../worker/db/schema";
import { toMessage } from "../worker/db/views";

export interface Draft {
  senderId: string;
  clientId: string;
  body: string;
  sentAt: number;
}

interface Committed {
  /** The stored message: this send's, or the original when (sender, clientId) was stored before. */
  message: Message;
  senderLastReadSeq: number;
}

type Statement = BatchItem<"sqlite">;

/**
 * Stores a group of sends and the room's last message in one D1 batch (one transaction), two
 * statements per send plus one for the room. seq is computed inside the transaction as max(seq)+1.
 * A repeated (sender, clientId) hits the unique index and the upsert's no-op update hands back the
 * stored row instead, so nothing is stored twice and seq stays gap-free. Sending also moves the
 * sender's read cursor to their message, which keeps unread = last_seq − cursor exact.
 */
export const commitDrafts = async (db: Db, roomId: string, drafts: Draft[]): Promise<Committed[]> => {
  const statements: Statement[] = [];
  for (const d of drafts) {
    const id = crypto.randomUUID();
    statements.push(
      db
        .insert(messages)
        .select(
          db
            .select({
              id: sql`${id}`.as("id"),
              roomId: rooms.id,
              seq: sql`coalesce((select max(seq) from messages where room_id = ${roomId}), 0) + 1`.as("seq"),
              senderId: sql`${d.senderId}`.as("sender_id"),
              clientId: sql`${d.clientId}`.as("client_id"),
              body: sql`${d.body}`.as("body"),
              sentAt: sql`${d.sentAt}`.as("sent_at"),
            })
            .from(rooms)
            .where(eq(rooms.id, roomId)),
        )
        .onConflictDoUpdate({ target: [messages.roomId, messages.senderId, messages.clientId], set: { clientId: sql`excluded.client_id` } })
        .returning(),
      db
        .update(roomMembers)
        .set({
          lastReadSeq: sql`max(${roomMembers.lastReadSeq}, (select seq from messages where room_id = ${roomId} and sender_id = ${d.senderId} and client_id = ${d.clientId}))`,
        })
        .where(and(eq(roomMembers.roomId, roomId), eq(roomMembers.userId, d.senderId)))
        .returning({ lastReadSeq: roomMembers.lastReadSeq }),
    );
  }
  const newest = (column: string) => sql`(select ${sql.raw(column)} from messages where room_id = ${roomId} order by seq desc limit 1)`;
  statements.push(
    db.update(rooms).set({ lastSeq: newest("seq"), lastMessageId: newest("id"), updatedAt: newest("sent_at") }).where(eq(rooms.id, roomId)),
  );
  const results = (await db.batch(statements as [Statement, ...Statement[]])) as unknown[][];
  return drafts.map((_, i) => {
    const [stored, cursor] = [results[2 * i], results[2 * i + 1]] as [(typeof messages.$inferSelect)[], { lastReadSeq: number }[]];
    return { message: toMessage(stored[0]!), senderLastReadSeq: cursor[0]?.lastReadSeq ?? 0 };
  });
};

/** Moves a member's cursor forward only (a seq past the end counts as the end); null when it did not move. */
export const advanceCursor = async (db: Db, roomId: string, userId: string, seq: number): Promise<number | null> => {
  const target = sql`min(${seq}, (select ${rooms.lastSeq} from ${rooms} where ${rooms.id} = ${roomId}))`;
  const row = await db
    .update(roomMembers)
    .set({ lastReadSeq: target })
    .where(and(eq(roomMembers.roomId, roomId), eq(roomMembers.userId, userId), lt(roomMembers.lastReadSeq, target)))
    .returning({ lastReadSeq: roomMembers.lastReadSeq })
    .get();
  return row?.lastReadSeq ?? null;
};

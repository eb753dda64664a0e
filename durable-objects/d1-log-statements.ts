import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../worker/db/client";
import { messages, roomMembers, rooms } from "../worker/db/schema";
import type { LogMessage } from "./room-log/room-log";

/** A JSON parameter's size at most: D1 takes strings up to 2 MB; a batch of long messages splits into several statements. */
const JSON_CHUNK_BYTES = 512 * 1024;
const utf8 = new TextEncoder();

/**
 * The room log's messages as D1 statements: each list enters as one JSON parameter (D1 binds at
 * most 100 parameters per statement) read with json_each. `OR IGNORE` on (room, seq) makes a
 * repeat of a batch whose answer was lost a no-op; the `messages_keep_room_current` trigger
 * (migrations/0003) moves D1's room row and the sender's cursor as for any insert.
 */
export const insertMessages = (db: Db, roomId: string, rows: LogMessage[]) => chunkByBytes(rows).map((chunk) => insertChunk(db, roomId, chunk));

const insertChunk = (db: Db, roomId: string, rows: LogMessage[]) => {
  const each = sql`json_each(${JSON.stringify(rows)})`;
  return db
    .insert(messages)
    .select(
      db
        .select({
          id: sql`value->>'id'`.as("id"),
          roomId: sql`${roomId}`.as("room_id"),
          seq: sql`value->>'seq'`.as("seq"),
          senderId: sql`value->>'senderId'`.as("sender_id"),
          clientId: sql`value->>'clientId'`.as("client_id"),
          body: sql`value->>'body'`.as("body"),
          sentAt: sql`value->>'sentAt'`.as("sent_at"),
          kind: sql`value->>'kind'`.as("kind"),
          event: sql`value->>'event'`.as("event"),
        })
        .from(each)
        // json_each walks the array in order, so the trigger sees seqs ascending.
        .orderBy(sql`key`),
    )
    .onConflictDoNothing();
};

const chunkByBytes = (rows: LogMessage[]): LogMessage[][] => {
  const chunks: LogMessage[][] = [];
  let chunk: LogMessage[] = [];
  let bytes = 0;
  for (const row of rows) {
    const size = utf8.encode(row.body).length + 256;
    if (chunk.length > 0 && bytes + size > JSON_CHUNK_BYTES) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(row);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
};

/** The members' read cursors, forward only (the cursor trigger grows D1's version on a move). */
export const moveCursors = (db: Db, roomId: string, cursors: Map<string, number>) => {
  const json = JSON.stringify(Object.fromEntries(cursors));
  const target = sql<number>`coalesce(${json} ->> ('$."' || ${roomMembers.userId} || '"'), 0)`;
  return db
    .update(roomMembers)
    .set({ lastReadSeq: sql`max(${roomMembers.lastReadSeq}, ${target})` })
    .where(and(eq(roomMembers.roomId, roomId), sql`${roomMembers.userId} in (select key from json_each(${json}))`));
};

/** D1's copy of the room's version becomes the log's (which counts at least what D1's triggers do: room-log.ts). */
export const setVersion = (db: Db, roomId: string, version: number) =>
  db.update(rooms).set({ version: sql`max(${rooms.version}, ${version})` }).where(eq(rooms.id, roomId));

import { type Placeholder, and, eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { type Db, type PreparedBatchStatement, prepareForBatch } from "../worker/db/client";
import { messages, roomMembers, rooms } from "../worker/db/schema";
import type { LogMessage } from "./room-log/room-log";

/** A JSON parameter's size at most: D1 takes strings up to 2 MB; a batch of long messages splits into several statements. */
const JSON_CHUNK_BYTES = 512 * 1024;

/** A value, or a placeholder bound per use (the write-behind's statements are built once: `logStatements`). */
type Param<T> = T | Placeholder;

/**
 * The room log's messages as a D1 statement: the list enters as one JSON parameter (D1 binds at
 * most 100 parameters per statement) read with json_each. `OR IGNORE` on (room, seq) makes a
 * repeat of a batch whose answer was lost a no-op; the `messages_keep_room_current` trigger
 * (migrations/0003) moves D1's room row and the sender's cursor as for any insert.
 */
const insertMessages = (db: Db, roomId: Param<string>, rowsJson: Param<string>) =>
  db
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
        .from(sql`json_each(${rowsJson})`)
        // json_each walks the array in order, so the trigger sees seqs ascending.
        .orderBy(sql`key`),
    )
    .onConflictDoNothing();

/** The members' read cursors (a JSON object, user id → seq), forward only (the cursor trigger grows D1's version on a move). */
const moveCursors = (db: Db, roomId: Param<string>, cursorsJson: Param<string>) => {
  const target = sql<number>`coalesce(${cursorsJson} ->> ('$."' || ${roomMembers.userId} || '"'), 0)`;
  return db
    .update(roomMembers)
    .set({ lastReadSeq: sql`max(${roomMembers.lastReadSeq}, ${target})` })
    .where(and(eq(roomMembers.roomId, roomId), sql`${roomMembers.userId} in (select key from json_each(${cursorsJson}))`));
};

/** D1's copy of the room's version becomes the log's (which counts at least what D1's triggers do: room-log.ts). */
export const setVersion = (db: Db, roomId: Param<string>, version: Param<number>) =>
  db.update(rooms).set({ version: sql`max(${rooms.version}, ${version})` }).where(eq(rooms.id, roomId));

const chunkByBytes = (rows: LogMessage[]): LogMessage[][] => {
  const chunks: LogMessage[][] = [];
  let chunk: LogMessage[] = [];
  let bytes = 0;
  for (const row of rows) {
    // At most 3 UTF-8 bytes per UTF-16 unit: a bound, without encoding every body of every batch.
    const size = row.body.length * 3 + 256;
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

/**
 * The write-behind's statements for a D1 binding: built by drizzle once, bound per batch. Building
 * them for every batch cost the room more CPU than D1's own work (bench/README.md).
 */
class LogStatements {
  private readonly insert: PreparedBatchStatement;
  private readonly moveCursors: PreparedBatchStatement;
  private readonly setVersion: PreparedBatchStatement;

  constructor(d1: D1Database) {
    const db = drizzle(d1);
    const p = sql.placeholder;
    this.insert = prepareForBatch(d1, insertMessages(db, p("roomId"), p("rows")));
    this.moveCursors = prepareForBatch(d1, moveCursors(db, p("roomId"), p("cursors")));
    this.setVersion = prepareForBatch(d1, setVersion(db, p("roomId"), p("version")));
  }

  messages(roomId: string, rows: LogMessage[]): D1PreparedStatement[] {
    return chunkByBytes(rows).map((chunk) => this.insert({ roomId, rows: JSON.stringify(chunk) }));
  }

  cursors(roomId: string, moved: Map<string, number>): D1PreparedStatement {
    return this.moveCursors({ roomId, cursors: JSON.stringify(Object.fromEntries(moved)) });
  }

  version(roomId: string, version: number): D1PreparedStatement {
    return this.setVersion({ roomId, version });
  }
}

const statementsFor = new WeakMap<D1Database, LogStatements>();

export const logStatements = (d1: D1Database): LogStatements => {
  let statements = statementsFor.get(d1);
  if (!statements) statementsFor.set(d1, (statements = new LogStatements(d1)));
  return statements;
};

import { type Placeholder, and, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { type Db, type PreparedBatchStatement, prepareForBatch } from "../worker/db/client";
import { messages, roomMembers, rooms } from "../worker/db/schema";
import type { LogMessage } from "./room-log/room-log";

/** A JSON parameter's size at most: D1 takes strings up to 2 MB; a batch of long messages splits into several statements. */
const JSON_CHUNK_BYTES = 512 * 1024;

/** A value, or a placeholder bound per use (the write-behind's statements are built once: `logStatements`). */
type Param<T> = T | Placeholder;

/**
 * Rooms' log messages as one D1 statement: the list enters as one JSON parameter (D1 binds at most
 * 100 parameters per statement) read with json_each, each row naming its room. `OR IGNORE` on
 * (room, seq) makes a repeat of a batch whose answer was lost a no-op; the
 * `messages_keep_room_current` trigger (migrations/0003) moves D1's room row and the sender's
 * cursor as for any insert.
 */
const insertMessages = (db: Db, rowsJson: Param<string>) =>
  db
    .insert(messages)
    .select(
      db
        .select({
          id: sql`value->>'id'`.as("id"),
          roomId: sql`value->>'roomId'`.as("room_id"),
          seq: sql`value->>'seq'`.as("seq"),
          senderId: sql`value->>'senderId'`.as("sender_id"),
          clientId: sql`value->>'clientId'`.as("client_id"),
          body: sql`value->>'body'`.as("body"),
          sentAt: sql`value->>'sentAt'`.as("sent_at"),
          kind: sql`value->>'kind'`.as("kind"),
          event: sql`value->>'event'`.as("event"),
        })
        .from(sql`json_each(${rowsJson})`)
        // json_each walks the array in order, so the trigger sees each room's seqs ascending.
        .orderBy(sql`key`),
    )
    .onConflictDoNothing();

/**
 * Members' read cursors (a JSON object, room id → user id → seq), forward only (the cursor trigger
 * grows D1's version on a move). Ids are UUIDs, safe inside a JSON path.
 */
const moveCursors = (db: Db, cursorsJson: Param<string>) => {
  const target = sql<number>`${cursorsJson} ->> ('$."' || ${roomMembers.roomId} || '"."' || ${roomMembers.userId} || '"')`;
  return db
    .update(roomMembers)
    .set({ lastReadSeq: sql`max(${roomMembers.lastReadSeq}, ${target})` })
    .where(and(sql`${roomMembers.roomId} in (select key from json_each(${cursorsJson}))`, sql`${target} is not null`));
};

/** Rooms' versions in D1 (a JSON object, room id → version) become the logs' (which count at least what D1's triggers do: room-log.ts). */
export const setVersions = (db: Db, versionsJson: Param<string>) =>
  db
    .update(rooms)
    .set({ version: sql`max(${rooms.version}, ${versionsJson} ->> ('$."' || ${rooms.id} || '"'))` })
    .where(sql`${rooms.id} in (select key from json_each(${versionsJson}))`);

const chunkByBytes = (rows: RoomRow[]): RoomRow[][] => {
  const chunks: RoomRow[][] = [];
  let chunk: RoomRow[] = [];
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

/** A log message with the room it belongs to: rows of several rooms share a statement. */
export type RoomRow = LogMessage & { roomId: string };

/** What D1 lacks of several rooms, in the shapes the statements bind. */
export interface LogChanges {
  rows: RoomRow[];
  /** room id → user id → seq */
  cursors: Record<string, Record<string, number>>;
  /** room id → version */
  versions: Record<string, number>;
}

/**
 * The write-behind's statements for a D1 binding: built by drizzle once, bound per batch. Building
 * them for every batch cost the room more CPU than D1's own work (bench/README.md). However many
 * rooms a batch carries, it is at most three statements (more only for rows past a JSON chunk).
 */
class LogStatements {
  private readonly insert: PreparedBatchStatement;
  private readonly moveCursors: PreparedBatchStatement;
  private readonly setVersions: PreparedBatchStatement;

  constructor(d1: D1Database) {
    const db = drizzle(d1);
    const p = sql.placeholder;
    this.insert = prepareForBatch(d1, insertMessages(db, p("rows")));
    this.moveCursors = prepareForBatch(d1, moveCursors(db, p("cursors")));
    this.setVersions = prepareForBatch(d1, setVersions(db, p("versions")));
  }

  for({ rows, cursors, versions }: LogChanges): D1PreparedStatement[] {
    return [
      ...chunkByBytes(rows).map((chunk) => this.insert({ rows: JSON.stringify(chunk) })),
      ...(Object.keys(cursors).length > 0 ? [this.moveCursors({ cursors: JSON.stringify(cursors) })] : []),
      ...(Object.keys(versions).length > 0 ? [this.setVersions({ versions: JSON.stringify(versions) })] : []),
    ];
  }
}

const statementsFor = new WeakMap<D1Database, LogStatements>();

export const logStatements = (d1: D1Database): LogStatements => {
  let statements = statementsFor.get(d1);
  if (!statements) statementsFor.set(d1, (statements = new LogStatements(d1)));
  return statements;
};

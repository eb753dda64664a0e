import { and, asc, desc, eq, gt, gte, lt, sql } from "drizzle-orm";
import { type DrizzleSqliteDODatabase, drizzle } from "drizzle-orm/durable-sqlite";
import { migrate } from "drizzle-orm/durable-sqlite/migrator";
import type { Message, SystemEvent } from "../../worker/contract";
import { toMessage } from "../../worker/db/views";
import migrations from "./migrations/migrations.js";
import { logMembers, logMessages, logRoom } from "./schema";

export type LogRoom = typeof logRoom.$inferSelect;
export type LogMember = typeof logMembers.$inferSelect;
export type LogMessage = typeof logMessages.$inferSelect;

export interface Draft {
  senderId: string;
  clientId: string;
  body: string;
  sentAt: number;
  /** The clientId of the sender's message written just before this one, which must be stored first. */
  after?: string;
}

/** A draft's fate: stored (or found stored before), or refused. */
export type Committed =
  | {
      /** The stored message: this send's, or the original when (sender, clientId) was stored before. */
      message: Message;
      /** False for a repeat: the original already moved the room and the sender's cursor. */
      stored: boolean;
    }
  | { refused: "out_of_order" | "not_member" };

/**
 * How much a change grows the room's `version`. D1's triggers grow its copy by one per message and
 * one per cursor move (migrations/0003); the write-behind then sets it to this object's, so counting
 * here at least what the triggers count keeps D1's never ahead: a text message also moves its
 * sender's cursor, two. A member's own flags (no trigger) change every view of theirs: one. The
 * log's own trigger (migrations/0002) steps a stored message's version as these do.
 */
const VERSION_STEP = { text: 2, system: 1, cursor: 1, memberFlags: 1 } as const;

const p = sql.placeholder;
/** Messages D1 lacks that are kept in memory for the write-behind; past this (D1 down a while) they are read back from storage. */
const UNSENT_IN_MEMORY = 1_000;
/** A message row bound per use: the log's prepared inserts take one. */
const messageRow = { seq: p("seq"), id: p("id"), senderId: p("senderId"), clientId: p("clientId"), body: p("body"), sentAt: p("sentAt"), kind: p("kind"), event: p("event") };

/**
 * A room's log, members and read cursors in its object's own SQLite: the room's truth for
 * everything but who may join (D1's `room_members`, which this mirrors). The room row and the
 * members are kept in memory too and written through, so the send path reads only what it must
 * look up (a repeat, a predecessor). Every method is synchronous: writes with no `await` between
 * them commit together, and the object's output gate holds its acks until they are durable.
 */
export class RoomLog {
  private readonly db: DrizzleSqliteDODatabase;
  private state?: LogRoom;
  private readonly memberRows = new Map<string, LogMember>();
  /** Seqs of the system messages, ascending: unread counts leave them out. */
  private systemSeqs: number[] = [];
  /**
   * The messages D1 lacks, ascending, while this instance stored every one of them (null: read them
   * from storage). The write-behind reads them every window; a query per window cost it more than D1's part.
   */
  private unsent: LogMessage[] | null = [];
  /** Each sender's last stored clientId: the usual `after`, confirmed without a lookup. */
  private readonly lastClientOf = new Map<string, string>();
  private readonly findSent;
  private readonly findBySeq;
  private readonly findAfter;
  private readonly insertMessage;
  private readonly insertNew;
  private readonly importMessage;
  private readonly updateRoom;
  private readonly updateCursor;

  constructor(
    private readonly storage: DurableObjectStorage,
    readonly roomId: string,
  ) {
    this.db = drizzle(storage);
    this.findSent = this.db
      .select()
      .from(logMessages)
      .where(and(eq(logMessages.senderId, p("senderId")), eq(logMessages.clientId, p("clientId"))))
      .prepare();
    this.findBySeq = this.db.select().from(logMessages).where(eq(logMessages.seq, p("seq"))).prepare();
    // The write-behind reads what D1 lacks every window: built once, like the send path's statements.
    this.findAfter = this.db.select().from(logMessages).where(gt(logMessages.seq, p("seq"))).orderBy(asc(logMessages.seq)).limit(p("limit")).prepare();
    this.insertMessage = this.db
      .insert(logMessages)
      .values(messageRow)
      .prepare();
    // A send's insert doubles as its repeat check: a (sender, clientId) stored before returns nothing.
    // Run it with `get()`: a RETURNING statement whose row is left unread keeps its transaction from
    // committing (SQLITE_BUSY), which is why the import keeps a statement of its own.
    this.insertNew = this.db.insert(logMessages).values(messageRow).onConflictDoNothing().returning({ seq: logMessages.seq }).prepare();
    // An import that was cut short writes its last page again: the rows it has already are kept.
    this.importMessage = this.db
      .insert(logMessages)
      .values(messageRow)
      .onConflictDoNothing()
      .prepare();
    // Every commit writes the room row and a cursor: built once, bound per use (a build costs more than the write).
    this.updateRoom = this.db
      .update(logRoom)
      .set({ title: sql`${p("title")}`, lastSeq: sql`${p("lastSeq")}`, version: sql`${p("version")}`, d1Seq: sql`${p("d1Seq")}` })
      .prepare();
    this.updateCursor = this.db
      .update(logMembers)
      .set({ lastReadSeq: sql`${p("lastReadSeq")}`, d1ReadSeq: sql`${p("d1ReadSeq")}` })
      .where(eq(logMembers.userId, p("userId")))
      .prepare();
  }

  /** Brings the tables to the current schema and loads the room; false while the room has no log here (not imported or created yet). */
  async open(): Promise<boolean> {
    await migrate(this.db, migrations);
    return this.load();
  }

  get ready(): boolean {
    return this.state !== undefined;
  }

  get room(): LogRoom {
    if (!this.state) throw new Error(`room ${this.roomId} has no log here`);
    return this.state;
  }

  members(): LogMember[] {
    return [...this.memberRows.values()];
  }

  member(userId: string): LogMember | undefined {
    return this.memberRows.get(userId);
  }

  memberIds(): string[] {
    return [...this.memberRows.keys()];
  }

  /** The system messages above a cursor: unread = last seq − cursor − these. */
  systemAbove(cursor: number): number {
    let n = 0;
    for (let i = this.systemSeqs.length - 1; i >= 0 && this.systemSeqs[i]! > cursor; i--) n++;
    return n;
  }

  /**
   * Stores a group of sends in one transaction, each with the room's next seq, and moves each
   * sender's cursor to their last one (you have read what you answer, so unread = last seq − cursor
   * stays exact). A repeated (sender, clientId) hands back the stored message; a draft whose `after`
   * is not stored (sender order, docs/architecture.md) or whose sender left stores nothing. The
   * drafts of one group see each other, so a draft may follow one earlier in its group.
   */
  commitDrafts(drafts: Draft[]): Committed[] {
    const room = this.room;
    // A send is one statement: its trigger moves the room row and the sender's cursor
    // (migrations/0002). So a lone draft needs no transaction around it; a group is all or nothing.
    return this.atomically(
      () => drafts.map((d): Committed => {
        const repeat = () => {
          const found = this.findSent.get({ senderId: d.senderId, clientId: d.clientId });
          return found && { message: this.toMessage(found), stored: false };
        };
        if (!this.memberRows.has(d.senderId)) return repeat() ?? { refused: "not_member" };
        // A repeat's `after` was stored before it was: only a new message can fail this.
        if (d.after !== undefined && d.after !== this.lastClientOf.get(d.senderId) && !this.findSent.get({ senderId: d.senderId, clientId: d.after }))
          return repeat() ?? { refused: "out_of_order" };
        const row: LogMessage = { seq: room.lastSeq + 1, id: crypto.randomUUID(), senderId: d.senderId, clientId: d.clientId, body: d.body, sentAt: d.sentAt, kind: "text", event: null };
        if (!this.insertNew.get(row)) {
          // Not a repeat: the seq was taken, so memory is behind storage. Throwing undoes the group and reads memory again.
          const again = repeat();
          if (!again) throw new Error(`seq ${row.seq} is taken in room ${this.roomId}`);
          return again;
        }
        this.unsentAdd(row);
        this.lastClientOf.set(d.senderId, d.clientId);
        room.lastSeq = row.seq;
        room.version += VERSION_STEP.text;
        this.memberRows.get(d.senderId)!.lastReadSeq = row.seq;
        return { message: this.toMessage(row), stored: true };
      }),
      drafts.length > 1,
    );
  }

  /** The system message a membership or title change will be stored as, with the room's next seq (not stored yet: see `applyChange`). */
  nextSystem(actorId: string, event: SystemEvent, sentAt: number): LogMessage {
    const id = crypto.randomUUID();
    return { seq: (this.state?.lastSeq ?? 0) + 1, id, senderId: actorId, clientId: `system:${id}`, body: "", sentAt, kind: "system", event: JSON.stringify(event) };
  }

  /**
   * Stores a membership or title change that D1 has taken: its system message, the room (created
   * for a new group), the members who joined (reading from the message on) and left, and what D1
   * now holds (everything up to the message, the cursors it was sent).
   */
  applyChange(change: {
    message: LogMessage;
    room?: Pick<LogRoom, "id" | "kind" | "title">;
    title?: string | null;
    /** Who joined, reading from `seq` on (0: the room's first members). */
    joined?: { members: Pick<LogMember, "userId" | "username" | "displayName">[]; seq: number };
    left: string[];
    d1Cursors: Map<string, number>;
  }): void {
    const { message } = change;
    this.atomically(() => {
      if (!this.state) {
        this.state = { ...change.room!, lastSeq: 0, version: 0, d1Seq: 0 };
        this.db.insert(logRoom).values(this.state).run();
      }
      const room = this.state;
      this.insertMessage.run(message);
      this.unsentAdd(message);
      this.systemSeqs.push(message.seq);
      room.lastSeq = message.seq;
      room.version += VERSION_STEP.system;
      room.d1Seq = message.seq;
      if (change.title !== undefined) room.title = change.title;
      this.writeRoom();
      for (const userId of change.left) {
        this.memberRows.delete(userId);
        this.db.delete(logMembers).where(eq(logMembers.userId, userId)).run();
      }
      const joined = change.joined;
      for (const m of joined?.members ?? [])
        this.putMember({ ...m, lastReadSeq: joined!.seq, joinedSeq: joined!.seq, d1ReadSeq: joined!.seq, muted: false, pinnedAt: null });
      this.sentToD1(message.seq, change.d1Cursors);
    });
  }

  /** A member's own flags, as D1 took them (room-settings.ts); the room's views change, so its version grows. */
  setFlags(userId: string, flags: Pick<LogMember, "muted" | "pinnedAt">): void {
    const member = this.memberRows.get(userId);
    if (!member) return;
    this.atomically(() => {
      Object.assign(member, flags);
      this.db.update(logMembers).set(flags).where(eq(logMembers.userId, userId)).run();
      this.room.version += VERSION_STEP.memberFlags;
      this.writeRoom();
    });
  }

  /**
   * A member left a 1:1 chat, as D1 took it (room-settings.ts): they see from the next message on,
   * have read everything, and their flags start over. Cursor and flags changed: one version step.
   */
  hide(userId: string, hidden: Pick<LogMember, "joinedSeq" | "lastReadSeq">): void {
    const member = this.memberRows.get(userId);
    if (!member) return;
    this.atomically(() => {
      Object.assign(member, { ...hidden, d1ReadSeq: hidden.lastReadSeq, muted: false, pinnedAt: null });
      this.putMember(member);
      this.room.version += VERSION_STEP.cursor;
      this.writeRoom();
    });
  }

  /** Moves a member's cursor forward only (a seq past the end counts as the end); null when it did not move. */
  advanceCursor(userId: string, seq: number): number | null {
    const member = this.memberRows.get(userId);
    const target = Math.min(seq, this.room.lastSeq);
    if (!member || target <= member.lastReadSeq) return null;
    member.lastReadSeq = target;
    this.room.version += VERSION_STEP.cursor;
    this.writeCursor(userId);
    this.writeRoom();
    return target;
  }

  /** Moves where a member starts reading (D1's copy is written first by the caller): nothing before `seq` is theirs to read. */
  moveJoinedSeq(userId: string, seq: number): void {
    const member = this.memberRows.get(userId);
    if (!member) return;
    member.joinedSeq = seq;
    this.db.update(logMembers).set({ joinedSeq: seq }).where(eq(logMembers.userId, userId)).run();
  }

  /**
   * A page of history, ascending by seq, and whether more lies beyond it. `visibleFrom` is the
   * reader's `joinedSeq`: nothing said before they joined is read, whichever way they page.
   */
  page(query: { before?: number; after?: number; limit: number }, visibleFrom: number): { messages: Message[]; hasMore: boolean } {
    const forward = query.after !== undefined;
    const bound = forward ? gt(logMessages.seq, query.after!) : query.before !== undefined ? lt(logMessages.seq, query.before) : undefined;
    const rows = this.db
      .select()
      .from(logMessages)
      .where(and(bound, visibleFrom > 0 ? gte(logMessages.seq, visibleFrom) : undefined))
      .orderBy(forward ? asc(logMessages.seq) : desc(logMessages.seq))
      .limit(query.limit + 1)
      .all();
    const hasMore = rows.length > query.limit;
    const pageRows = rows.slice(0, query.limit);
    if (!forward) pageRows.reverse();
    return { messages: pageRows.map((r) => this.toMessage(r)), hasMore };
  }

  lastMessage(): Message | null {
    const row = this.findBySeq.get({ seq: this.room.lastSeq });
    return row ? this.toMessage(row) : null;
  }

  /** What D1 does not have yet: messages above its seq (at most `limit`, in seq order) and cursors above its copy. */
  pendingForD1(limit: number): { messages: LogMessage[]; cursors: Map<string, number> } {
    const messages = this.unsent ? this.unsent.slice(0, limit) : this.messagesAfter(this.room.d1Seq, limit);
    const cursors = new Map<string, number>();
    for (const m of this.memberRows.values()) if (m.lastReadSeq > m.d1ReadSeq) cursors.set(m.userId, m.lastReadSeq);
    return { messages, cursors };
  }

  /** Whether D1 lacks anything (a message, a cursor), from memory alone. */
  behindInD1(): boolean {
    if (!this.state) return false;
    if (this.state.lastSeq > this.state.d1Seq) return true;
    for (const m of this.memberRows.values()) if (m.lastReadSeq > m.d1ReadSeq) return true;
    return false;
  }

  /** The stored messages above a seq, ascending (at most `limit`). */
  messagesAfter(seq: number, limit = -1): LogMessage[] {
    return this.findAfter.all({ seq, limit });
  }

  /** How many messages D1 does not have yet. */
  pendingCount(): number {
    return this.state ? this.state.lastSeq - this.state.d1Seq : 0;
  }

  /** D1 took everything up to `seq` and these cursors. */
  sentToD1(seq: number, cursors: Map<string, number>): void {
    const room = this.room;
    room.d1Seq = Math.max(room.d1Seq, seq);
    this.writeRoom();
    if (this.unsent) {
      const sent = this.unsent.findIndex((m) => m.seq > room.d1Seq);
      this.unsent.splice(0, sent === -1 ? this.unsent.length : sent);
    } else if (room.d1Seq === room.lastSeq) this.unsent = [];
    for (const [userId, cursor] of cursors) {
      const member = this.memberRows.get(userId);
      if (!member || cursor <= member.d1ReadSeq) continue;
      member.d1ReadSeq = cursor;
      this.writeCursor(userId);
    }
  }

  /** Members' names as D1 has them now (a rename since they joined). */
  renameMembers(names: { userId: string; username: string; displayName: string }[]): void {
    for (const n of names) {
      const member = this.memberRows.get(n.userId);
      if (!member || (member.username === n.username && member.displayName === n.displayName)) continue;
      member.username = n.username;
      member.displayName = n.displayName;
      this.db.update(logMembers).set({ username: n.username, displayName: n.displayName }).where(eq(logMembers.userId, n.userId)).run();
    }
  }

  /** The highest seq stored here (an import resumes above it). */
  highestSeq(): number {
    return this.db.select({ seq: sql<number>`coalesce(max(${logMessages.seq}), 0)` }).from(logMessages).get()!.seq;
  }

  /** Writes what the import read from D1 (import-from-d1.ts): a page of messages, then the members, then the room, last. */
  importMessages(rows: LogMessage[]): void {
    this.storage.transactionSync(() => {
      for (const row of rows) this.importMessage.run(row);
    });
  }

  importRoom(room: LogRoom, members: LogMember[]): void {
    this.storage.transactionSync(() => {
      for (const m of members) this.putMember(m);
      this.db.insert(logRoom).values(room).onConflictDoNothing().run();
    });
    this.load();
  }

  toMessage(row: LogMessage): Message {
    return toMessage({ ...row, roomId: this.roomId });
  }

  /** One transaction (or one statement, which is one by itself); if it throws, memory is read back from what storage kept. */
  private atomically<T>(work: () => T, transaction = true): T {
    try {
      return transaction ? this.storage.transactionSync(work) : work();
    } catch (err) {
      this.state = undefined;
      this.load();
      throw err;
    }
  }

  private unsentAdd(message: LogMessage): void {
    if (!this.unsent) return;
    if (this.unsent.length < UNSENT_IN_MEMORY) this.unsent.push(message);
    else this.unsent = null;
  }

  private load(): boolean {
    const room = this.db.select().from(logRoom).get();
    this.lastClientOf.clear();
    if (!room) return false;
    this.state = room;
    this.unsent = room.lastSeq === room.d1Seq ? [] : null;
    this.memberRows.clear();
    for (const m of this.db.select().from(logMembers).all()) this.memberRows.set(m.userId, m);
    this.systemSeqs = this.db
      .select({ seq: logMessages.seq })
      .from(logMessages)
      .where(eq(logMessages.kind, "system"))
      .orderBy(asc(logMessages.seq))
      .all()
      .map((r) => r.seq);
    return true;
  }

  private putMember(member: LogMember): void {
    this.memberRows.set(member.userId, member);
    this.db.insert(logMembers).values(member).onConflictDoUpdate({ target: logMembers.userId, set: member }).run();
  }

  private writeRoom(): void {
    const { title, lastSeq, version, d1Seq } = this.room;
    this.updateRoom.run({ title, lastSeq, version, d1Seq });
  }

  private writeCursor(userId: string): void {
    const { lastReadSeq, d1ReadSeq } = this.memberRows.get(userId)!;
    this.updateCursor.run({ userId, lastReadSeq, d1ReadSeq });
  }
}

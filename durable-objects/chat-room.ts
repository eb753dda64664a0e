import { DurableObject } from "cloudflare:workers";
import { and, eq, inArray, sql } from "drizzle-orm";
import { type Message, type Room, SOCKET_LIMITS } from "../worker/contract";
import { getDb } from "../worker/db/client";
import { roomMembers, users } from "../worker/db/schema";
import { d1Writer, userHub } from "../worker/lib/hubs";
import { AlarmClock } from "./alarm-clock";
import { ChatListNotifier } from "./chat-list-notifier";
import { D1WriteBehind } from "./d1-write-behind";
import { REFUSALS, admitFrame } from "./frame-admission";
import { MemberAllowances } from "./member-allowances";
import { PushNotifier } from "./push-notifier";
import { ReadFanout } from "./read-fanout";
import { RoomBlocks, placeholder } from "./room-blocks";
import { importFromD1 } from "./room-log/import-from-d1";
import { type Draft, RoomLog } from "./room-log/room-log";
import { chatListRowsFor, listsRoom, roomForEach } from "./room-log/views";
import { type MembershipChange, type MembershipOutcome, RoomMembership } from "./room-membership";
import { RoomSettings } from "./room-settings";
import { SYNC_BYTES, answerSync } from "./room-sync";
import { CLOSE_POLICY, TRUSTED, closeOldest, liveSockets, openingNumber, sendFrame, sessionTag, upgradePair } from "./socket-io";
import { allowanceFrom } from "./token-bucket";

interface Attachment {
  userId: string;
  sessionId: string;
  sessionExpires: number;
  opened: number;
  /** The member's joinedSeq when the socket opened: their syncs start there. A leave closes the socket. */
  joinedSeq: number;
}

/** What became of a send: stored (or stored before: a repeat), or refused with a code. */
export type SendOutcome = { ok: true; message: Message } | { ok: false; code: "rate_limited" | "out_of_order" | "store_failed" | "not_member" };

interface Pending extends Draft {
  /** The socket it came on, which gets the ack instead of the `message` frame; none over HTTP. */
  ws?: WebSocket;
  settle: (outcome: SendOutcome) => void;
}

/** A membership change waiting its turn in the same queue as sends, so its system message's seq is in order. */
interface MembershipJob {
  change: MembershipChange;
  settle: (outcome: MembershipOutcome) => void;
}

type Job = Pending | MembershipJob;
const isMembershipJob = (job: Job): job is MembershipJob => "change" in job;

const MAX_GROUP = 100;

/** Names the send allowance in the object's storage (member-allowances.ts). */
export const SEND_ALLOWANCE = "allowance";
/** How often the log's copy of its members' names is compared with D1's (a member may rename themselves). */
const NAMES_REFRESH_MS = 10 * 60_000;


/**
 * One object per room, named by the room's id. It keeps the room's log, members and read cursors
 * in its own SQLite (room-log/), serializes the room's writes (so seq order is fan-out order),
 * holds the members' hibernatable sockets, and writes the log into D1 behind the acks
 * (d1-write-behind.ts). Each socket's state lives in its attachment, each member's allowance in storage.
 */
export class ChatRoom extends DurableObject<Env> {
  private readonly roomId = this.ctx.id.name!;
  private readonly db = getDb(this.env);
  private readonly log = new RoomLog(this.ctx.storage, this.roomId);
  private readonly clock = new AlarmClock(this.ctx.storage);
  private readonly writeBehind = new D1WriteBehind(this.log, this.env.DB, d1Writer(this.env, this.roomId), this.clock);
  private readonly allowances = new MemberAllowances(this.ctx.storage.kv, SEND_ALLOWANCE, allowanceFrom(this.env));
  private readonly syncBudgets = new MemberAllowances(this.ctx.storage.kv, "sync-bytes", SYNC_BYTES);
  private readonly blocks = new RoomBlocks(this.ctx.storage.kv, this.ctx.storage);
  private readonly chatLists = new ChatListNotifier(this.ctx.storage.kv, this.clock, this.env, this.log, this.blocks);
  private readonly settings = new RoomSettings(this.log, this.writeBehind, this.db);
  private readonly membership = new RoomMembership(this.log, this.writeBehind, this.db, this.settings);
  /** Settings changes one at a time, so D1 and the log take them in the same order. */
  private settingsTurn: Promise<unknown> = Promise.resolve();
  private readonly pushes = new PushNotifier(
    this.env,
    this.log,
    (userId) => liveSockets(this.ctx, userId).length > 0,
    (message) => this.blocks.hiddenFrom(message),
  );
  private readonly reads = new ReadFanout(
    () => this.ctx.getWebSockets().length,
    (move) => sendFrame(liveSockets(this.ctx), { type: "read", ...move }),
    (reads) => sendFrame(liveSockets(this.ctx), { type: "reads", reads }),
  );
  private queue: Job[] = [];
  private flushing = false;
  private lastSentAt = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
    void ctx.blockConcurrencyWhile(() => this.open());
  }

  /** Loads the log, importing it from D1 the first time (a room from before the log, or a 1:1 room the Worker created). */
  private async open(): Promise<void> {
    await this.clock.load();
    if (await this.log.open()) return void this.refreshNames().catch(logFailure("refreshing names"));
    if (await importFromD1(this.log, this.db)) await this.blocks.reconcile(this.db, this.log.memberIds());
  }

  /** A member renamed since the log copied their name: at most once per NAMES_REFRESH_MS, off every request's path. */
  private async refreshNames(): Promise<void> {
    const now = Date.now();
    if ((this.ctx.storage.kv.get<number>("names:at") ?? 0) > now - NAMES_REFRESH_MS) return;
    this.ctx.storage.kv.put("names:at", now);
    const ids = this.log.memberIds();
    // A block route's call that never arrived: D1 holds the blocks that stand.
    await this.blocks.reconcile(this.db, ids, now);
    const rows = await this.db
      .select({ userId: users.id, username: users.username, displayName: users.displayName })
      .from(users)
      .where(inArray(users.id, sql`(select value from json_each(${JSON.stringify(ids)}))`));
    this.log.renameMembers(rows);
  }

  async fetch(request: Request): Promise<Response> {
    const h = request.headers;
    const attachment: Attachment = {
      userId: h.get(TRUSTED.userId)!,
      sessionId: h.get(TRUSTED.sessionId)!,
      sessionExpires: Number(h.get(TRUSTED.sessionExpires)),
      opened: openingNumber(this.ctx.storage.kv),
      joinedSeq: 0,
    };
    const room = this.view(attachment.userId);
    // Left between the Worker's membership check and here: answered like a stranger.
    if (!room) return new Response("room_not_found", { status: 404 });
    attachment.joinedSeq = this.log.member(attachment.userId)!.joinedSeq;
    const open = liveSockets(this.ctx, attachment.userId);
    const { client, server } = upgradePair();
    this.ctx.acceptWebSocket(server, [attachment.userId, sessionTag(attachment.sessionId)]);
    closeOldest(open, SOCKET_LIMITS.roomPerMember - 1, "tabs in this room");
    server.serializeAttachment(attachment);
    const allowance = { ...this.allowances.allowance, tokens: this.allowances.tokens(attachment.userId, Date.now()) };
    sendFrame(server, {
      type: "hello",
      roomId: this.roomId,
      kind: room.kind,
      title: room.title,
      lastSeq: room.lastSeq,
      version: room.version,
      members: room.members,
      allowance,
    });
    const registered = await userHub(this.env, attachment.userId)
      .noteRoomSocket(this.roomId, attachment.sessionId)
      .catch((err: unknown) => {
        logFailure("noteRoomSocket")(err);
        return false;
      });
    // Unregistered, logout could not reach it: an ended session, or a hub we could not tell.
    if (!registered) server.close(CLOSE_POLICY, "session ended");
    return new Response(null, { status: 101, webSocket: client });
  }

  async webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    const att = ws.deserializeAttachment() as Attachment;
    const frame = admitFrame(ws, raw, { sessionExpires: att.sessionExpires, spend: () => this.allowances.take(att.userId, Date.now()) });
    if (!frame) return;
    switch (frame.type) {
      case "send":
        this.enqueue(att.userId, frame, ws, (outcome) => {
          if (outcome.ok) return sendFrame(ws, { type: "ack", clientId: frame.clientId, message: outcome.message });
          if (outcome.code === "not_member") return ws.close(SOCKET_LIMITS.closeNotMember, "not a member");
          sendFrame(ws, { type: "error", code: outcome.code, message: REFUSALS[outcome.code], clientId: frame.clientId });
        });
        return;
      case "read":
        return this.markRead(att.userId, frame.seq).catch((err: unknown) => {
          logFailure("read")(err);
          sendFrame(ws, { type: "error", code: "read_failed", message: "The read position was not saved; send it again." });
        });
      case "sync":
        try {
          return answerSync(ws, this.log, this.syncBudgets, att, frame.after, (m) => this.blocks.shape(att.userId, m));
        } catch (err) {
          logFailure("sync")(err);
          return sendFrame(ws, { type: "error", code: "sync_failed", message: "Catching up failed; send the sync again." });
        }
    }
  }

  // Defined so the runtime treats these sockets as hibernatable; a closed socket needs no cleanup here.
  async webSocketClose(): Promise<void> {}

  async webSocketError(): Promise<void> {}

  async alarm(): Promise<void> {
    this.clock.fired();
    await this.chatLists.alarm();
    await this.writeBehind.alarm();
  }

  /** The room as a member sees it (`GET /api/rooms/:id`), or undefined for anyone else. */
  view(userId: string): Room | undefined {
    return this.log.ready && this.log.member(userId) ? roomForEach(this.log, this.blocks)(userId) : undefined;
  }

  /** A page of history as a member may read it (from their joinedSeq on), or undefined for anyone else. */
  history(userId: string, query: { before?: number; after?: number; limit: number }): { messages: Message[]; hasMore: boolean } | undefined {
    const member = this.log.ready ? this.log.member(userId) : undefined;
    if (!member) return undefined;
    const page = this.log.page(query, member.joinedSeq);
    return { ...page, messages: page.messages.map((m) => this.blocks.shape(userId, m)) };
  }

  /**
   * A send that comes without a socket (`POST /api/rooms/:id/messages`): the same allowance, order
   * and group commit as a socket's, answered when it is stored or refused.
   */
  send(userId: string, input: { clientId: string; body: string; after?: string }): Promise<SendOutcome> {
    if (this.allowances.take(userId, Date.now()) !== "ok") return Promise.resolve({ ok: false, code: "rate_limited" });
    return new Promise((settle) => this.enqueue(userId, input, undefined, settle));
  }

  /** Moves a member's read cursor and tells the room, the members' chat lists and D1. */
  async markRead(userId: string, seq: number): Promise<void> {
    const lastReadSeq = this.log.ready ? this.log.advanceCursor(userId, seq) : null;
    if (lastReadSeq === null) return;
    this.reads.moved(userId, lastReadSeq);
    this.chatLists.changed();
    this.writeBehind.changed();
  }

  /**
   * Creates the group, or changes its members or title (room-membership.ts), in turn with the sends;
   * then tells everyone: the system message to the room's sockets, the room to them, the leaver's
   * sockets closed with 4403, the members' chat lists, the leaver's other tabs.
   */
  changeMembers(change: MembershipChange): Promise<MembershipOutcome> {
    return new Promise((settle) => {
      this.queue.push({ change, settle });
      void this.flush();
    });
  }

  /**
   * A member's hub has a tab open again: call it on every change from now on. Answers the member's
   * chat-list row as it is now (null for a room they cannot list): the hub stopped hearing of this
   * room's changes, and D1, which it reads its tally from, may be a write-behind window behind.
   */
  hubListening(userId: string): Room | null {
    this.chatLists.hubListening(userId);
    return this.log.ready && listsRoom(this.log, this.blocks, userId) ? chatListRowsFor(this.log, this.blocks)(userId) : null;
  }

  /**
   * The member's 알림 끄기 / 상단 고정 (room-settings.ts): their room as they now see it, undefined for
   * anyone else. Their tabs' chat lists hear of it through their hub.
   */
  async changeSettings(userId: string, wanted: { muted?: boolean; pinned?: boolean }): Promise<Room | undefined> {
    const turn = this.settingsTurn.then(() => this.settings.set(userId, wanted));
    this.settingsTurn = turn.catch(() => undefined);
    if (!(await turn)) return undefined;
    if (listsRoom(this.log, this.blocks, userId)) await userHub(this.env, userId).roomChanged(this.roomId, chatListRowsFor(this.log, this.blocks)(userId)).catch(logFailure("roomChanged"));
    return this.view(userId);
  }

  /**
   * A block between two members began (`at`: D1's `created_at`) or ended (`at`: now), told by the
   * block routes. From then on the blocker's sockets, history, syncs and chat-list rows show the
   * blocked's messages sent while it stood as placeholders. A 1:1 room's blocker, unblocking, starts
   * reading after the room's last message: what was sent meanwhile never reaches them.
   */
  async blockChanged(blockerId: string, blockedId: string, standing: boolean, at: number): Promise<void> {
    if (!this.log.ready || !this.log.member(blockerId)) return;
    if (standing) this.blocks.blocked(blockerId, blockedId, at);
    else this.blocks.unblocked(blockerId, blockedId, at);
    // The blocker's chat-list row changes (its unread count, its last message); a 1:1 room's blocker
    // gets none while blocking (listsRoom), nor, after the unblock, before the next message.
    if (standing || this.log.room.kind !== "direct") return this.chatLists.changed();
    const lastSeq = this.log.room.lastSeq;
    await this.db
      .update(roomMembers)
      .set({ joinedSeq: lastSeq + 1 })
      .where(and(eq(roomMembers.roomId, this.roomId), eq(roomMembers.userId, blockerId)));
    // The cursor stays: moving it would show the blocked their messages as read.
    this.log.moveJoinedSeq(blockerId, lastSeq + 1);
  }

  /** A member renamed themselves: the log's copy of their name follows, and so do the members' chat-list rows. */
  memberRenamed(user: { id: string; username: string; displayName: string }): void {
    if (!this.log.ready || !this.log.member(user.id)) return;
    this.log.renameMembers([{ userId: user.id, username: user.username, displayName: user.displayName }]);
    this.chatLists.changed();
  }

  /** Closes the sockets of a revoked session; returns how many sockets that user still has here. */
  async closeSession(userId: string, sessionId: string): Promise<number> {
    for (const ws of this.ctx.getWebSockets(sessionTag(sessionId))) ws.close(CLOSE_POLICY, "session ended");
    return liveSockets(this.ctx, userId).length;
  }

  private enqueue(senderId: string, input: { clientId: string; body: string; after?: string }, ws: WebSocket | undefined, settle: Pending["settle"]): void {
    this.lastSentAt = Math.max(Date.now(), this.lastSentAt + 1);
    this.queue.push({ senderId, clientId: input.clientId, body: input.body, after: input.after, sentAt: this.lastSentAt, ws, settle });
    void this.flush();
  }

  /**
   * Group commit: sends that arrive while a batch is in flight wait for the next one, and batches
   * run one at a time, so acks and fan-out leave in seq order.
   */
  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const head = this.queue[0]!;
        if (isMembershipJob(head)) {
          this.queue.shift();
          await this.runMembershipJob(head);
          continue;
        }
        const nextJob = this.queue.findIndex(isMembershipJob);
        const group = this.queue.splice(0, Math.min(MAX_GROUP, nextJob === -1 ? this.queue.length : nextJob)) as Pending[];
        let committed;
        try {
          if (!this.log.ready) throw new Error("no log");
          committed = this.log.commitDrafts(group);
        } catch (err) {
          console.error("commit failed", this.roomId, err);
          for (const p of group) p.settle({ ok: false, code: "store_failed" });
          continue;
        }
        const sockets = liveSockets(this.ctx);
        const cursors = new Map<string, number>();
        committed.forEach((result, i) => {
          const pending = group[i]!;
          if ("refused" in result) return pending.settle({ ok: false, code: result.refused });
          const { message, stored } = result;
          pending.settle({ ok: true, message });
          // A repeat is fanned out again: its first ack may have been lost with a socket, and
          // nothing here remembers who saw it. Members merge by seq.
          // A new message is the room's newest, so everyone may see it; a repeat may be older than
          // a member's join, and goes only to those who were there (history visibility).
          const readers = sockets.filter((ws) => ws !== pending.ws && (stored || joinedSeqOf(ws) <= message.seq));
          // Those who block the sender get a placeholder with the same seq (room-blocks.ts).
          const hiders = this.blocks.hiddenFrom(message);
          if (hiders.size === 0) sendFrame(readers, { type: "message", message });
          else {
            sendFrame(readers.filter((ws) => !hiders.has(userIdOf(ws))), { type: "message", message });
            sendFrame(readers.filter((ws) => hiders.has(userIdOf(ws))), { type: "message", message: placeholder(message) });
          }
          // The store moved the sender's cursor to a new message (it was the room's last, so nothing
          // read was ahead of it); a repeat moved nothing.
          if (stored) cursors.set(message.senderId, message.seq);
          if (stored && message.kind === "text") this.pushes.stored(message);
        });
        for (const [userId, lastReadSeq] of cursors) this.reads.moved(userId, lastReadSeq);
        if (cursors.size > 0) {
          this.chatLists.changed();
          this.writeBehind.changed();
        }
        // Group commit: until this group is durable (its acks wait for that anyway), sends that
        // arrive queue up and go together in the next transaction, with one wait between them.
        await this.ctx.storage.sync();
      }
    } finally {
      this.flushing = false;
    }
  }

  private async runMembershipJob(job: MembershipJob): Promise<void> {
    let outcome: MembershipOutcome;
    try {
      outcome = await this.membership.apply(job.change);
    } catch (err) {
      // D1 did not take the change (it is D1's to hold: room-membership.ts): nothing changed here either.
      logFailure("membership change")(err);
      return job.settle({ ok: false, code: "store_failed" });
    }
    job.settle(outcome);
    if (!outcome.ok) return;
    // New members may block, or be blocked by, members here.
    await this.blocks.reconcile(this.db, this.log.memberIds()).catch(logFailure("reading blocks"));
    for (const userId of outcome.left) for (const ws of this.ctx.getWebSockets(userId)) ws.close(SOCKET_LIMITS.closeNotMember, "not a member");
    const sockets = liveSockets(this.ctx);
    if (outcome.message) sendFrame(sockets, { type: "message", message: outcome.message });
    const roomFor = roomForEach(this.log, this.blocks);
    for (const ws of sockets) sendFrame(ws, { type: "room", room: roomFor((ws.deserializeAttachment() as Attachment).userId) });
    this.chatLists.changed();
    for (const userId of outcome.left) await userHub(this.env, userId).roomRemoved(this.roomId).catch(logFailure("roomRemoved"));
  }
}

const userIdOf = (ws: WebSocket): string => (ws.deserializeAttachment() as Attachment).userId;

/** 0 for a socket opened before attachments carried it (direct rooms: everyone joined at 0). */
const joinedSeqOf = (ws: WebSocket): number => (ws.deserializeAttachment() as Attachment).joinedSeq ?? 0;

const logFailure = (what: string) => (err: unknown) => console.error(`${what} failed`, err);

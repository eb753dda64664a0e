import { DurableObject } from "cloudflare:workers";
import { type Message, SOCKET_LIMITS } from "../worker/contract";
import { getDb } from "../worker/db/client";
import { loadRooms } from "../worker/db/chat-list";
import { memberIds } from "../worker/db/views";
import { userHub } from "../worker/lib/hubs";
import { ChatListNotifier } from "./chat-list-notifier";
import { REFUSALS, admitFrame } from "./frame-admission";
import { MemberAllowances } from "./member-allowances";
import { ReadFanout } from "./read-fanout";
import { type MembershipChange, type MembershipOutcome, RoomMembership } from "./room-membership";
import { type Draft, RoomStore } from "./room-store";
import { loadRoomForEach } from "./room-view";
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
  fail: (err: unknown) => void;
}

type Job = Pending | MembershipJob;
const isMembershipJob = (job: Job): job is MembershipJob => "change" in job;

const MAX_GROUP = 100;

/** Names the send allowance in the object's storage (member-allowances.ts). */
export const SEND_ALLOWANCE = "allowance";


/**
 * One object per room, named by the room's id. It serializes the room's writes (so seq order is
 * fan-out order), holds the members' hibernatable sockets, and keeps nothing durable in memory:
 * seq lives in D1, each socket's state in its attachment, each member's allowance in storage.
 */
export class ChatRoom extends DurableObject<Env> {
  private readonly roomId = this.ctx.id.name!;
  private readonly db = getDb(this.env);
  private readonly store = new RoomStore(this.db);
  private readonly allowances = new MemberAllowances(this.ctx.storage.kv, SEND_ALLOWANCE, allowanceFrom(this.env));
  private readonly syncBudgets = new MemberAllowances(this.ctx.storage.kv, "sync-bytes", SYNC_BYTES);
  private readonly chatLists = new ChatListNotifier(this.ctx, this.env, this.db, this.roomId);
  private readonly membership = new RoomMembership(this.db, this.roomId);
  private readonly reads = new ReadFanout(
    () => this.ctx.getWebSockets().length,
    (move) => sendFrame(liveSockets(this.ctx), { type: "read", ...move }),
    (reads) => sendFrame(liveSockets(this.ctx), { type: "reads", reads }),
  );
  private queue: Job[] = [];
  private flushing = false;
  private lastSentAt = 0;
  /** Each socket's syncs run one after another: answers never interleave, and one history read at a time. */
  private readonly syncs = new WeakMap<WebSocket, Promise<void>>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
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
    // Read before accepting, so a failure leaves no socket behind; the client syncs after hello anyway.
    const [room] = await loadRooms(this.db, attachment.userId, { roomId: this.roomId, allMembers: true });
    // Left between the Worker's membership check and here: answered like a stranger.
    if (!room) return new Response("room_not_found", { status: 404 });
    attachment.joinedSeq = room.members.find((m) => m.id === attachment.userId)?.joinedSeq ?? 0;
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
      case "sync": {
        const answered = (this.syncs.get(ws) ?? Promise.resolve())
          .then(() => answerSync(ws, this.db, this.roomId, this.syncBudgets, att, frame.after))
          .catch((err: unknown) => {
            logFailure("sync")(err);
            sendFrame(ws, { type: "error", code: "sync_failed", message: "Catching up failed; send the sync again." });
          });
        this.syncs.set(ws, answered);
        return answered;
      }
    }
  }

  // Defined so the runtime treats these sockets as hibernatable; a closed socket needs no cleanup here.
  async webSocketClose(): Promise<void> {}

  async webSocketError(): Promise<void> {}

  async alarm(): Promise<void> {
    await this.chatLists.alarm();
  }

  /**
   * A send that comes without a socket (`POST /api/rooms/:id/messages`): the same allowance, order
   * and group commit as a socket's, answered when it is stored or refused.
   */
  send(userId: string, input: { clientId: string; body: string; after?: string }): Promise<SendOutcome> {
    if (this.allowances.take(userId, Date.now()) !== "ok") return Promise.resolve({ ok: false, code: "rate_limited" });
    return new Promise((settle) => this.enqueue(userId, input, undefined, settle));
  }

  /** Moves a member's read cursor and tells the room and the members' chat lists. */
  async markRead(userId: string, seq: number): Promise<void> {
    const lastReadSeq = await this.store.advanceCursor(this.roomId, userId, seq);
    if (lastReadSeq === null) return;
    this.reads.moved(userId, lastReadSeq);
    this.chatLists.changed();
  }

  /**
   * Creates the group, or changes its members or title (room-membership.ts), in turn with the sends;
   * then tells everyone: the system message to the room's sockets, the room to them, the leaver's
   * sockets closed with 4403, the members' chat lists, the leaver's other tabs.
   */
  changeMembers(change: MembershipChange): Promise<MembershipOutcome> {
    return new Promise((settle, fail) => {
      this.queue.push({ change, settle, fail });
      void this.flush();
    });
  }

  /** A member's hub has a tab open again: call it on every change from now on. */
  hubListening(userId: string): void {
    this.chatLists.hubListening(userId);
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
          committed = await this.store.commitDrafts(this.roomId, group);
        } catch (err) {
          console.error("commit failed", this.roomId, err);
          for (const p of group) p.settle({ ok: false, code: "store_failed" });
          continue;
        }
        const sockets = liveSockets(this.ctx);
        const cursors = new Map<string, number>();
        const refused: Pending[] = [];
        committed.forEach((result, i) => {
          const pending = group[i]!;
          if ("outOfOrder" in result) return refused.push(pending);
          const { message, stored } = result;
          pending.settle({ ok: true, message });
          // A repeat is fanned out again: its first commit may have landed in D1 while this object
          // only saw an error, and no memory here survives hibernation to tell. Members merge by seq.
          // A new message is the room's newest, so everyone may see it; a repeat may be older than
          // a member's join, and goes only to those who were there (history visibility).
          sendFrame(
            sockets.filter((ws) => ws !== pending.ws && (stored || joinedSeqOf(ws) <= message.seq)),
            { type: "message", message },
          );
          // The store moved the sender's cursor to a new message (it was the room's last, so nothing
          // read was ahead of it); a repeat moved nothing.
          if (stored) cursors.set(message.senderId, message.seq);
        });
        for (const [userId, lastReadSeq] of cursors) this.reads.moved(userId, lastReadSeq);
        if (cursors.size > 0) this.chatLists.changed();
        if (refused.length > 0) await this.settleRefused(refused);
      }
    } finally {
      this.flushing = false;
    }
  }

  /** A send that stored nothing: its `after` is not stored yet, or its sender is no longer a member (they left). */
  private async settleRefused(refused: Pending[]): Promise<void> {
    const members = new Set(await memberIds(this.db, this.roomId).catch(() => refused.map((p) => p.senderId)));
    for (const p of refused) p.settle({ ok: false, code: members.has(p.senderId) ? "out_of_order" : "not_member" });
  }

  private async runMembershipJob(job: MembershipJob): Promise<void> {
    let outcome: MembershipOutcome;
    try {
      outcome = await this.membership.apply(job.change);
    } catch (err) {
      return job.fail(err);
    }
    job.settle(outcome);
    if (!outcome.ok) return;
    for (const userId of outcome.left) for (const ws of this.ctx.getWebSockets(userId)) ws.close(SOCKET_LIMITS.closeNotMember, "not a member");
    const sockets = liveSockets(this.ctx);
    sendFrame(sockets, { type: "message", message: outcome.message });
    this.chatLists.membersChanged(outcome.memberIds);
    this.chatLists.changed();
    for (const userId of outcome.left) await userHub(this.env, userId).roomRemoved(this.roomId).catch(logFailure("roomRemoved"));
    if (sockets.length === 0 || outcome.memberIds.length === 0) return;
    const roomFor = await loadRoomForEach(this.db, this.roomId, outcome.memberIds[0]!).catch((err: unknown) => logFailure("room frame")(err));
    if (!roomFor) return;
    for (const ws of sockets) sendFrame(ws, { type: "room", room: roomFor((ws.deserializeAttachment() as Attachment).userId) });
  }
}

/** 0 for a socket opened before attachments carried it (direct rooms: everyone joined at 0). */
const joinedSeqOf = (ws: WebSocket): number => (ws.deserializeAttachment() as Attachment).joinedSeq ?? 0;

const logFailure = (what: string) => (err: unknown) => console.error(`${what} failed`, err);

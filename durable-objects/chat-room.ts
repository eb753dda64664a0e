import { DurableObject } from "cloudflare:workers";
import * as v from "valibot";
import { ClientFrame, LIMITS, issueFields, summarizeFields } from "../worker/contract";
import { getDb } from "../worker/db/client";
import { loadRooms } from "../worker/db/chat-list";
import { memberIds, pageMessages } from "../worker/db/views";
import { userHub } from "../worker/lib/hubs";
import { type Draft, RoomStore } from "./room-store";
import { CLOSE_POLICY, CLOSE_TOO_BIG, TRUSTED, liveSockets, sendFrame, sessionTag, upgradePair } from "./socket-io";
import { type Bucket, fullBucket, take } from "./token-bucket";

interface Attachment {
  roomId: string;
  userId: string;
  sessionId: string;
  sessionExpires: number;
  bucket: Bucket;
}

interface Pending extends Draft {
  ws: WebSocket;
}

const MAX_GROUP = 100;
const SYNC_PAGE = 500;
const NOTIFY_WINDOW_MS = 300;

/**
 * One object per room. It serializes the room's writes (so seq order is fan-out order), holds the
 * members' hibernatable sockets, and keeps nothing durable in memory: seq lives in D1 and every
 * socket's state in its attachment.
 */
export class ChatRoom extends DurableObject<Env> {
  private readonly db = getDb(this.env);
  private readonly store = new RoomStore(this.db);
  private queue: Pending[] = [];
  private flushing = false;
  private lastSentAt = 0;
  /** Each socket's syncs run one after another: answers never interleave, and one history read at a time. */
  private readonly syncs = new WeakMap<WebSocket, Promise<void>>();
  private notifyWindow?: ReturnType<typeof setTimeout>;
  private notifyPending = false;
  /** A room's members do not change, so they are read once per wake-up. */
  private members?: string[];
  /**
   * Members whose hub answered that no tab is open, and until when (this object's clock) it need not
   * be called. Losing this on eviction only costs calls; hubListening clears an entry early.
   */
  private readonly quietHubs = new Map<string, number>();
  /** Counts hubListening calls per member, so a quiet answer that crossed one is not believed. */
  private readonly hubWakes = new Map<string, number>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
  }

  async fetch(request: Request): Promise<Response> {
    const h = request.headers;
    const attachment: Attachment = {
      roomId: h.get(TRUSTED.roomId)!,
      userId: h.get(TRUSTED.userId)!,
      sessionId: h.get(TRUSTED.sessionId)!,
      sessionExpires: Number(h.get(TRUSTED.sessionExpires)),
      bucket: fullBucket(Date.now()),
    };
    // Read before accepting, so a failure leaves no socket behind; the client syncs after hello anyway.
    const [room] = await loadRooms(this.db, attachment.userId, { roomId: attachment.roomId });
    const { client, server } = upgradePair();
    this.ctx.acceptWebSocket(server, [attachment.userId, sessionTag(attachment.sessionId)]);
    server.serializeAttachment(attachment);
    sendFrame(server, { type: "hello", roomId: attachment.roomId, lastSeq: room?.lastSeq ?? 0, members: room?.members ?? [] });
    const registered = await userHub(this.env, attachment.userId)
      .noteRoomSocket(attachment.roomId, attachment.sessionId)
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
    const frame = this.admit(ws, att, raw);
    if (!frame) return;
    switch (frame.type) {
      case "send":
        this.lastSentAt = Math.max(Date.now(), this.lastSentAt + 1);
        this.queue.push({ ws, senderId: att.userId, clientId: frame.clientId, body: frame.body, sentAt: this.lastSentAt });
        void this.flush(att.roomId);
        return;
      case "read":
        return this.markRead(att.roomId, att.userId, frame.seq).catch((err: unknown) => {
          logFailure("read")(err);
          sendFrame(ws, { type: "error", code: "read_failed", message: "The read position was not saved; send it again." });
        });
      case "sync": {
        const answered = (this.syncs.get(ws) ?? Promise.resolve())
          .then(() => this.sync(ws, att.roomId, frame.after))
          .catch((err: unknown) => {
            logFailure("sync")(err);
            sendFrame(ws, { type: "error", code: "sync_failed", message: "Catching up failed; send the sync again." });
          });
        this.syncs.set(ws, answered);
        return answered;
      }
    }
  }

  /** Size, session, rate and schema checks; a refused frame is answered (or the socket closed) here. */
  private admit(ws: WebSocket, att: Attachment, raw: string | ArrayBuffer): ClientFrame | undefined {
    const now = Date.now();
    const refuse = (code: string, message: string, clientId?: string) => {
      sendFrame(ws, { type: "error", code, message, ...(clientId && { clientId }) });
      return undefined;
    };
    const close = (code: number, reason: string) => {
      ws.close(code, reason);
      return undefined;
    };
    if (now >= att.sessionExpires) return close(CLOSE_POLICY, "session expired");
    const bytes = typeof raw === "string" ? (raw.length * 3 > LIMITS.frameBytesMax ? new TextEncoder().encode(raw).length : 0) : raw.byteLength;
    if (bytes > LIMITS.frameBytesMax) return close(CLOSE_TOO_BIG, "frame larger than 64 KiB");
    // Every frame spends allowance, whatever it holds, so junk cannot flood past the limit.
    const verdict = take(att.bucket, now);
    ws.serializeAttachment(att);
    if (verdict === "close") return close(CLOSE_POLICY, "flooding");
    const json = typeof raw === "string" ? parseJson(raw) : NOT_JSON;
    if (verdict === "refuse") return refuse("rate_limited", "Sending too fast; resend this one shortly.", clientIdOf(json));
    if (typeof raw !== "string") return refuse("bad_frame", "Send text frames with one JSON object each.");
    if (json === NOT_JSON) return refuse("bad_json", "The frame is not valid JSON.");
    const parsed = v.safeParse(ClientFrame, json);
    if (parsed.success) return parsed.output;
    return refuse("invalid", summarizeFields(issueFields(parsed.issues)), clientIdOf(json));
  }

  // Defined so the runtime treats these sockets as hibernatable; a closed socket needs no cleanup here.
  async webSocketClose(): Promise<void> {}

  async webSocketError(): Promise<void> {}

  /** Moves a member's read cursor and tells the room and the members' chat lists. */
  async markRead(roomId: string, userId: string, seq: number): Promise<void> {
    const lastReadSeq = await this.store.advanceCursor(roomId, userId, seq);
    if (lastReadSeq === null) return;
    sendFrame(liveSockets(this.ctx), { type: "read", userId, lastReadSeq });
    this.roomChanged(roomId);
  }

  /** A member's hub has a tab open again: call it on every change from now on. */
  hubListening(userId: string): void {
    this.hubWakes.set(userId, (this.hubWakes.get(userId) ?? 0) + 1);
    this.quietHubs.delete(userId);
  }

  /** Closes the sockets of a revoked session; returns how many sockets that user still has here. */
  async closeSession(userId: string, sessionId: string): Promise<number> {
    for (const ws of this.ctx.getWebSockets(sessionTag(sessionId))) ws.close(CLOSE_POLICY, "session ended");
    return liveSockets(this.ctx, userId).length;
  }

  /**
   * Group commit: sends that arrive while a batch is in flight wait for the next one, and batches
   * run one at a time, so acks and fan-out leave in seq order.
   */
  private async flush(roomId: string): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const group = this.queue.splice(0, MAX_GROUP);
        let committed;
        try {
          committed = await this.store.commitDrafts(roomId, group);
        } catch (err) {
          console.error("commit failed", roomId, err);
          for (const p of group) {
            sendFrame(p.ws, { type: "error", code: "store_failed", message: "The message was not saved; it will be resent.", clientId: p.clientId });
          }
          continue;
        }
        const sockets = liveSockets(this.ctx);
        const cursors = new Map<string, number>();
        committed.forEach(({ message, stored }, i) => {
          const sender = group[i]!.ws;
          sendFrame(sender, { type: "ack", clientId: message.clientId, message });
          // A repeat is fanned out again: its first commit may have landed in D1 while this object
          // only saw an error, and no memory here survives hibernation to tell. Members merge by seq.
          sendFrame(sockets.filter((ws) => ws !== sender), { type: "message", message });
          // The store moved the sender's cursor to a new message (it was the room's last, so nothing
          // read was ahead of it); a repeat moved nothing.
          if (stored) cursors.set(message.senderId, message.seq);
        });
        for (const [userId, lastReadSeq] of cursors) sendFrame(sockets, { type: "read", userId, lastReadSeq });
        if (cursors.size > 0) this.roomChanged(roomId);
      }
    } finally {
      this.flushing = false;
    }
  }

  private async sync(ws: WebSocket, roomId: string, after: number): Promise<void> {
    let cursor = after;
    for (;;) {
      const page = await pageMessages(this.db, roomId, { after: cursor, limit: SYNC_PAGE });
      for (const message of page.messages) sendFrame(ws, { type: "message", message });
      cursor = page.messages.at(-1)?.seq ?? cursor;
      if (!page.hasMore) break;
    }
    sendFrame(ws, { type: "synced", lastSeq: cursor });
  }

  /**
   * Tells the members' chat lists at once, then at most once per window with the latest state: a
   * live conversation changes the room several times a second (each message, then the reader's
   * cursor), and every change would otherwise cost one hub call per member.
   */
  private roomChanged(roomId: string): void {
    // Nobody to tell, so no window either: a member whose tab opens wakes this room and re-reads the list.
    if (this.everyHubQuiet()) return;
    if (this.notifyWindow) {
      this.notifyPending = true;
      return;
    }
    this.notifyMembers(roomId).catch(logFailure("notify"));
    this.notifyWindow = setTimeout(() => {
      this.notifyWindow = undefined;
      if (!this.notifyPending) return;
      this.notifyPending = false;
      this.roomChanged(roomId);
    }, NOTIFY_WINDOW_MS);
  }

  private everyHubQuiet(now = Date.now()): boolean {
    return this.members?.every((id) => (this.quietHubs.get(id) ?? 0) > now) ?? false;
  }

  private async notifyMembers(roomId: string): Promise<void> {
    const ids = (this.members ??= await memberIds(this.db, roomId));
    const callHub = async (id: string) => {
      const wakes = this.hubWakes.get(id) ?? 0;
      const quietMs = await userHub(this.env, id).roomChanged(id, roomId);
      if (quietMs > 0 && (this.hubWakes.get(id) ?? 0) === wakes) this.quietHubs.set(id, Date.now() + quietMs);
    };
    const now = Date.now();
    const listening = ids.filter((id) => (this.quietHubs.get(id) ?? 0) <= now);
    await Promise.all(listening.map((id) => callHub(id).catch(logFailure("roomChanged"))));
  }
}

const NOT_JSON = Symbol("not JSON");

const parseJson = (raw: string): unknown => {
  try {
    return JSON.parse(raw);
  } catch {
    return NOT_JSON;
  }
};

const clientIdOf = (json: unknown): string | undefined => {
  const id = (json as { clientId?: unknown } | null)?.clientId;
  return typeof id === "string" && id.length > 0 && id.length <= LIMITS.clientIdMax ? id : undefined;
};

const logFailure = (what: string) => (err: unknown) => console.error(`${what} failed`, err);

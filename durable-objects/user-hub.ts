import { DurableObject } from "cloudflare:workers";
import { SOCKET_LIMITS, type EventFrame, type Room, type User } from "../worker/contract";
import { getDb } from "../worker/db/client";
import { loadUnreadTotal } from "../worker/db/chat-list";
import { chatRoom } from "../worker/lib/hubs";
import { pushNotice } from "./hub-push";
import { UnreadTally } from "./hub-unread";
import type { MessageNotice } from "./push-notifier";
import { CLOSE_POLICY, CLOSE_RETRY, TRUSTED, closeOldest, liveSockets, openingNumber, sendFrame, sessionTag, upgradePair } from "./socket-io";
import { type Bucket, allowanceFrom, fullBucket, take } from "./token-bucket";

interface Attachment {
  sessionId: string;
  sessionExpires: number;
  /** Counts this user's sockets in opening order: past the per-user cap the oldest is closed. */
  opened: number;
  /** The room socket's flood rule: this socket takes no frames, so anything but `ping` is junk. */
  bucket: Bucket;
}

const ROOM_KEY = "room:";
const ENDED_KEY = "ended:";
/** Rooms that were told nobody here is listening, with when; a connect tells them all otherwise. */
const QUIET_KEY = "quiet:";
/**
 * How long a room may skip this hub after a quiet answer; a connect wakes it sooner, so this only
 * bounds how long a lost wake-up could last. Each answer is spread by ±20 %: rooms that first asked
 * together (after a deploy, or in a busy moment) would otherwise keep re-asking in the same instant.
 */
const QUIET_MS = 5 * 60_000;
const QUIET_SPREAD = 0.2;
const quietFor = () => Math.round(QUIET_MS * (1 - QUIET_SPREAD + 2 * QUIET_SPREAD * Math.random()));
/** Kept well past the longest quiet answer so a room whose clock runs behind ours is still woken. */
const QUIET_MEMORY_MS = (1 + QUIET_SPREAD) * QUIET_MS + 10 * 60_000;
/** How long a pushed row is pushed again to a tab that opens: well past the D1 write-behind's lag. */
const RECENT_MS = 30_000;
/** Longer than any upgrade takes to reach its room: a late registration of an ended session is refused. */
const ENDED_MEMORY_MS = 10 * 60_000;

/**
 * One object per user: the sockets of that user's open tabs (`GET /api/events`), to which rooms and
 * friend changes are pushed. It also remembers which rooms hold the user's sockets so that logging
 * out can close them all.
 */
export class UserHub extends DurableObject<Env> {
  /** The hub is named by its user's id (`getByName`). */
  private readonly userId = this.ctx.id.name!;
  private readonly db = getDb(this.env);
  /** The room socket's allowance numbers, per events socket: this socket takes no frames but `ping`. */
  private readonly allowance = allowanceFrom(this.env);
  /** The user's unread total, kept from the rooms' views between wake-ups. */
  private readonly unread = new UnreadTally(this.db);
  /**
   * The rows pushed in the last RECENT_MS, by room: a tab opening (a reload) reads the chat list
   * from D1, which may be a write-behind window behind them, and no room calls again until it
   * changes; so a new socket gets these again. Memory only: a hub evicted meanwhile has been idle.
   */
  private readonly recent = new Map<string, { room: Room; at: number }>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
  }

  async fetch(request: Request): Promise<Response> {
    const now = Date.now();
    const attachment: Attachment = {
      sessionId: request.headers.get(TRUSTED.sessionId)!,
      sessionExpires: Number(request.headers.get(TRUSTED.sessionExpires)),
      opened: openingNumber(this.ctx.storage.kv),
      bucket: fullBucket(this.allowance, now),
    };
    const open = liveSockets(this.ctx, undefined, now);
    const { client, server } = upgradePair();
    this.ctx.acceptWebSocket(server, [sessionTag(attachment.sessionId)]);
    server.serializeAttachment(attachment);
    // Authenticated before a logout that ran while this upgrade was on its way.
    if (this.ctx.storage.kv.get(ENDED_KEY + attachment.sessionId) !== undefined) server.close(CLOSE_POLICY, "session ended");
    else closeOldest(open, SOCKET_LIMITS.eventsPerUser - 1, "open tabs");
    // Before the 101: the client re-reads its chat list once open, so every change it could miss
    // while a room still thought nobody was listening happened before that read.
    if (!(await this.wakeQuietRooms())) server.close(CLOSE_RETRY, "rooms not reachable; reconnect");
    await this.pushRecent(server);
    return new Response(null, { status: 101, webSocket: client });
  }

  async webSocketMessage(ws: WebSocket): Promise<void> {
    const att = ws.deserializeAttachment() as Attachment;
    const now = Date.now();
    if (now >= att.sessionExpires) return ws.close(CLOSE_POLICY, "session expired");
    // `ping` is answered without waking the object, so every frame that arrives here is refused;
    // the allowance bounds how many answers a flood gets before the socket is closed.
    const verdict = take(att.bucket, this.allowance, now);
    ws.serializeAttachment(att);
    if (verdict === "close") return ws.close(CLOSE_POLICY, "flooding");
    if (verdict === "refuse") return sendFrame(ws, { type: "error", code: "rate_limited", message: "Sending too fast." });
    sendFrame(ws, { type: "error", code: "bad_frame", message: "This socket only sends events; send `ping` to keep it alive." });
  }

  // Defined so the runtime treats these sockets as hibernatable; a closed socket needs no cleanup here.
  async webSocketClose(): Promise<void> {}

  async webSocketError(): Promise<void> {}

  /**
   * Pushes the room's new state, as the room read it for this user, to this user's tabs, with the
   * unread total; a view older than one already pushed is dropped. With no tab open it answers how
   * long the room may stop calling (most members of most rooms are offline, and each call wakes this
   * object); 0 means keep calling.
   */
  async roomChanged(roomId: string, room: Room): Promise<number> {
    if (liveSockets(this.ctx).length === 0) {
      this.ctx.storage.kv.put(QUIET_KEY + roomId, Date.now());
      // Rooms stop telling this hub now: the tally would go stale.
      this.unread.forget();
      return quietFor();
    }
    const unread = await this.unread.withRoom(this.userId, room);
    if (unread) this.push({ type: "room", room, unread });
    this.recent.set(roomId, { room, at: Date.now() });
    return 0;
  }

  /** The user left a room (from one of their tabs): every tab drops it, with the new unread total. */
  async roomRemoved(roomId: string): Promise<void> {
    this.recent.delete(roomId);
    this.unread.forget();
    if (liveSockets(this.ctx).length === 0) return;
    this.push({ type: "room_removed", roomId, unread: await loadUnreadTotal(this.db, this.userId) });
  }

  /** The rows pushed lately, again, to a socket that just opened (see `recent`). */
  private async pushRecent(ws: WebSocket): Promise<void> {
    const since = Date.now() - RECENT_MS;
    for (const [roomId, { room, at }] of this.recent) {
      if (at < since) {
        this.recent.delete(roomId);
        continue;
      }
      const unread = await this.unread.withRoom(this.userId, room);
      if (unread) sendFrame(ws, { type: "room", room, unread });
    }
  }

  /**
   * Tells every room that was told nobody listens that someone does now, and pushes each one's row
   * as it is now (the changes this hub did not hear of); false if one could not be told.
   */
  private async wakeQuietRooms(): Promise<boolean> {
    const kv = this.ctx.storage.kv;
    const now = Date.now();
    const rows: Room[] = [];
    const results = await Promise.allSettled(
      [...kv.list<number>({ prefix: QUIET_KEY })].map(async ([key, quietAt]) => {
        if (now - quietAt <= QUIET_MEMORY_MS) {
          const row = await chatRoom(this.env, key.slice(QUIET_KEY.length)).hubListening(this.userId);
          if (row) rows.push(row);
        }
        // A quiet answer given while we were asking is newer than this wake-up and keeps its entry.
        if (kv.get(key) === quietAt) kv.delete(key);
      }),
    );
    const failed = results.filter((r) => r.status === "rejected");
    for (const r of failed) console.error("waking a quiet room failed", r.reason);
    for (const row of rows) {
      const unread = await this.unread.withRoom(this.userId, row);
      if (unread) this.push({ type: "room", room: row, unread });
    }
    return failed.length === 0;
  }

  /**
   * A room's new message for this user, who has no socket open in that room: a push, unless
   * hub-push.ts says not. Answers how long the room may stop telling (no device to push to).
   */
  messageArrived(notice: MessageNotice): Promise<number> {
    return pushNotice(this.env, this.db, this.userId, notice);
  }

  friendAdded(friend: User): void {
    this.push({ type: "friend", friend });
  }

  profileChanged(user: User): void {
    this.push({ type: "me", user });
  }

  /**
   * Registers a room socket of this user so logout can reach it; false when its session was already
   * ended, and the room then closes it. Storage here is synchronous, so a registration and a logout
   * cannot interleave: either the logout sees the room or the room sees the revocation.
   */
  noteRoomSocket(roomId: string, sessionId: string): boolean {
    if (this.ctx.storage.kv.get(ENDED_KEY + sessionId) !== undefined) return false;
    // A fresh token, not a time: logout forgets the room only if this exact registration is still there.
    this.ctx.storage.kv.put(ROOM_KEY + roomId, crypto.randomUUID());
    return true;
  }

  /** Closes every socket of a session: this hub's and those in the rooms the user opened. */
  async closeSession(sessionId: string): Promise<void> {
    const kv = this.ctx.storage.kv;
    const now = Date.now();
    for (const [key, endedAt] of kv.list<number>({ prefix: ENDED_KEY })) if (now - endedAt > ENDED_MEMORY_MS) kv.delete(key);
    kv.put(ENDED_KEY + sessionId, now);
    for (const ws of this.ctx.getWebSockets(sessionTag(sessionId))) ws.close(CLOSE_POLICY, "session ended");
    const rooms = [...kv.list<string>({ prefix: ROOM_KEY })];
    // allSettled: one unreachable room must not fail a logout whose session is already revoked.
    const results = await Promise.allSettled(
      rooms.map(async ([key, notedAt]) => {
        const remaining = await chatRoom(this.env, key.slice(ROOM_KEY.length)).closeSession(this.userId, sessionId);
        // Forget the room only if no socket registered there while we were asking.
        if (remaining === 0 && kv.get(key) === notedAt) kv.delete(key);
      }),
    );
    for (const r of results) if (r.status === "rejected") console.error("closing a room's sockets failed", r.reason);
  }

  private push(frame: EventFrame): void {
    sendFrame(liveSockets(this.ctx), frame);
  }
}

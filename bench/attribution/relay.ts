/**
 * Diagnostic: where the app's per-message cost goes. The baseline relay (bench/baseline) with the
 * app's layers added one at a time, chosen per socket by `?layer=`. `ack`, `frames` and `hub` add
 * to `drizzle`:
 *
 *   relay    one INSERT into a copy of the baseline's table (no trigger, no foreign keys), forward
 *            the message                                             (= the baseline)
 *   batch1   the app's INSERT (upsert, RETURNING *) by hand, in a D1 batch, into the app's table:
 *            its trigger moves the room's last message and the sender's cursor
 *   drizzle  the app's own commitDrafts() (the same statement, built once by drizzle and mapped)
 *   ack      + the app's frame handling: token bucket and attachment write, valibot ClientFrame,
 *            ack to the sender
 *   frames   + a read frame (the sender's cursor) to every socket
 *   hub      + one Durable Object RPC per member (UserHub.roomChanged-like; no events socket, so
 *            it returns at once), as ChatRoom.notifyMembers does when nobody answered quiet
 *   app      the app's own ChatRoom and UserHub, reached as the Worker reaches them after auth
 *
 * `LAYERS=relay,batch1,… node bench/attribution/run.ts` runs a subset.
 *
 * Imports the app's own modules, so it follows their changes; if it stops building after a
 * refactor, fix the imports or delete this folder — nothing else depends on it.
 */
import { DurableObject } from "cloudflare:workers";
import * as v from "valibot";
import { allowanceFrom, take, fullBucket, type Bucket } from "../../durable-objects/token-bucket";
import { RoomStore } from "../../durable-objects/room-store";
import { TRUSTED } from "../../durable-objects/socket-io";
import { ClientFrame } from "../../worker/contract/index";
import { getDb } from "../../worker/db/client";

export { ChatRoom } from "../../durable-objects/chat-room";
export { UserHub } from "../../durable-objects/user-hub";

interface AttributionEnv {
  DB: D1Database;
  SEND_BURST: string;
  SEND_PER_SECOND: string;
  RELAY: DurableObjectNamespace<Relay>;
  HUB: DurableObjectNamespace<Hub>;
  CHAT_ROOM: Env["CHAT_ROOM"];
}

const LAYERS = ["relay", "batch1", "drizzle", "ack", "frames", "hub", "app"] as const;
type Layer = (typeof LAYERS)[number];
const atLeast = (layer: Layer, min: Layer) => LAYERS.indexOf(layer) >= LAYERS.indexOf(min);

interface Attachment {
  roomId: string;
  userId: string;
  layer: Layer;
  bucket: Bucket;
}

const RELAY_INSERT =
  "INSERT INTO relay_messages (id, room_id, seq, sender_id, client_id, body, sent_at) " +
  "SELECT ?1, ?2, coalesce(max(seq), 0) + 1, ?3, ?4, ?5, ?6 FROM relay_messages WHERE room_id = ?2 RETURNING seq";

/** room-store.ts's statement, written out by hand. */
const APP_INSERT =
  "insert into messages (id, room_id, seq, sender_id, client_id, body, sent_at) select ?1, rooms.id, coalesce((select max(seq) from messages where room_id = ?2), 0) + 1, ?3, ?4, ?5, ?6 from rooms where rooms.id = ?2 on conflict (room_id, sender_id, client_id) do update set client_id = excluded.client_id returning *";

/** The app's schema has foreign keys: the room, its two users and their memberships first. */
const seedRoom = (D: D1Database, roomId: string, userId: string, peer: string) => {
  const user = (id: string) => D.prepare("INSERT OR IGNORE INTO users (id, username, display_name, password_hash, created_at) VALUES (?1, ?1, ?1, 'x', 0)").bind(id);
  const member = (id: string) => D.prepare("INSERT OR IGNORE INTO room_members (room_id, user_id, last_read_seq, joined_at) VALUES (?1, ?2, 0, 0)").bind(roomId, id);
  return D.batch([
    D.prepare("CREATE TABLE IF NOT EXISTS relay_messages (id TEXT PRIMARY KEY, room_id TEXT NOT NULL, seq INTEGER NOT NULL, sender_id TEXT NOT NULL, client_id TEXT NOT NULL, body TEXT NOT NULL, sent_at INTEGER NOT NULL)"),
    D.prepare("CREATE UNIQUE INDEX IF NOT EXISTS relay_messages_seq ON relay_messages(room_id, seq)"),
    D.prepare("CREATE UNIQUE INDEX IF NOT EXISTS relay_messages_client ON relay_messages(room_id, sender_id, client_id)"),
    user(userId),
    user(peer),
    D.prepare("INSERT OR IGNORE INTO rooms (id, kind, pair_key, last_seq, updated_at) VALUES (?1, 'direct', ?1, 0, 0)").bind(roomId),
    member(userId),
    member(peer),
  ]);
};

/** The app's room socket, handed over as the Worker does once the session and membership are checked. */
const appRoom = async (env: AttributionEnv, url: URL, roomId: string): Promise<Response> => {
  const userId = url.searchParams.get("user")!;
  await seedRoom(env.DB, roomId, userId, url.searchParams.get("peer")!);
  const headers = new Headers({
    Upgrade: "websocket",
    [TRUSTED.userId]: userId,
    [TRUSTED.sessionId]: `bench-${userId}`,
    [TRUSTED.sessionExpires]: String(Date.now() + 3_600_000),
  });
  return env.CHAT_ROOM.getByName(roomId).fetch(new Request(url, { headers }));
};

export class Hub extends DurableObject<AttributionEnv> {
  async roomChanged(_userId: string, _roomId: string): Promise<void> {
    if (this.ctx.getWebSockets().filter((ws) => ws.readyState === WebSocket.OPEN).length === 0) return;
  }
}

export class Relay extends DurableObject<AttributionEnv> {
  private readonly store = new RoomStore(getDb(this.env as unknown as Env));
  private readonly allowance = allowanceFrom(this.env);
  private ready?: Promise<unknown>;

  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const roomId = url.searchParams.get("room")!;
    const userId = url.searchParams.get("user")!;
    const peer = url.searchParams.get("peer")!;
    const layer = (url.searchParams.get("layer") ?? "relay") as Layer;
    this.ready ??= seedRoom(this.env.DB, roomId, userId, peer);
    await this.ready;
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1]);
    pair[1].serializeAttachment({ roomId, userId, layer, bucket: fullBucket(this.allowance, Date.now()) } satisfies Attachment);
    pair[1].send(JSON.stringify({ type: "hello", roomId, lastSeq: 0, members: [] }));
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  async webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    if (typeof raw !== "string") return;
    const att = ws.deserializeAttachment() as Attachment;
    const { roomId, userId, layer } = att;
    let frame = JSON.parse(raw) as { clientId: string; body: string };
    if (atLeast(layer, "ack")) {
      take(att.bucket, this.allowance, Date.now());
      ws.serializeAttachment(att);
      const parsed = v.safeParse(ClientFrame, frame);
      if (!parsed.success) return;
      frame = parsed.output as typeof frame;
    }
    const sentAt = Date.now();
    let message: { seq: number } & Record<string, unknown>;
    if (layer === "relay") {
      const id = crypto.randomUUID();
      const row = await this.env.DB.prepare(RELAY_INSERT).bind(id, roomId, userId, frame.clientId, frame.body, sentAt).first<{ seq: number }>();
      message = { id, roomId, seq: row?.seq ?? 0, senderId: userId, body: frame.body, sentAt: new Date(sentAt).toISOString(), clientId: frame.clientId };
    } else if (layer === "batch1") {
      const id = crypto.randomUUID();
      const [result] = await this.env.DB.batch([this.env.DB.prepare(APP_INSERT).bind(id, roomId, userId, frame.clientId, frame.body, sentAt)]);
      const stored = result!.results[0] as { id: string; seq: number; sent_at: number };
      message = { id: stored.id, roomId, seq: stored.seq, senderId: userId, body: frame.body, sentAt: new Date(stored.sent_at).toISOString(), clientId: frame.clientId };
    } else {
      const [committed] = await this.store.commitDrafts(roomId, [{ senderId: userId, clientId: frame.clientId, body: frame.body, sentAt }]);
      if (!committed || "outOfOrder" in committed) throw new Error("a send without `after` is never out of order");
      message = { ...committed.message };
    }
    const sockets = this.ctx.getWebSockets();
    if (atLeast(layer, "ack")) ws.send(JSON.stringify({ type: "ack", clientId: frame.clientId, message }));
    for (const other of sockets) if (other !== ws) other.send(JSON.stringify({ type: "message", message }));
    if (atLeast(layer, "frames")) for (const s of sockets) s.send(JSON.stringify({ type: "read", userId, lastReadSeq: message.seq }));
    if (atLeast(layer, "hub")) {
      for (const member of [roomId + ":a", roomId + ":b"]) void this.env.HUB.get(this.env.HUB.idFromName(member)).roomChanged(member, roomId);
    }
  }

  async webSocketClose(): Promise<void> {}

  async webSocketError(): Promise<void> {}
}

export default {
  async fetch(request: Request, env: AttributionEnv): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/health") return Response.json({ ok: true });
    const match = /^\/rooms\/([^/]+)\/ws$/.exec(url.pathname);
    if (!match) return new Response("not found", { status: 404 });
    const target = new URL(request.url);
    if (target.searchParams.get("layer") === "app") return appRoom(env, target, match[1]!);
    target.searchParams.set("room", match[1]!);
    return env.RELAY.get(env.RELAY.idFromName(match[1]!)).fetch(new Request(target, request));
  },
} satisfies ExportedHandler<AttributionEnv>;

/**
 * The benchmark's relays: the least a chat room can do, in three variants that differ only in
 * where a message is stored before it is forwarded. One Durable Object per room holds the members'
 * hibernatable sockets; each `send` frame is stored (or not) and then forwarded to the room's
 * other sockets. No auth, no validation, no ack, no ordering, no notifications. They speak the
 * subset of the app's room-socket protocol the load generator uses (`hello` on connect, `send` in,
 * `message` out), so they and the app are driven by the same code.
 *
 *   store=d1    one D1 INSERT per message (seq = the room's max + 1 in D1), then forward
 *   store=sql   one INSERT into the object's own SQLite (seq = its max + 1), then forward; the
 *               output gate holds the forward until the write is durable
 *   store=none  nothing stored (seq counted in memory), forward at once
 *
 *   GET /rooms/:roomId/ws?store=d1|sql|none&user=:userId   (WebSocket upgrade)
 *   GET /health
 */
import { DurableObject } from "cloudflare:workers";

interface RelayEnv {
  DB: D1Database;
  // Reached by fetch only (the socket upgrade), so untyped.
  RELAY_D1: DurableObjectNamespace;
  RELAY_SQL: DurableObjectNamespace;
  RELAY_NONE: DurableObjectNamespace;
}

interface SendFrame {
  type: "send";
  clientId: string;
  body: string;
}

interface Draft {
  id: string;
  roomId: string;
  userId: string;
  clientId: string;
  body: string;
  sentAt: number;
}

/** The socket handling, framing and forwarding all three share; `store` returns the message's seq. */
abstract class Relay extends DurableObject<RelayEnv> {
  protected abstract store(draft: Draft): Promise<number> | number;

  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const roomId = url.searchParams.get("room") ?? "";
    const userId = url.searchParams.get("user") ?? "anonymous";
    const pair = new WebSocketPair();
    const server = pair[1];
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment({ roomId, userId });
    server.send(JSON.stringify({ type: "hello", roomId, lastSeq: 0, members: [] }));
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  async webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    if (typeof raw !== "string") return;
    const frame = JSON.parse(raw) as SendFrame;
    if (frame.type !== "send") return;
    const { roomId, userId } = ws.deserializeAttachment() as { roomId: string; userId: string };
    const draft = { id: crypto.randomUUID(), roomId, userId, clientId: frame.clientId, body: frame.body, sentAt: Date.now() };
    const seq = await this.store(draft);
    const message = { id: draft.id, roomId, seq, senderId: userId, body: draft.body, sentAt: new Date(draft.sentAt).toISOString(), clientId: draft.clientId };
    const out = JSON.stringify({ type: "message", message });
    for (const other of this.ctx.getWebSockets()) {
      if (other === ws) continue;
      try {
        other.send(out);
      } catch {
        // closed meanwhile
      }
    }
  }

  async webSocketClose(): Promise<void> {}

  async webSocketError(): Promise<void> {}
}

const D1_INSERT =
  "INSERT INTO messages (id, room_id, seq, sender_id, client_id, body, sent_at) " +
  "SELECT ?1, ?2, coalesce(max(seq), 0) + 1, ?3, ?4, ?5, ?6 FROM messages WHERE room_id = ?2 RETURNING seq";

/** One D1 INSERT per message (a table with the app's D1 `messages` columns and indexes). */
export class D1Relay extends Relay {
  protected async store(d: Draft): Promise<number> {
    const row = await this.env.DB.prepare(D1_INSERT).bind(d.id, d.roomId, d.userId, d.clientId, d.body, d.sentAt).first<{ seq: number }>();
    return row?.seq ?? 0;
  }
}

/** One INSERT per message into the object's own SQLite: the room log's `messages` columns and indexes. */
export class SqlRelay extends Relay {
  constructor(ctx: DurableObjectState, env: RelayEnv) {
    super(ctx, env);
    ctx.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS messages (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, sender_id TEXT NOT NULL, client_id TEXT NOT NULL, " +
        "body TEXT NOT NULL, sent_at INTEGER NOT NULL, kind TEXT NOT NULL, event TEXT);" +
        "CREATE UNIQUE INDEX IF NOT EXISTS messages_sender_client_uq ON messages (sender_id, client_id);" +
        "CREATE INDEX IF NOT EXISTS messages_system_idx ON messages (seq) WHERE kind = 'system';",
    );
  }

  protected store(d: Draft): number {
    return this.ctx.storage.sql
      .exec<{ seq: number }>(
        "INSERT INTO messages (seq, id, sender_id, client_id, body, sent_at, kind) " +
          "SELECT coalesce(max(seq), 0) + 1, ?, ?, ?, ?, ?, 'text' FROM messages RETURNING seq",
        d.id,
        d.userId,
        d.clientId,
        d.body,
        d.sentAt,
      )
      .one().seq;
  }
}

/** Stores nothing: the floor of socket handling and forwarding alone. */
export class NullRelay extends Relay {
  private seq = 0;

  protected store(): number {
    return ++this.seq;
  }
}

const namespaces = (env: RelayEnv): Record<string, DurableObjectNamespace> => ({ d1: env.RELAY_D1, sql: env.RELAY_SQL, none: env.RELAY_NONE });

export default {
  async fetch(request: Request, env: RelayEnv): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/health") return Response.json({ ok: true });
    const match = /^\/rooms\/([^/]+)\/ws$/.exec(url.pathname);
    const namespace = namespaces(env)[url.searchParams.get("store") ?? ""];
    if (!match || !namespace || request.headers.get("Upgrade")?.toLowerCase() !== "websocket") return new Response("not found", { status: 404 });
    const roomId = decodeURIComponent(match[1]!);
    const target = new URL(request.url);
    target.searchParams.set("room", roomId);
    return namespace.get(namespace.idFromName(roomId)).fetch(new Request(target, request));
  },
} satisfies ExportedHandler<RelayEnv>;

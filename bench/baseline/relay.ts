/**
 * The benchmark's baseline: the least a chat room can do. One Durable Object per room holds the
 * members' hibernatable sockets; each `send` frame becomes exactly one D1 INSERT and is then
 * forwarded to the room's other sockets. No auth, no validation, no ack, no ordering, no
 * notifications. It speaks the subset of the app's room-socket protocol the load generator uses
 * (`hello` on connect, `send` in, `message` out), so both are driven by the same code.
 *
 *   GET /rooms/:roomId/ws?user=:userId   (WebSocket upgrade)
 *   GET /health
 */
import { DurableObject } from "cloudflare:workers";

interface RelayEnv {
  DB: D1Database;
  RELAY: DurableObjectNamespace<Relay>;
}

interface SendFrame {
  type: "send";
  clientId: string;
  body: string;
}

const INSERT =
  "INSERT INTO messages (id, room_id, seq, sender_id, client_id, body, sent_at) " +
  "SELECT ?1, ?2, coalesce(max(seq), 0) + 1, ?3, ?4, ?5, ?6 FROM messages WHERE room_id = ?2 RETURNING seq";

export class Relay extends DurableObject<RelayEnv> {
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
    const id = crypto.randomUUID();
    const sentAt = Date.now();
    const row = await this.env.DB.prepare(INSERT).bind(id, roomId, userId, frame.clientId, frame.body, sentAt).first<{ seq: number }>();
    const message = { id, roomId, seq: row?.seq ?? 0, senderId: userId, body: frame.body, sentAt: new Date(sentAt).toISOString(), clientId: frame.clientId };
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

export default {
  async fetch(request: Request, env: RelayEnv): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/health") return Response.json({ ok: true });
    const match = /^\/rooms\/([^/]+)\/ws$/.exec(url.pathname);
    if (!match || request.headers.get("Upgrade")?.toLowerCase() !== "websocket") return new Response("not found", { status: 404 });
    const roomId = decodeURIComponent(match[1]!);
    const target = new URL(request.url);
    target.searchParams.set("room", roomId);
    return env.RELAY.get(env.RELAY.idFromName(roomId)).fetch(new Request(target, request));
  },
} satisfies ExportedHandler<RelayEnv>;

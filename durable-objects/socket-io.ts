import { type EventFrame, type RoomServerFrame, SOCKET_LIMITS } from "../worker/contract";

/**
 * Sends a frame to one socket or to each of several, serialized once however many there are;
 * sockets that closed in the meantime are skipped (their client will sync on reconnect).
 */
export const sendFrame = (to: WebSocket | readonly WebSocket[], frame: RoomServerFrame | EventFrame): void => sendText(to, JSON.stringify(frame));

/** `sendFrame` for a frame serialized already (to measure it first). */
export const sendText = (to: WebSocket | readonly WebSocket[], text: string): void => {
  for (const ws of Array.isArray(to) ? to : [to]) {
    try {
      ws.send(text);
    } catch {
      // The peer is gone; nothing to deliver to.
    }
  }
};

export const CLOSE_POLICY = 1008;
export const CLOSE_TOO_BIG = 1009;
/** "Try again later": the client reconnects as after any loss. */
export const CLOSE_RETRY = 1013;

/** Headers only the Worker sets (it builds the forwarded request from scratch, so clients cannot). */
export const TRUSTED = {
  userId: "X-Talk-User-Id",
  sessionId: "X-Talk-Session-Id",
  sessionExpires: "X-Talk-Session-Expires",
} as const;

export const sessionTag = (sessionId: string) => `sid:${sessionId}`;

/**
 * Each socket's session expiry, read from its attachment once per socket object: it never changes,
 * and every fan-out would otherwise decode every socket's attachment again. After hibernation the
 * runtime hands out new socket objects, so this refills from the attachments.
 */
const expiries = new WeakMap<WebSocket, number>();

const sessionExpiry = (ws: WebSocket): number => {
  let at = expiries.get(ws);
  if (at === undefined) expiries.set(ws, (at = (ws.deserializeAttachment() as { sessionExpires: number }).sessionExpires));
  return at;
};

/**
 * The open sockets (optionally of one tag) whose session is still live. `ping` is answered without
 * waking the object, so an idle socket would never notice its session expiring: it is closed here,
 * the next time anything is addressed to it.
 */
export const liveSockets = (ctx: DurableObjectState, tag?: string, now = Date.now()): WebSocket[] =>
  ctx.getWebSockets(tag).filter((ws) => {
    if (ws.readyState !== WebSocket.OPEN) return false;
    if (now < sessionExpiry(ws)) return true;
    ws.close(CLOSE_POLICY, "session expired");
    return false;
  });

/** A client/server pair for answering an upgrade. */
export const upgradePair = (): { client: WebSocket; server: WebSocket } => {
  const pair = new WebSocketPair();
  return { client: pair[0], server: pair[1] };
};

/** A number above every earlier socket's opening here (two upgrades can share a millisecond, so not a time). */
export const openingNumber = (kv: SyncKvStorage): number => {
  const opened = (kv.get<number>("opened") ?? 0) + 1;
  kv.put("opened", opened);
  return opened;
};

/**
 * Closes the longest-open of these sockets (their attachments carry `opened`), leaving `keep`, so a
 * user's newest tab always gets its socket. Their clients wait until their tab is shown again
 * before reconnecting (see SOCKET_LIMITS).
 */
export const closeOldest = (open: WebSocket[], keep: number, what: string): void => {
  if (open.length <= keep) return;
  const byAge = open.map((ws) => ({ ws, opened: (ws.deserializeAttachment() as { opened: number }).opened })).sort((x, y) => x.opened - y.opened);
  for (const { ws } of byAge.slice(0, open.length - keep)) ws.close(SOCKET_LIMITS.closeTooManyTabs, `more than ${keep + 1} ${what}: the oldest was closed`);
};

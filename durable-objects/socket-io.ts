import type { EventFrame, RoomServerFrame } from "../worker/contract";

/** Sends a frame, ignoring sockets that closed in the meantime (their client will sync on reconnect). */
export const sendFrame = (ws: WebSocket, frame: RoomServerFrame | EventFrame): void => {
  try {
    ws.send(JSON.stringify(frame));
  } catch {
    // The peer is gone; nothing to deliver to.
  }
};

export const CLOSE_POLICY = 1008;
export const CLOSE_TOO_BIG = 1009;

/** Headers only the Worker sets (it builds the forwarded request from scratch, so clients cannot). */
export const TRUSTED = {
  roomId: "X-Talk-Room-Id",
  userId: "X-Talk-User-Id",
  sessionId: "X-Talk-Session-Id",
  sessionExpires: "X-Talk-Session-Expires",
} as const;

export const sessionTag = (sessionId: string) => `sid:${sessionId}`;

/** Accepts a hibernatable socket for a request the Worker already authenticated. */
export const upgradePair = (): { client: WebSocket; server: WebSocket } => {
  const pair = new WebSocketPair();
  return { client: pair[0], server: pair[1] };
};

/**
 * One WebSocket that keeps itself connected: exponential backoff with full jitter, an
 * immediate retry when the network or the tab comes back, and a ping/pong heartbeat because
 * a dead TCP connection (sleeping laptop, switched Wi-Fi) often never fires `close`.
 */
export type SocketStatus = "connecting" | "open" | "closed";

export interface ReconnectingSocketOptions {
  /** Same-origin path such as `/api/events`. */
  path: string;
  onOpen?: () => void;
  /** Every parsed JSON frame; `pong` and unparsable text never reach it. */
  onFrame: (frame: unknown) => void;
  onStatus?: (status: SocketStatus) => void;
  /** Called for every close with its code; policy closes (1008) usually mean the session ended. */
  onClose?: (code: number) => void;
  /**
   * Close codes after which no timer reconnects: only the tab being shown again or the network
   * coming back does (the server closed this socket to make room for a newer one).
   */
  waitForTabOn?: readonly number[];
}

export interface ReconnectingSocket {
  /** Returns false when the socket is not open, so callers can keep the data for later. */
  send: (data: unknown) => boolean;
  /** Stops for good. */
  close: () => void;
}

const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 30_000;
const PING_EVERY_MS = 25_000;
const PONG_TIMEOUT_MS = 10_000;

/** Full jitter: spreads the reconnects of many tabs after a server restart instead of synchronising them. */
const backoffDelay = (attempt: number): number => Math.random() * Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt);

const socketUrl = (path: string): string =>
  `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}${path}`;

export const createReconnectingSocket = (options: ReconnectingSocketOptions): ReconnectingSocket => {
  let ws: WebSocket | null = null;
  let attempt = 0;
  let stopped = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let pingTimer: ReturnType<typeof setInterval> | undefined;
  let awaitingPong = false;
  let pingSentAt = 0;

  const setStatus = (status: SocketStatus) => options.onStatus?.(status);

  const stopHeartbeat = () => {
    clearInterval(pingTimer);
    pingTimer = undefined;
    awaitingPong = false;
  };

  const ping = (socket: WebSocket) => {
    awaitingPong = true;
    pingSentAt = Date.now();
    socket.send("ping");
  };

  /** No pong in time: the connection is dead even if the browser hasn't noticed. */
  const checkPong = (socket: WebSocket) => {
    if (ws !== socket || !awaitingPong || Date.now() - pingSentAt < PONG_TIMEOUT_MS) return;
    drop(socket);
    handleLoss(4000);
  };

  const drop = (socket: WebSocket) => {
    socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
    try {
      socket.close();
    } catch {
      // already closing
    }
  };

  const scheduleReconnect = () => {
    if (stopped || retryTimer !== undefined) return;
    const delay = backoffDelay(attempt);
    attempt++;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      connect();
    }, delay);
  };

  const handleLoss = (code: number) => {
    stopHeartbeat();
    ws = null;
    setStatus("closed");
    options.onClose?.(code);
    if (!options.waitForTabOn?.includes(code)) scheduleReconnect();
  };

  const connect = () => {
    if (stopped) return;
    setStatus("connecting");
    const socket = new WebSocket(socketUrl(options.path));
    ws = socket;
    socket.onopen = () => {
      setStatus("open");
      stopHeartbeat();
      pingTimer = setInterval(() => {
        if (awaitingPong) checkPong(socket);
        else ping(socket);
      }, PING_EVERY_MS);
      options.onOpen?.();
    };
    socket.onmessage = (event: MessageEvent) => {
      // Only a server that talks back counts as healthy; one that accepts and drops us keeps backing off.
      attempt = 0;
      if (typeof event.data !== "string") return;
      if (event.data === "pong") {
        awaitingPong = false;
        return;
      }
      let frame: unknown;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      options.onFrame(frame);
    };
    socket.onclose = (event: CloseEvent) => {
      if (ws === socket) handleLoss(event.code);
    };
  };

  /** The network or the tab came back: retry now instead of waiting out the backoff. */
  const reconnectNow = () => {
    if (stopped || ws) return;
    clearTimeout(retryTimer);
    retryTimer = undefined;
    attempt = 0;
    connect();
  };

  const onVisibility = () => {
    if (document.visibilityState !== "visible") return;
    const socket = ws;
    if (socket?.readyState === WebSocket.OPEN) {
      // Timers are throttled in background tabs; probe the connection right away.
      if (!awaitingPong) ping(socket);
      setTimeout(() => checkPong(socket), PONG_TIMEOUT_MS);
    } else {
      reconnectNow();
    }
  };

  window.addEventListener("online", reconnectNow);
  document.addEventListener("visibilitychange", onVisibility);
  connect();

  return {
    send: (data) => {
      if (ws?.readyState !== WebSocket.OPEN) return false;
      ws.send(JSON.stringify(data));
      return true;
    },
    close: () => {
      stopped = true;
      clearTimeout(retryTimer);
      stopHeartbeat();
      window.removeEventListener("online", reconnectNow);
      document.removeEventListener("visibilitychange", onVisibility);
      if (ws) drop(ws);
      ws = null;
    },
  };
};

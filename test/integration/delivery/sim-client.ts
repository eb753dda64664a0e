import { type Message, type RoomServerFrame, SOCKET_LIMITS } from "../../../worker/contract";

/**
 * The reference model of the web client's delivery logic for one room (docs/api.md, "Room socket";
 * docs/architecture.md, "A message's path", points 4 and 5):
 *
 * - Every send goes into an outbox (clientId → body) before it touches the socket and leaves it only
 *   once the server has proven the message is stored: an `ack` for that clientId, or the client's
 *   own message coming back (from `sync` or another tab) with that clientId.
 * - An `error` frame that names a clientId (`rate_limited`, `store_failed`) leaves the entry in the
 *   outbox; it is resent after a short backoff with the same clientId. A send that is simply never
 *   answered on an open socket stays in flight until the next reconnect: the server must answer
 *   every send it receives, and a lost answer shows up as a drain timeout in the chaos test.
 * - On every (re)connect the client sends `{"type":"sync","after":N}` where N is the highest seq
 *   below which it holds everything, then resends its whole outbox with the same clientIds.
 *   The server stores a (sender, clientId) once and re-acks repeats with the original message.
 * - `message` and `ack` frames are merged into the log by seq: a seq already held is a duplicate and
 *   is dropped (live frames and sync answers overlap on purpose).
 *
 * - A socket closed with 4403 means the user left the room (a group): the client stops for good,
 *   and its unsent outbox is never stored.
 *
 * Anything the contract says cannot happen (two different messages for one seq, an ack that
 * changes its mind, an error without a clientId, a frame for another room) is recorded in
 * `anomalies`, so a test can assert there were none.
 */

type OpenSocket = () => Promise<WebSocket>;

interface OutboxEntry {
  body: string;
  /** Sent on the current socket and not yet answered (an answer or a reconnect clears it). */
  inFlight: boolean;
}

export interface SimClientOptions {
  /** Label used in anomaly messages, e.g. "room2/b". */
  name: string;
  roomId: string;
  userId: string;
  /** Opens (upgrades) a fresh room socket; the client calls `accept()` on it. */
  open: OpenSocket;
  /** Backoff before resending an entry refused with `rate_limited` (refill is 5 per second). */
  rateLimitedRetryMs?: number;
  /** Backoff before resending an entry refused with `store_failed`. */
  storeFailedRetryMs?: number;
  /** Delay before reconnecting after a socket closed or an upgrade failed (grows per attempt). */
  reconnectMs?: number;
}

export interface SimClientStats {
  connects: number;
  failedConnects: number;
  closesSeen: number;
  drops: number;
  resends: number;
  duplicatesDropped: number;
  /** Sends first confirmed on a later socket although stored before it opened: their ack was lost. */
  storedBeforeReconnect: number;
  /** Sends confirmed by their own message coming back rather than by an ack. */
  confirmedByEcho: number;
  errors: Record<string, number>;
}

export class SimClient {
  readonly name: string;
  readonly roomId: string;
  readonly userId: string;

  /** The client's view of the room: seq → message. */
  readonly log = new Map<number, Message>();
  /** Unconfirmed sends, in the order they were first made. */
  readonly outbox = new Map<string, OutboxEntry>();
  /** The first ack seen per clientId (later re-acks must carry the same message). */
  readonly acked = new Map<string, Message>();
  /** clientIds proven stored, by an ack or by the client's own message coming back. */
  readonly confirmed = new Set<string>();
  readonly anomalies: string[] = [];
  /** Closed with 4403: no longer a member of the room. */
  left = false;
  readonly stats: SimClientStats = { connects: 0, failedConnects: 0, closesSeen: 0, drops: 0, resends: 0, duplicatesDropped: 0, storedBeforeReconnect: 0, confirmedByEcho: 0, errors: {} };

  /** Highest seq such that every seq 1..contiguous is in the log. */
  private contiguous = 0;
  private ws: WebSocket | null = null;
  /** Bumped on every new socket; events of older sockets are ignored. */
  private generation = 0;
  private connecting = false;
  private stopped = false;
  private reconnectAttempts = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  /** The room's last seq when the current socket opened (from `hello`); -1 until it arrives. */
  private helloLastSeq = -1;
  private readonly opts: Required<SimClientOptions>;

  constructor(options: SimClientOptions) {
    this.opts = { rateLimitedRetryMs: 250, storeFailedRetryMs: 30, reconnectMs: 10, ...options };
    this.name = options.name;
    this.roomId = options.roomId;
    this.userId = options.userId;
  }

  /** Opens the first socket. */
  start(): Promise<void> {
    return this.connect();
  }

  get isOpen(): boolean {
    return this.ws !== null && !this.connecting;
  }

  /** Queues a message: into the outbox first, then onto the socket if there is one. */
  send(clientId: string, body: string): void {
    if (this.outbox.has(clientId) || this.confirmed.has(clientId)) throw new Error(`${this.name}: clientId ${clientId} reused for a new message`);
    this.outbox.set(clientId, { body, inFlight: false });
    this.transmit(clientId);
  }

  /** Chaos: the client closes its socket (a tab losing the network) and reconnects. */
  drop(): void {
    this.stats.drops++;
    const ws = this.ws;
    this.detach();
    try {
      ws?.close(1000, "chaos drop");
    } catch {
      // already closed
    }
    this.scheduleReconnect();
  }

  /** Closes the socket for good (end of test). */
  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const ws = this.ws;
    this.detach();
    try {
      ws?.close(1000, "done");
    } catch {
      // already closed
    }
  }

  // --- connection -------------------------------------------------------------------------

  private async connect(): Promise<void> {
    if (this.stopped || this.connecting) return;
    this.connecting = true;
    let ws: WebSocket;
    try {
      ws = await this.opts.open();
      ws.accept();
    } catch {
      // The upgrade can fail while objects are being aborted; try again shortly.
      this.stats.failedConnects++;
      this.connecting = false;
      this.scheduleReconnect();
      return;
    }
    this.connecting = false;
    if (this.stopped) {
      ws.close(1000, "done");
      return;
    }
    const generation = ++this.generation;
    this.ws = ws;
    this.helloLastSeq = -1;
    this.reconnectAttempts = 0;
    this.stats.connects++;
    ws.addEventListener("message", (e) => {
      if (generation !== this.generation || typeof e.data !== "string" || e.data === "pong") return;
      this.onFrame(JSON.parse(e.data) as RoomServerFrame);
    });
    const onGone = (e: Event) => {
      if (generation !== this.generation) return;
      this.stats.closesSeen++;
      if ((e as CloseEvent).code === SOCKET_LIMITS.closeNotMember) {
        this.left = true;
        return this.stop();
      }
      this.detach();
      this.scheduleReconnect();
    };
    ws.addEventListener("close", onGone);
    ws.addEventListener("error", onGone);

    // Catch up from the highest seq below which we hold everything, then resend the whole outbox
    // with the same clientIds: whatever was stored already is simply re-acked.
    this.sendSync();
    for (const entry of this.outbox.values()) entry.inFlight = false;
    for (const clientId of this.outbox.keys()) {
      this.stats.resends++;
      this.transmit(clientId);
    }
  }

  /** Forgets the current socket: its in-flight sends must be resent on the next one. */
  private detach(): void {
    this.generation++;
    this.ws = null;
    for (const entry of this.outbox.values()) entry.inFlight = false;
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    const delay = Math.min(250, this.opts.reconnectMs * ++this.reconnectAttempts);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.connect();
    }, delay);
  }

  private raw(frame: unknown): boolean {
    if (!this.ws) return false;
    try {
      this.ws.send(JSON.stringify(frame));
      return true;
    } catch {
      return false; // closing; the close handler reconnects and resends
    }
  }

  private sendSync(): void {
    this.raw({ type: "sync", after: this.contiguous });
  }

  private transmit(clientId: string): void {
    const entry = this.outbox.get(clientId);
    if (!entry || entry.inFlight || !this.isOpen) return;
    if (this.raw({ type: "send", clientId, body: entry.body })) entry.inFlight = true;
  }

  /** Resends every outbox entry that is not waiting for an answer on the current socket. */
  private scheduleRetry(delayMs: number): void {
    if (this.retryTimer || this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      for (const [clientId, entry] of this.outbox) {
        if (entry.inFlight) continue;
        this.stats.resends++;
        this.transmit(clientId);
      }
    }, delayMs);
  }

  // --- frames -----------------------------------------------------------------------------

  private onFrame(frame: RoomServerFrame): void {
    switch (frame.type) {
      case "hello":
        this.helloLastSeq = frame.lastSeq;
        return;
      case "read":
        return;
      case "message":
        return this.merge(frame.message);
      case "ack": {
        if (frame.clientId !== frame.message.clientId || frame.message.senderId !== this.userId) {
          this.anomalies.push(`${this.name}: ack ${frame.clientId} carries ${JSON.stringify(frame.message)}`);
        }
        const first = this.acked.get(frame.clientId);
        if (!first) this.acked.set(frame.clientId, frame.message);
        else if (first.id !== frame.message.id || first.seq !== frame.message.seq || first.body !== frame.message.body) {
          this.anomalies.push(`${this.name}: ${frame.clientId} acked as seq ${first.seq} and again as seq ${frame.message.seq}`);
        }
        if (!this.confirmed.has(frame.clientId) && frame.message.seq <= this.helloLastSeq) this.stats.storedBeforeReconnect++;
        this.confirmed.add(frame.clientId);
        this.outbox.delete(frame.clientId);
        return this.merge(frame.message);
      }
      case "synced":
        return;
      case "error": {
        this.stats.errors[frame.code] = (this.stats.errors[frame.code] ?? 0) + 1;
        const entry = frame.clientId === undefined ? undefined : this.outbox.get(frame.clientId);
        if (!entry) {
          // A refusal of a resend whose original turned out to be stored is stale and harmless;
          // any other error is one the client never provoked on purpose.
          if (frame.clientId !== undefined && this.confirmed.has(frame.clientId)) return;
          this.anomalies.push(`${this.name}: unexpected error frame ${JSON.stringify(frame)}`);
          return;
        }
        if (frame.code !== "rate_limited" && frame.code !== "store_failed") {
          this.anomalies.push(`${this.name}: send ${frame.clientId} refused as ${frame.code}: ${frame.message}`);
          return;
        }
        // Keep it and resend it later with the same clientId. Should it have been stored after all
        // (a commit whose answer was lost also reads store_failed), the resend is re-acked.
        entry.inFlight = false;
        this.scheduleRetry(frame.code === "rate_limited" ? this.opts.rateLimitedRetryMs : this.opts.storeFailedRetryMs);
        return;
      }
    }
  }

  /** Merges one stored message into the log by seq; duplicates by seq are dropped. */
  private merge(message: Message): void {
    if (message.roomId !== this.roomId) {
      this.anomalies.push(`${this.name}: message for room ${message.roomId}`);
      return;
    }
    const held = this.log.get(message.seq);
    if (held) {
      if (held.id !== message.id || held.body !== message.body || held.clientId !== message.clientId) {
        this.anomalies.push(`${this.name}: seq ${message.seq} is ${held.id} and also ${message.id}`);
      }
      this.stats.duplicatesDropped++;
      return;
    }
    this.log.set(message.seq, message);
    while (this.log.has(this.contiguous + 1)) this.contiguous++;
    // Our own message coming back (sync answer, another tab) proves it is stored, like an ack does.
    if (message.senderId === this.userId && this.outbox.has(message.clientId)) {
      this.stats.confirmedByEcho++;
      if (message.seq <= this.helloLastSeq) this.stats.storedBeforeReconnect++;
      this.confirmed.add(message.clientId);
      this.outbox.delete(message.clientId);
    }
  }
}

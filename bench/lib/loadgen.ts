/**
 * The load generator, shared by the app and the relays: rooms of sockets that speak the
 * room-socket protocol (`hello` on connect, `send` out, `message` in), driven in two modes.
 *
 * - ping-pong: one message in flight per room; the member that receives a message sends the next,
 *   or always the same member (`sender`: the group case) (latency under light load).
 * - burst: every member pipelines K messages without waiting; a round ends when all are delivered
 *   (throughput).
 *
 * Latency is send-to-delivery: from `ws.send` on the sender to the `message` frame's arrival on
 * the room's other sockets, both in this process (one clock); in a room of more than two, to its
 * arrival on the last of them.
 *
 * The app refuses sustained floods (each member's send allowance in a room); a bench room sends far
 * faster than a person, so the bench serves the app with that allowance lifted (its Worker vars,
 * bench/run.ts). Any `error` frame fails the run.
 *
 * Sockets do not offer `permessage-deflate` (and `ws` fails a handshake that answers with an
 * extension it did not offer). In production a browser offers it and our Worker declines it
 * (`no_web_socket_compression` in wrangler.toml), so frames travel uncompressed. Here wrangler's
 * and miniflare's proxies in front of the Worker would accept it whatever the Worker says, and this
 * one process, playing every client, would inflate every frame on the timed path.
 */
import WebSocket from "ws";

export interface MemberSpec {
  /** ws:// URL of the room socket. */
  url: string;
  headers: Record<string, string>;
  /** Extra sockets this member keeps open meanwhile (the app's events socket), only counted. */
  listeners?: { url: string; headers: Record<string, string> }[];
}

export interface RoomSpec {
  id: string;
  /** Two or more; every message goes to all but its sender. */
  members: MemberSpec[];
}

export interface PhaseResult {
  messages: number;
  seconds: number;
  throughput: number;
  latencies: number[];
  /** CPU seconds the server used during the timed windows (NaN when unknown). */
  cpuSeconds: number;
  /** CPU seconds this process (the load generator) used during the timed windows. */
  clientCpuSeconds: number;
}

const emptyPhase = (): PhaseResult => ({ messages: 0, seconds: 0, throughput: Number.NaN, latencies: [], cpuSeconds: 0, clientCpuSeconds: 0 });

type Deliver = (clientId: string, at: number) => void;

const OPEN_TIMEOUT_MS = 20_000;

const openSocket = (url: string, headers: Record<string, string>): WebSocket => new WebSocket(url, { headers, perMessageDeflate: false });

/** A socket that only counts what it receives (the app's events socket). */
class Listener {
  readonly ws: WebSocket;
  frames = 0;
  private closing = false;

  private constructor(ws: WebSocket) {
    this.ws = ws;
  }

  static open(url: string, headers: Record<string, string>, onFailure: (err: Error) => void): Promise<Listener> {
    return new Promise((resolve, reject) => {
      const ws = openSocket(url, headers);
      const listener = new Listener(ws);
      const timer = setTimeout(() => reject(new Error(`listener ${url}: no open after ${OPEN_TIMEOUT_MS} ms`)), OPEN_TIMEOUT_MS);
      ws.addEventListener("open", () => {
        clearTimeout(timer);
        resolve(listener);
      });
      ws.addEventListener("message", () => listener.frames++);
      ws.addEventListener("error", () => reject(new Error(`listener ${url}: refused`)));
      ws.addEventListener("close", (e) => {
        if (!listener.closing) onFailure(new Error(`listener ${url} closed: ${e.code} ${e.reason}`));
      });
    });
  }

  close() {
    this.closing = true;
    this.ws.close(1000, "bench done");
  }
}

export class Peer {
  readonly spec: MemberSpec;
  readonly ws: WebSocket;
  readonly listeners: Listener[] = [];
  onDeliver: Deliver = () => {};
  onFailure: (err: Error) => void = () => {};
  counts = { message: 0, ack: 0, read: 0, other: 0 };
  private closing = false;

  private constructor(spec: MemberSpec, ws: WebSocket) {
    this.spec = spec;
    this.ws = ws;
  }

  /** Connects and waits for the room's `hello`. */
  static async open(spec: MemberSpec, onFailure: (err: Error) => void): Promise<Peer> {
    const peer = await new Promise<Peer>((resolve, reject) => {
      const ws = openSocket(spec.url, spec.headers);
      const peer = new Peer(spec, ws);
      let hello = false;
      const timer = setTimeout(() => reject(new Error(`${spec.url}: no hello after ${OPEN_TIMEOUT_MS} ms`)), OPEN_TIMEOUT_MS);
      ws.addEventListener("message", (e) => {
        const at = performance.now();
        const data = e.data;
        if (typeof data !== "string") return peer.fail(new Error("binary frame received"));
        if (!hello) {
          if (data.startsWith('{"type":"hello"')) {
            hello = true;
            clearTimeout(timer);
            resolve(peer);
          }
          return;
        }
        peer.receive(data, at);
      });
      ws.addEventListener("error", () => {
        clearTimeout(timer);
        reject(new Error(`${spec.url}: socket refused or failed (origin, session or membership?)`));
      });
      ws.addEventListener("close", (e) => {
        clearTimeout(timer);
        if (!hello) reject(new Error(`${spec.url}: closed before hello: ${e.code} ${e.reason}`));
        else if (!peer.closing) peer.fail(new Error(`socket closed by the server: ${e.code} ${e.reason}`));
      });
    });
    peer.onFailure = onFailure;
    for (const l of spec.listeners ?? []) peer.listeners.push(await Listener.open(l.url, l.headers, onFailure));
    return peer;
  }

  private fail(err: Error) {
    this.onFailure(err);
  }

  private receive(data: string, at: number) {
    // The frame type comes first in every server frame; only `message` and `error` need parsing.
    if (data.startsWith('{"type":"message"')) {
      this.counts.message++;
      const frame = JSON.parse(data) as { message: { clientId: string } };
      this.onDeliver(frame.message.clientId, at);
    } else if (data.startsWith('{"type":"ack"')) this.counts.ack++;
    // `reads`: a big room's cursor moves, gathered into one frame.
    else if (data.startsWith('{"type":"read"') || data.startsWith('{"type":"reads"')) this.counts.read++;
    else if (data.startsWith('{"type":"error"')) this.fail(new Error(`error frame: ${data.slice(0, 300)}`));
    else this.counts.other++;
  }

  send(clientId: string, body: string) {
    this.ws.send(JSON.stringify({ type: "send", clientId, body }));
  }

  close() {
    this.closing = true;
    for (const l of this.listeners) l.close();
    try {
      this.ws.close(1000, "bench done");
    } catch {
      // already closed
    }
  }
}

const body = (n: number) => `메시지 ${n} — a short chat line from the bench`;

export interface FanoutOptions {
  label: string;
  /** Sockets opened at once while connecting. */
  concurrency?: number;
  /** Fails a phase when nothing was delivered for this long. */
  stallMs?: number;
  progress?: (message: string) => void;
  /** The server's CPU seconds so far, read around each timed window. */
  cpu?: () => number;
}

/** R rooms of connected members, and the two load modes over them. */
export class Fanout {
  readonly rooms: RoomSpec[];
  readonly peers: Peer[][] = [];
  private readonly opts: Required<FanoutOptions>;
  /** Messages in flight: when sent, and how many members have yet to receive them. */
  private readonly inFlight = new Map<string, { at: number; waiting: number }>();
  private counter = 0;
  private failure: Error | null = null;
  private failureListeners: ((err: Error) => void)[] = [];

  private constructor(rooms: RoomSpec[], opts: FanoutOptions) {
    this.rooms = rooms;
    this.opts = { concurrency: 10, stallMs: 30_000, progress: () => {}, cpu: () => Number.NaN, ...opts };
  }

  static async connect(rooms: RoomSpec[], opts: FanoutOptions): Promise<Fanout> {
    const fanout = new Fanout(rooms, opts);
    const slots = rooms.flatMap((room, r) => room.members.map((_, j) => [r, j] as const));
    let next = 0;
    const worker = async () => {
      while (next < slots.length) {
        const [r, j] = slots[next++]!;
        (fanout.peers[r] ??= [])[j] = await fanout.openPeer(rooms[r]!.members[j]!);
      }
    };
    try {
      await Promise.all(Array.from({ length: fanout.opts.concurrency }, worker));
    } catch (err) {
      fanout.close();
      throw err;
    }
    return fanout;
  }

  private openPeer(spec: MemberSpec): Promise<Peer> {
    return Peer.open(spec, (err) => this.fail(err));
  }

  private fail(err: Error) {
    this.failure ??= err;
    for (const l of this.failureListeners) l(err);
  }

  private nextId(r: number, j: number) {
    return `${this.opts.label}-${r}-${j}-${++this.counter}`;
  }

  /**
   * Runs until every room has delivered `target` messages, `start` having sent the first ones and
   * `react(r, j)` the reaction to each message's delivery to the last member waiting for it (j, of
   * room r); adds the timed window to `into`.
   */
  private async drive(what: string, target: number, start: () => void, react: (r: number, j: number) => void, into: PhaseResult): Promise<void> {
    const cpu0 = this.opts.cpu();
    const own0 = process.cpuUsage();
    const ms = await this.driveTimed(what, target, start, react, into.latencies);
    const own = process.cpuUsage(own0);
    into.messages += target;
    into.seconds += ms / 1000;
    into.throughput = into.messages / into.seconds;
    into.cpuSeconds += this.opts.cpu() - cpu0;
    into.clientCpuSeconds += (own.user + own.system) / 1e6;
  }

  private driveTimed(what: string, target: number, start: () => void, react: (r: number, j: number) => void, latencies: number[]): Promise<number> {
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      let delivered = 0;
      let lastProgress = performance.now();
      let t0 = 0;
      const finish = (err: Error | null, ms = 0) => {
        clearInterval(watchdog);
        this.failureListeners = [];
        for (const room of this.peers) for (const p of room) p.onDeliver = () => {};
        if (err) reject(err);
        else resolve(ms);
      };
      this.failureListeners.push((err) => finish(new Error(`${what}: ${err.message}`)));
      this.peers.forEach((room, r) =>
        room.forEach((peer, j) => {
          peer.onDeliver = (clientId, at) => {
            const sent = this.inFlight.get(clientId);
            if (sent === undefined) return finish(new Error(`${what}: unexpected delivery of ${clientId}`));
            lastProgress = at;
            if (--sent.waiting > 0) return;
            this.inFlight.delete(clientId);
            latencies.push(at - sent.at);
            if (++delivered === target) return finish(null, at - t0);
            react(r, j);
          };
        }),
      );
      const watchdog = setInterval(() => {
        this.opts.progress(`${what}: ${delivered.toLocaleString("en-US")}/${target.toLocaleString("en-US")} delivered`);
        if (performance.now() - lastProgress > this.opts.stallMs) {
          finish(new Error(`${what}: stalled at ${delivered}/${target} delivered (nothing for ${this.opts.stallMs / 1000}s)`));
        }
      }, 250);
      t0 = performance.now();
      start();
    });
  }

  private sendFrom(r: number, j: number) {
    const id = this.nextId(r, j);
    this.inFlight.set(id, { at: performance.now(), waiting: this.peers[r]!.length - 1 });
    this.peers[r]![j]!.send(id, body(this.counter));
  }

  /**
   * `perRoom` messages per room, one in flight per room: the last member to receive a message
   * sends the next, or member `sender` sends them all.
   */
  async pingPong(perRoom: number, what = `${this.opts.label} ping-pong`, sender?: number): Promise<PhaseResult> {
    const result = emptyPhase();
    const sent = this.rooms.map(() => 0);
    const send = (r: number, j: number) => {
      sent[r]!++;
      this.sendFrom(r, j);
    };
    await this.drive(
      what,
      perRoom * this.rooms.length,
      () => this.rooms.forEach((_, r) => send(r, sender ?? 0)),
      (r, j) => {
        if (sent[r]! < perRoom) send(r, sender ?? j);
      },
      result,
    );
    return result;
  }

  /** `rounds` rounds in which every member pipelines `k` messages; a round ends when all arrived. */
  async burst(k: number, rounds: number, what = `${this.opts.label} burst`): Promise<PhaseResult> {
    const result = emptyPhase();
    for (let round = 1; round <= rounds; round++) {
      await this.drive(
        rounds > 1 ? `${what} round ${round}/${rounds}` : what,
        this.rooms.reduce((n, room) => n + room.members.length * k, 0),
        () => {
          this.peers.forEach((room, r) => room.forEach((_, j) => {
            for (let i = 0; i < k; i++) this.sendFrom(r, j);
          }));
        },
        () => {},
        result,
      );
    }
    return result;
  }

  /** Sends so far, warm-up included. */
  sentCount(): number {
    return this.counter;
  }

  /** `message` frames each member of room r has received so far, warm-up included. */
  received(r: number): number[] {
    return this.peers[r]!.map((p) => p.counts.message);
  }

  /** Frame counts over all sockets (for sanity checks: the app acks every send). */
  counts() {
    const total = { message: 0, ack: 0, read: 0, other: 0, listener: 0 };
    for (const room of this.peers) for (const p of room) this.tally(p, total);
    return total;
  }

  private tally(p: Peer, into: { message: number; ack: number; read: number; other: number; listener: number }) {
    into.message += p.counts.message;
    into.ack += p.counts.ack;
    into.read += p.counts.read;
    into.other += p.counts.other;
    for (const l of p.listeners) into.listener += l.frames;
  }

  close() {
    for (const room of this.peers) for (const p of room) p?.close();
  }
}

/**
 * The group fan-out case: one sender in a room of N sockets (the app's group room, and a relay
 * room of the same N), one message in flight; a message's latency runs from `ws.send` to its
 * arrival on the last of the other N − 1 sockets. App and relay alternate slice by slice.
 */
import { type AppApi, type Session, appSocket, pool, registerUsers, relaySocket } from "./api.ts";
import { Fanout } from "./loadgen.ts";
import { endStatus, log, status } from "./log.ts";
import type { DevServer } from "./server.ts";
import { type ModeResult, alternate, combine, sliceSizes, spread, waitFor } from "./slices.ts";

export interface GroupOptions {
  /** Members, sockets and users alike; the first one sends. */
  size: number;
  /** Messages per side. */
  messages: number;
  slices: number;
  warmup: number;
  /** Each member also keeps their events socket open. */
  events: boolean;
}

export interface AppGroup {
  members: Session[];
  roomId: string;
}

export interface GroupResults {
  size: number;
  app: ModeResult & { frames: ReturnType<Fanout["counts"]> };
  baseline: ModeResult;
  ratios: { throughput: number; p50: number; p95: number; p99: number; cpuPerMessage: number };
  sliceRatios: { p50: { min: number; max: number }; p99: { min: number; max: number } };
}

const SENDER = 0;

/** `size` users signed up, the first one friends with the others, and the first one's group of them all. */
export const createAppGroup = async (api: AppApi, size: number, tag: string): Promise<AppGroup> => {
  const members = await registerUsers(api, size, `g${tag}`, `bench-${tag}-password`);
  const [owner, ...others] = members;
  let befriended = 0;
  await pool(others, 4, async (other) => {
    await api.befriend(owner!, other);
    status(`friends of the group's sender: ${++befriended}/${others.length}`);
  });
  endStatus();
  return { members, roomId: await api.groupRoom(owner!, others.map((m) => m.user.id)) };
};

/** Every member but the sender got every message once, the sender none (a double or a loss shows here). */
const checkReceived = (side: string, f: Fanout) => {
  const sent = f.sentCount();
  const got = f.received(0);
  const wrong = got.flatMap((n, j) => (n === (j === SENDER ? 0 : sent) ? [] : [`member ${j}: ${n}`]));
  if (wrong.length > 0) throw new Error(`${side} group: ${sent} sent, but ${wrong.slice(0, 5).join(", ")}${wrong.length > 5 ? ", …" : ""}`);
};

export const runGroup = async (app: DevServer, baseline: DevServer, group: AppGroup, opts: GroupOptions): Promise<GroupResults> => {
  const appRoom = { id: group.roomId, members: group.members.map((s) => appSocket(app.origin, s, group.roomId, opts.events)) };
  const baseRoom = { id: "group", members: group.members.map((_, i) => relaySocket(baseline.origin, "d1", "group", `g${i}`)) };
  log(`connecting ${opts.size} app sockets${opts.events ? " (+ events sockets)" : ""} and ${opts.size} D1 relay sockets, one room each…`);
  const targets = {
    app: await Fanout.connect([appRoom], { label: "app-group", progress: status, cpu: () => app.cpuSeconds() }),
    baseline: await Fanout.connect([baseRoom], { label: "base-group", progress: status, cpu: () => baseline.cpuSeconds() }),
  };
  try {
    if (opts.warmup > 0) {
      for (const [side, f] of Object.entries(targets)) {
        await f.pingPong(opts.warmup, `${side} group warm-up`, SENDER);
        endStatus();
      }
    }
    const sizes = sliceSizes(opts.messages, opts.slices);
    const runs = await alternate(
      ["baseline", "app"],
      sizes.length,
      (side, i) => `${side} group of ${opts.size} ${i + 1}/${sizes.length}`,
      (side, i, what) => targets[side].pingPong(sizes[i]!, what, SENDER),
    );
    const sent = targets.app.sentCount();
    if (!(await waitFor(() => targets.app.counts().ack >= sent, 5000))) {
      throw new Error(`app group: acked ${targets.app.counts().ack} of ${sent} sends`);
    }
    checkReceived("app", targets.app);
    checkReceived("baseline", targets.baseline);
    const mine = combine(runs.app);
    const base = combine(runs.baseline);
    return {
      size: opts.size,
      app: { ...mine, frames: targets.app.counts() },
      baseline: base,
      ratios: {
        throughput: mine.throughput / base.throughput,
        p50: mine.p50 / base.p50,
        p95: mine.p95 / base.p95,
        p99: mine.p99 / base.p99,
        cpuPerMessage: mine.cpuMsPerMessage / base.cpuMsPerMessage,
      },
      sliceRatios: { p50: spread(mine, base, "p50"), p99: spread(mine, base, "p99") },
    };
  } finally {
    targets.app.close();
    targets.baseline.close();
  }
};

/**
 * `npm run bench` — the app's message path against bare relays in the same run (rooms of two against
 * relays storing nothing, in their object's SQLite and in D1; one group room against the D1
 * relay), the app's D1 write transactions and their lag, the chat list and history at scale, and
 * the first-load web payload. See bench/README.md.
 *
 *   node bench/run.ts [--smoke] [--rooms 50] [--burst 20] [--burst-rounds 4] [--pingpong 600]
 *                     [--warmup 4] [--slices 12] [--events] [--group-size 100] [--group-messages 1200]
 *                     [--scale-rooms 1000] [--big-room 100000] [--small-room 100] [--calls 50]
 *                     [--history-calls 200] [--skip-fanout] [--skip-group] [--skip-scale] [--skip-web]
 *                     [--build-web] [--out bench/results.json] [--keep]
 */
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import { AppApi, type RelayStore, type Session, appSocket, pool, registerUsers, relaySocket } from "./lib/api.ts";
import { D1WriteLog, type D1WriteSummary, summarizeWrites } from "./lib/d1-writes.ts";
import { Fanout, type RoomSpec } from "./lib/loadgen.ts";
import { endStatus, log, status } from "./lib/log.ts";
import { cleanup, installCleanupHandlers, isAborting, keepTempDirs, ownDir, runLogged, tempDir } from "./lib/process.ts";
import { seedScale } from "./lib/seed.ts";
import { DevServer, applyMigrations } from "./lib/server.ts";
import { type GroupResults, createAppGroup, runGroup } from "./lib/group.ts";
import { type ModeResult, alternate, combine, sliceSizes, spread, waitFor } from "./lib/slices.ts";
import { fmt, ratio, round, summarize, table } from "./lib/stats.ts";
import { type WebResult, isBuilt, measureWeb } from "./lib/web.ts";
import { LIMITS } from "../worker/contract/limits.ts";

// node:sqlite (loaded lazily to seed) announces itself as experimental on every run: noise here.
const emitWarning = process.emitWarning;
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const text = typeof warning === "string" ? warning : warning.message;
  if (/SQLite/i.test(text)) return;
  return (emitWarning as (...a: unknown[]) => void).call(process, warning, ...rest);
}) as typeof process.emitWarning;

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);

const parsed = (() => {
  try {
    return parseArgs({
      options: {
        smoke: { type: "boolean", default: false },
        rooms: { type: "string" },
        burst: { type: "string" },
        "burst-rounds": { type: "string" },
        pingpong: { type: "string" },
        warmup: { type: "string" },
        slices: { type: "string" },
        events: { type: "boolean", default: false },
        "group-size": { type: "string" },
        "group-messages": { type: "string" },
        "scale-rooms": { type: "string" },
        "big-room": { type: "string" },
        "small-room": { type: "string" },
        calls: { type: "string" },
        "history-calls": { type: "string" },
        "skip-fanout": { type: "boolean", default: false },
        "skip-group": { type: "boolean", default: false },
        "skip-scale": { type: "boolean", default: false },
        "skip-web": { type: "boolean", default: false },
        "build-web": { type: "boolean", default: false },
        out: { type: "string" },
        keep: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
    });
  } catch (err) {
    console.error(`${(err as Error).message}. See node bench/run.ts --help`);
    process.exit(2);
  }
})();
const flags = parsed.values;

if (flags.help) {
  console.log(readFileSync(fileURLToPath(import.meta.url), "utf8").split("*/")[0]!.replace(/^\/\*\*?|^ \* ?/gm, ""));
  process.exit(0);
}

const smoke = flags.smoke;
const int = (value: string | undefined, fallback: number, min = 1) => {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`expected an integer ≥ ${min}, got ${value}`);
  return n;
};
const config = {
  mode: smoke ? "smoke" : "full",
  rooms: int(flags.rooms, smoke ? 2 : 50),
  burstK: int(flags.burst, smoke ? 5 : 20),
  burstRounds: int(flags["burst-rounds"], smoke ? 2 : 4),
  pingPongPerRoom: int(flags.pingpong, smoke ? 10 : 600, 2),
  warmupPerRoom: int(flags.warmup, smoke ? 2 : 4, 0),
  /** Ping-pong is run in this many slices per side, alternating the app and the relays (as are burst rounds). */
  slices: int(flags.slices, smoke ? 2 : 12),
  eventsSockets: flags.events,
  /** The group case: one sender in a room of this many sockets, messages one at a time, in `slices` per side. */
  groupSize: int(flags["group-size"], smoke ? 5 : 100, 2),
  groupMessages: int(flags["group-messages"], smoke ? 10 : 1200),
  scaleRooms: int(flags["scale-rooms"], smoke ? 20 : 1000, 2),
  bigRoomMessages: int(flags["big-room"], smoke ? 1000 : 100_000),
  smallRoomMessages: int(flags["small-room"], 100),
  otherRoomMessages: 2,
  roomsListCalls: int(flags.calls, smoke ? 5 : 50),
  historyCalls: int(flags["history-calls"], smoke ? 10 : 200),
  historyLimit: 50,
};
const outFile = flags.out ? resolve(flags.out) : smoke ? null : join(root, "bench", "results.json");

/** Issue 20's: latency against the object-SQLite relay, throughput against the store-nothing relay. */
const TARGETS = {
  burstThroughputRatioMin: 0.7,
  pingPongP50RatioMax: 1.3,
  pingPongP99RatioMax: 1.5,
  d1TxPerMessageMax: 0.1,
  d1LagP99MsMax: 1000,
  groupP50RatioMax: 1.5,
  roomsListP50MsMax: 25,
  historyRatioMax: 1.5,
  webGzipBytesMax: 40_000,
};

const errors: string[] = [];
const record = (section: string, err: unknown) => {
  if (isAborting()) return;
  const message = err instanceof Error ? err.message : String(err);
  errors.push(`${section}: ${message}`);
  endStatus();
  log(`✗ ${section} failed: ${message}`);
};

const version = (pkg: string) => {
  try {
    return (JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
};

const machine = () => ({
  cpu: os.cpus()[0]?.model ?? "unknown",
  cores: os.availableParallelism(),
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  os: `${os.type()} ${os.release()} ${os.arch()}`,
  node: process.version,
  wrangler: version("wrangler"),
  loadAverageAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
});

// ---------------------------------------------------------------------------------------------
// Fan-out: the app's room sockets vs the three relays, same load generator, same R.

/** What each relay stores before it forwards, as the table names it. */
const RELAYS: Record<RelayStore, string> = { none: "store-nothing relay", sql: "object-SQLite relay", d1: "D1 relay" };
/** Run order within a slice (reversed every other slice); the app last, then first. */
const FANOUT_SIDES = ["d1", "sql", "none", "app"] as const;
type FanoutSide = (typeof FANOUT_SIDES)[number];
const sideName = (side: FanoutSide) => (side === "app" ? "app" : `${side} relay`);

interface SideResult {
  pingPong: ModeResult;
  burst: ModeResult;
}

/** The app's measure over the relay's. */
interface FanoutRatios {
  burstThroughput: number;
  pingPongThroughput: number;
  pingPongP50: number;
  pingPongP95: number;
  pingPongP99: number;
  burstP50: number;
  burstP99: number;
  pingPongCpuPerMessage: number;
  burstCpuPerMessage: number;
}

/** The app's D1 write transactions in the fan-out (lib/d1-writes.ts), or why they were not measured. */
type D1Writes =
  | { measured: false; note: string }
  | {
      measured: true;
      pingPong: D1WriteSummary;
      burst: D1WriteSummary;
      /** Both phases: what the targets are read from. */
      busy: D1WriteSummary;
      /** D1 took every message the app was sent before the lines stopped. */
      complete: boolean;
    };

interface FanoutResults {
  app: SideResult & { frames: ReturnType<Fanout["counts"]> };
  relays: Record<RelayStore, SideResult>;
  ratios: Record<RelayStore, FanoutRatios>;
  /** The same ratios slice by slice (min, max). */
  sliceRatios: Record<RelayStore, Record<"burstThroughput" | "pingPongP50" | "pingPongP99", { min: number; max: number }>>;
  d1Writes: D1Writes;
}

const createAppRooms = async (api: AppApi, n: number, tag: string): Promise<{ a: Session; b: Session; roomId: string }[]> => {
  const users = await registerUsers(api, 2 * n, `b${tag}`, `bench-${tag}-password`);
  return pool(Array.from({ length: n }, (_, i) => i), 4, async (i) => {
    const [a, b] = [users[2 * i]!, users[2 * i + 1]!];
    await api.befriend(a, b);
    const roomId = await api.directRoom(a, b);
    status(`friends and rooms: ${i + 1}/${n}`);
    return { a, b, roomId };
  });
};

const fanoutRatios = (mine: SideResult, base: SideResult): FanoutRatios => ({
  burstThroughput: mine.burst.throughput / base.burst.throughput,
  pingPongThroughput: mine.pingPong.throughput / base.pingPong.throughput,
  pingPongP50: mine.pingPong.p50 / base.pingPong.p50,
  pingPongP95: mine.pingPong.p95 / base.pingPong.p95,
  pingPongP99: mine.pingPong.p99 / base.pingPong.p99,
  burstP50: mine.burst.p50 / base.burst.p50,
  burstP99: mine.burst.p99 / base.burst.p99,
  pingPongCpuPerMessage: mine.pingPong.cpuMsPerMessage / base.pingPong.cpuMsPerMessage,
  burstCpuPerMessage: mine.burst.cpuMsPerMessage / base.burst.cpuMsPerMessage,
});

const NO_D1_LINES = "no d1_write lines: lag and tx/msg not measured";

const runFanout = async (app: DevServer, relays: DevServer, d1Log: D1WriteLog, appRooms: { a: Session; b: Session; roomId: string }[]): Promise<FanoutResults> => {
  const memberSpec = (s: Session, roomId: string) => appSocket(app.origin, s, roomId, config.eventsSockets);
  const appSpecs: RoomSpec[] = appRooms.map(({ a, b, roomId }) => ({ id: roomId, members: [memberSpec(a, roomId), memberSpec(b, roomId)] }));
  const relaySpecs = (store: RelayStore): RoomSpec[] =>
    appRooms.map((_, i) => ({
      id: `room-${i}`,
      members: [relaySocket(relays.origin, store, `room-${i}`, `u${i}a`), relaySocket(relays.origin, store, `room-${i}`, `u${i}b`)],
    }));

  log(`connecting ${appSpecs.length * 2} app sockets${config.eventsSockets ? " (+ events sockets)" : ""} and ${appSpecs.length * 2} sockets on each of 3 relays…`);
  const connectRelay = (store: RelayStore) => Fanout.connect(relaySpecs(store), { label: store, progress: status, cpu: () => relays.cpuSeconds() });
  const targets: Partial<Record<FanoutSide, Fanout>> = {};
  try {
    targets.app = await Fanout.connect(appSpecs, { label: "app", progress: status, cpu: () => app.cpuSeconds() });
    for (const store of ["d1", "sql", "none"] as const) targets[store] = await connectRelay(store);
    const side = (s: FanoutSide) => targets[s]!;
    const appSent = () => side("app").sentCount();
    // The app's D1 lines are cut into phases at marks, each taken once the phase's lines stopped.
    const settleD1 = async (from: number, sentBefore: number) => {
      await d1Log.settle(from, appSent() - sentBefore);
      return { mark: d1Log.mark(), sent: appSent() };
    };
    let cut = { mark: d1Log.mark(), sent: appSent() };
    if (config.warmupPerRoom > 0) {
      for (const s of FANOUT_SIDES) {
        await side(s).pingPong(config.warmupPerRoom, `${sideName(s)} warm-up`);
        endStatus();
      }
      log(`warmed up (${config.warmupPerRoom} messages per room on each side)`);
      cut = await settleD1(cut.mark, cut.sent);
    }
    const sizes = sliceSizes(config.pingPongPerRoom, config.slices);
    const pingPong = await alternate(FANOUT_SIDES, sizes.length, (s, i) => `${sideName(s)} ping-pong ${i + 1}/${config.slices}`, (s, i, what) => side(s).pingPong(sizes[i]!, what));
    const pingPongCut = await settleD1(cut.mark, cut.sent);
    const burst = await alternate(FANOUT_SIDES, config.burstRounds, (s, i) => `${sideName(s)} burst round ${i + 1}/${config.burstRounds}`, (s, _, what) => side(s).burst(config.burstK, 1, what));
    // The app acks every send: all acks must have arrived (they may trail the last delivery).
    const sent = appSent();
    if (!(await waitFor(() => side("app").counts().ack >= sent, 5000))) {
      throw new Error(`app acked ${side("app").counts().ack} of ${sent} sends`);
    }
    const burstCut = await settleD1(pingPongCut.mark, pingPongCut.sent);

    const pooled = (s: FanoutSide): SideResult => ({ pingPong: combine(pingPong[s]), burst: combine(burst[s]) });
    const mine = pooled("app");
    const relayResults = { d1: pooled("d1"), sql: pooled("sql"), none: pooled("none") };
    const perRelay = <T>(fn: (base: SideResult) => T): Record<RelayStore, T> => ({ d1: fn(relayResults.d1), sql: fn(relayResults.sql), none: fn(relayResults.none) });
    return {
      app: { ...mine, frames: side("app").counts() },
      relays: relayResults,
      ratios: perRelay((base) => fanoutRatios(mine, base)),
      sliceRatios: perRelay((base) => ({
        burstThroughput: spread(mine.burst, base.burst, "throughput"),
        pingPongP50: spread(mine.pingPong, base.pingPong, "p50"),
        pingPongP99: spread(mine.pingPong, base.pingPong, "p99"),
      })),
      d1Writes: d1Log.seen
        ? {
            measured: true,
            pingPong: summarizeWrites(d1Log.between(cut.mark, pingPongCut.mark), pingPongCut.sent - cut.sent),
            burst: summarizeWrites(d1Log.between(pingPongCut.mark, burstCut.mark), burstCut.sent - pingPongCut.sent),
            busy: summarizeWrites(d1Log.between(cut.mark, burstCut.mark), burstCut.sent - cut.sent),
            complete: d1Log.messagesSince(cut.mark) >= burstCut.sent - cut.sent,
          }
        : { measured: false, note: NO_D1_LINES },
    };
  } finally {
    for (const f of Object.values(targets)) f.close();
  }
};

// ---------------------------------------------------------------------------------------------
// Chat list and history at scale.

interface ScaleResults {
  seeded: { rooms: number; messages: number; seconds: number };
  /** What the chat list screen asks for first: the newest page. */
  roomsFirstPage: ListTiming;
  /** The whole list in one answer (`GET /api/rooms` without `limit`). */
  roomsWhole: ListTiming;
  /** Every page once, one after another (the check above, timed once). */
  roomsWalk: { pages: number; ms: number };
  /** GET /api/me, timed alternately with the list: the fixed cost of any authenticated call here. */
  me: { p50: number; p99: number; calls: number };
  historyBig: { p50: number; p99: number; mean: number; calls: number; roomMessages: number };
  historySmall: { p50: number; p99: number; mean: number; calls: number; roomMessages: number };
  historyRatioP50: number;
  historyRatioP99: number;
}

interface ListTiming {
  p50: number;
  p99: number;
  mean: number;
  calls: number;
  rooms: number;
  responseBytes: number;
}

interface RoomsAnswer {
  rooms: RoomView[];
  nextCursor: string | null;
  unread: { total: number; version: number };
}

interface RoomView {
  id: string;
  lastSeq: number;
  unreadCount: number;
  members: unknown[];
  lastMessage: { seq: number } | null;
}

const runScale = async (api: AppApi, heavy: Session, seeded: { bigRoomId: string; smallRoomId: string }): Promise<Omit<ScaleResults, "seeded">> => {
  // Check the seeded view before timing it: the whole list, and the same list walked page by page.
  const whole = await api.timedGet<RoomsAnswer>("/api/rooms", heavy.cookie);
  const list = whole.body.rooms;
  if (list.length !== config.scaleRooms) throw new Error(`GET /api/rooms listed ${list.length} rooms, expected ${config.scaleRooms}`);
  const big = list.find((r) => r.id === seeded.bigRoomId);
  if (!big || big.lastSeq !== config.bigRoomMessages || big.lastMessage?.seq !== config.bigRoomMessages || big.members.length !== 2) {
    throw new Error(`the seeded big room does not look right in GET /api/rooms: ${JSON.stringify(big)?.slice(0, 300)}`);
  }
  const unreadSum = list.reduce((n, r) => n + r.unreadCount, 0);
  if (whole.body.unread.total !== unreadSum) throw new Error(`unread.total ${whole.body.unread.total} is not the rooms' sum ${unreadSum}`);
  const firstPagePath = `/api/rooms?limit=${LIMITS.chatListPage}`;
  const walked: string[] = [];
  let walkMs = 0;
  let walkPages = 0;
  let firstPageBytes = 0;
  for (let path: string | null = firstPagePath; path; ) {
    const page: { ms: number; body: RoomsAnswer } = await api.timedGet<RoomsAnswer>(path, heavy.cookie);
    if (walked.length === 0) firstPageBytes = Buffer.byteLength(JSON.stringify(page.body));
    walkMs += page.ms;
    walkPages++;
    walked.push(...page.body.rooms.map((r) => r.id));
    path = page.body.nextCursor === null ? null : `${firstPagePath}&before=${encodeURIComponent(page.body.nextCursor)}`;
  }
  if (walked.join() !== list.map((r) => r.id).join()) throw new Error(`walking GET /api/rooms page by page gave ${walked.length} rooms, not the whole list's ${list.length} in order`);

  const calls = { page: [] as number[], whole: [] as number[], me: [] as number[] };
  const round = async () => {
    const a = await api.timedGet(firstPagePath, heavy.cookie);
    const b = await api.timedGet("/api/rooms", heavy.cookie);
    const c = await api.timedGet("/api/me", heavy.cookie);
    return [a.ms, b.ms, c.ms] as const;
  };
  for (let i = 0; i < 3; i++) await round();
  for (let i = 0; i < config.roomsListCalls; i++) {
    const [page, all, me] = await round();
    calls.page.push(page);
    calls.whole.push(all);
    calls.me.push(me);
    status(`GET /api/rooms (${config.scaleRooms} rooms): ${i + 1}/${config.roomsListCalls}`);
  }
  endStatus();
  const pageStats = summarize(calls.page);
  const wholeStats = summarize(calls.whole);
  const meStats = summarize(calls.me);
  log(
    `GET /api/rooms with ${config.scaleRooms} rooms: first page p50 ${fmt(pageStats.p50)} ms, p99 ${fmt(pageStats.p99)} ms; ` +
      `whole list p50 ${fmt(wholeStats.p50)} ms, p99 ${fmt(wholeStats.p99)} ms (GET /api/me meanwhile: p50 ${fmt(meStats.p50)} ms)`,
  );

  // History: a page of `limit` below a random `before` anywhere in the room, big and small rooms
  // interleaved so both see the same machine.
  const limit = config.historyLimit;
  const page = async (roomId: string, lastSeq: number) => {
    const before = limit + 1 + Math.floor(Math.random() * (lastSeq - limit + 1));
    const r = await api.timedGet<{ messages: { seq: number }[]; hasMore: boolean }>(`/api/rooms/${roomId}/messages?before=${before}&limit=${limit}`, heavy.cookie);
    const seqs = r.body.messages.map((m) => m.seq);
    if (seqs.length !== limit || seqs[0] !== before - limit || seqs.at(-1) !== before - 1) {
      throw new Error(`history page before=${before} in a ${lastSeq}-message room returned seqs ${seqs[0]}…${seqs.at(-1)} (${seqs.length})`);
    }
    return r.ms;
  };
  for (let i = 0; i < 5; i++) {
    await page(seeded.bigRoomId, config.bigRoomMessages);
    await page(seeded.smallRoomId, config.smallRoomMessages);
  }
  const bigMs: number[] = [];
  const smallMs: number[] = [];
  for (let i = 0; i < config.historyCalls; i++) {
    bigMs.push(await page(seeded.bigRoomId, config.bigRoomMessages));
    smallMs.push(await page(seeded.smallRoomId, config.smallRoomMessages));
    status(`GET /api/rooms/:id/messages?before=…: ${i + 1}/${config.historyCalls} on each room`);
  }
  endStatus();
  const b = summarize(bigMs);
  const s = summarize(smallMs);
  log(`history page (limit ${limit}): ${config.bigRoomMessages}-message room p50 ${fmt(b.p50)} ms / p99 ${fmt(b.p99)} ms; ${config.smallRoomMessages}-message room p50 ${fmt(s.p50)} ms / p99 ${fmt(s.p99)} ms`);
  return {
    roomsFirstPage: { p50: pageStats.p50, p99: pageStats.p99, mean: pageStats.mean, calls: pageStats.n, rooms: LIMITS.chatListPage, responseBytes: firstPageBytes },
    roomsWhole: { p50: wholeStats.p50, p99: wholeStats.p99, mean: wholeStats.mean, calls: wholeStats.n, rooms: list.length, responseBytes: Buffer.byteLength(JSON.stringify(whole.body)) },
    roomsWalk: { pages: walkPages, ms: walkMs },
    me: { p50: meStats.p50, p99: meStats.p99, calls: meStats.n },
    historyBig: { p50: b.p50, p99: b.p99, mean: b.mean, calls: b.n, roomMessages: config.bigRoomMessages },
    historySmall: { p50: s.p50, p99: s.p99, mean: s.mean, calls: s.n, roomMessages: config.smallRoomMessages },
    historyRatioP50: b.p50 / s.p50,
    historyRatioP99: b.p99 / s.p99,
  };
};

// ---------------------------------------------------------------------------------------------
// Web: first-load JS + CSS, gzipped.

const webDist = join(root, "web", "dist");

const buildWeb = async (out: string, logDir: string) => {
  const vite = join(dirname(require.resolve("vite/package.json")), "bin", "vite.js");
  await runLogged(process.execPath, [vite, "build", "web", "--outDir", out, "--emptyOutDir", "--logLevel", "warn"], { cwd: root, logFile: join(logDir, "vite-build.log") });
};

const runWeb = async (tmp: string): Promise<WebResult> => {
  if (!flags["build-web"] && isBuilt(webDist)) return measureWeb(webDist, "web/dist as found");
  // --build-web builds into a temp dir rather than web/dist: other tools (browser tests, wrangler
  // dev) use that one. Without any build, web/dist gets one: the app's server needs it anyway.
  const out = flags["build-web"] ? join(tmp, "web-dist") : webDist;
  log(`${flags["build-web"] ? "--build-web" : "web/dist has no build"}: running vite build web…`);
  await buildWeb(out, tmp);
  return measureWeb(out, "fresh vite build");
};

// ---------------------------------------------------------------------------------------------

const main = async () => {
  installCleanupHandlers();
  if (flags.keep) keepTempDirs();
  const tmp = tempDir("talk-bench-");
  const tag = randomBytes(3).toString("hex");
  const startedAt = new Date().toISOString();
  const info = machine();
  log(`talk-edge bench (${config.mode}) — ${info.cores} cores, ${info.cpu}, Node ${info.node}, wrangler ${info.wrangler}; load average ${info.loadAverageAtStart.join(" ")}`);
  log(`R=${config.rooms} rooms × 2 sockets, ping-pong ${config.pingPongPerRoom}/room, burst K=${config.burstK} × ${config.burstRounds} rounds; a group of ${config.groupSize}, ${config.groupMessages} messages; ${config.scaleRooms} rooms, ${config.bigRoomMessages.toLocaleString("en-US")}-message room; temp dir ${tmp}`);

  let web: WebResult | null = null;
  let fanout: FanoutResults | null = null;
  let group: GroupResults | null = null;
  let scale: ScaleResults | null = null;

  if (!flags["skip-web"]) {
    try {
      web = await runWeb(tmp);
      log(`web: first load ${fmt(web.totalGzip / 1000)} kB gzipped (JS ${fmt(web.jsGzip / 1000)} kB, CSS ${fmt(web.cssGzip / 1000)} kB) from ${web.source}`);
    } catch (err) {
      record("web", err);
    }
  }

  const wantFanout = !flags["skip-fanout"];
  const wantGroup = !flags["skip-group"];
  const wantRelays = wantFanout || wantGroup;
  const wantScale = !flags["skip-scale"];
  let app: DevServer | null = null;
  let relays: DevServer | null = null;
  if (wantRelays || wantScale) {
    const jwtSecret = randomBytes(32).toString("base64url");
    const appOpts = {
      name: "app",
      config: "wrangler.toml",
      cwd: root,
      persistTo: join(tmp, "app-state"),
      logDir: tmp,
      healthPath: "/api/health",
      // Limits no person reaches, but a bench room sending flat out would.
      vars: {
        JWT_SECRET: jwtSecret,
        REGISTER_LIMIT_PER_HOUR: "1000000",
        LOGIN_LIMIT_PER_IP: "1000000",
        LOGIN_FAILURES_PER_CLIENT: "1000000",
        LOGIN_FAILURES_PER_USERNAME_PER_HOUR: "1000000",
        SEND_BURST: "1000000",
        SEND_PER_SECOND: "1000000",
      },
    };
    // The app's Worker serves web/dist as its static assets: wrangler refuses to start without it.
    if (!isBuilt(webDist)) await buildWeb(webDist, tmp);
    const relayOpts = { name: "relays", config: "bench/baseline/wrangler.toml", cwd: root, persistTo: join(tmp, "relay-state"), logDir: tmp, healthPath: "/health" };
    ownDir(join(root, "bench", "baseline", ".wrangler"));
    try {
      log("applying D1 migrations to fresh local databases…");
      await Promise.all([applyMigrations(appOpts), wantRelays ? applyMigrations(relayOpts) : null]);
      log("starting wrangler dev…");
      [app, relays] = await Promise.all([DevServer.start(appOpts), wantRelays ? DevServer.start(relayOpts) : null]);
      log(`app on ${app.origin}${relays ? `, relays on ${relays.origin}` : ""}`);
      const d1Log = new D1WriteLog();
      app.onStdoutLine((line, at) => d1Log.add(line, at));

      const api = new AppApi(app.origin);
      const heavy = wantScale ? await api.register(`h${tag}`, `bench-${tag}-password`, "많은 방") : null;
      if (wantFanout && relays) {
        try {
          const rooms = await createAppRooms(api, config.rooms, tag);
          log(`${rooms.length * 2} users, friendships and ${rooms.length} rooms created through the API`);
          fanout = await runFanout(app, relays, d1Log, rooms);
          if (fanout.d1Writes.measured) {
            const b = fanout.d1Writes.busy;
            log(`D1 writes in ping-pong and burst: ${b.transactions} transactions for ${b.messages} of ${b.sent} messages (${fmt(b.txPerMessage)} per message), lag behind the ack p50 ${fmt(b.lagP50)} ms, p99 ${fmt(b.lagP99)} ms (upper bounds)`);
          } else log(fanout.d1Writes.note);
        } catch (err) {
          record("fan-out", err);
        }
      }
      if (wantGroup && relays) {
        try {
          const appGroup = await createAppGroup(api, config.groupSize, tag);
          log(`${config.groupSize} users, the sender's friendships and a group room of them all created through the API`);
          group = await runGroup(app, relays, appGroup, { size: config.groupSize, messages: config.groupMessages, slices: config.slices, warmup: config.warmupPerRoom, events: config.eventsSockets });
        } catch (err) {
          record("group fan-out", err);
        }
      }
      if (d1Log.malformed.length > 0) record("D1 writes", new Error(`${d1Log.malformed.length} d1_write line(s) not in the expected format, the first: ${d1Log.malformed[0]}`));
      if (relays) {
        await relays.stop();
        relays = null;
      }

      if (wantScale && heavy) {
        try {
          log("stopping the app to seed its D1 file…");
          await app.stop();
          app = null;
          const seeded = await seedScale({
            persistDir: appOpts.persistTo,
            userId: heavy.user.id,
            rooms: config.scaleRooms,
            bigRoomMessages: config.bigRoomMessages,
            smallRoomMessages: config.smallRoomMessages,
            otherRoomMessages: config.otherRoomMessages,
            tag,
          });
          log(`seeded ${seeded.rooms.toLocaleString("en-US")} rooms and ${seeded.messages.toLocaleString("en-US")} messages in ${fmt(seeded.ms / 1000)} s; restarting the app…`);
          app = await DevServer.start(appOpts);
          const timed = await runScale(new AppApi(app.origin), heavy, seeded);
          scale = { seeded: { rooms: seeded.rooms, messages: seeded.messages, seconds: seeded.ms / 1000 }, ...timed };
        } catch (err) {
          record("chat list and history", err);
        }
      }
    } catch (err) {
      record("servers", err);
    } finally {
      log("stopping servers…");
      await Promise.all([app?.stop(), relays?.stop()]);
    }
  }

  if (isAborting()) return;
  const report = buildReport({ startedAt, info, web, fanout, group, scale });
  console.log(`\n${report.text}\n`);
  if (outFile) {
    writeFileSync(outFile, JSON.stringify(report.json, null, 2) + "\n");
    log(`wrote ${outFile.startsWith(root) ? outFile.slice(root.length + 1) : outFile}`);
  }
  if (smoke) {
    for (const [what, ok] of [
      ["fan-out ran", flags["skip-fanout"] || fanout !== null],
      ["group fan-out ran", flags["skip-group"] || group !== null],
      ["chat list and history ran", flags["skip-scale"] || scale !== null],
      ["web measured", flags["skip-web"] || web !== null],
    ] as const) {
      if (!ok) errors.push(`smoke: ${what} — no`);
    }
  }
  await cleanup();
  if (errors.length > 0) {
    log(`${errors.length} error(s):\n  ${errors.join("\n  ")}`);
    process.exitCode = 1;
  } else log("done");
};

// ---------------------------------------------------------------------------------------------
// Report: the table and results.json.

const kb = (bytes: number) => `${fmt(bytes / 1000)} kB`;
const ms = (x: number) => `${fmt(x)} ms`;
const mark = (ok: boolean | null) => (ok === null ? "" : ok ? "met" : "MISSED");

const buildReport = (r: { startedAt: string; info: ReturnType<typeof machine>; web: WebResult | null; fanout: FanoutResults | null; group: GroupResults | null; scale: ScaleResults | null }) => {
  const targets: { name: string; value: number | null; limit: string; met: boolean | null }[] = [];
  /** Records a target; whether it was met (null: not measured). */
  const target = (name: string, value: number | undefined, limit: string, met: (v: number) => boolean) => {
    const ok = value === undefined || !Number.isFinite(value) ? null : met(value);
    targets.push({ name, value: value === undefined ? null : round(value), limit, met: ok });
    return ok;
  };

  const f = r.fanout;
  const d1 = f?.d1Writes.measured ? f.d1Writes : null;
  const met = {
    pingPongP50: target("ping-pong p50 latency, app/object-SQLite relay", f?.ratios.sql.pingPongP50, `≤ ${TARGETS.pingPongP50RatioMax}x`, (v) => v <= TARGETS.pingPongP50RatioMax),
    pingPongP99: target("ping-pong p99 latency, app/object-SQLite relay", f?.ratios.sql.pingPongP99, `≤ ${TARGETS.pingPongP99RatioMax}x`, (v) => v <= TARGETS.pingPongP99RatioMax),
    burst: target("burst throughput, app/store-nothing relay", f?.ratios.none.burstThroughput, `≥ ${TARGETS.burstThroughputRatioMin}x`, (v) => v >= TARGETS.burstThroughputRatioMin),
    d1TxPerMessage: target("D1 write transactions per message, ping-pong and burst", d1?.busy.txPerMessage, `≤ ${TARGETS.d1TxPerMessageMax}`, (v) => v <= TARGETS.d1TxPerMessageMax),
    d1LagP99: target("D1 lag p99 (ms, upper bound), ping-pong and burst", d1?.busy.lagP99, `< ${TARGETS.d1LagP99MsMax} ms`, (v) => v < TARGETS.d1LagP99MsMax),
    roomsList: target(`GET /api/rooms first page p50, ${config.scaleRooms} rooms (ms)`, r.scale?.roomsFirstPage.p50, `< ${TARGETS.roomsListP50MsMax} ms`, (v) => v < TARGETS.roomsListP50MsMax),
    history: target(`history p50, ${config.bigRoomMessages} vs ${config.smallRoomMessages} messages`, r.scale?.historyRatioP50, `≤ ${TARGETS.historyRatioMax}x`, (v) => v <= TARGETS.historyRatioMax),
    web: target("first-load JS + CSS gzipped (bytes)", r.web?.totalGzip, `≤ ${TARGETS.webGzipBytesMax / 1000} kB`, (v) => v <= TARGETS.webGzipBytesMax),
    group: target(`group of ${config.groupSize}: p50 to the last member, app/D1 relay`, r.group?.ratios.p50, `≤ ${TARGETS.groupP50RatioMax}x`, (v) => v <= TARGETS.groupP50RatioMax),
  };

  const parts: string[] = [];
  /** A row of the app against one relay: values, their ratio, a target and whether it was met. */
  const row = (label: string, a: number, b: number, x: number, unit: (v: number) => string, t = "", m: boolean | null = null) => [label, unit(a), unit(b), ratio(x), t, mark(m)];
  if (f) {
    const msgs = (v: number) => fmt(v);
    const stores = ["none", "sql", "d1"] as const;
    /** A row of the app against each relay: values, ratios, and the target of one of the ratios. */
    const vsRelays = (label: string, pick: (s: SideResult) => number, unit: (v: number) => string, t = "", m: boolean | null = null) => [
      label,
      unit(pick(f.app)),
      ...stores.map((s) => unit(pick(f.relays[s]))),
      ...stores.map((s) => ratio(pick(f.app) / pick(f.relays[s]))),
      t,
      mark(m),
    ];
    const range = (x: { min: number; max: number }) => `${ratio(x.min)}–${ratio(x.max)}`;
    const spreadLine = (s: RelayStore) =>
      `app/${s}: burst throughput ${range(f.sliceRatios[s].burstThroughput)}, ping-pong p50 ${range(f.sliceRatios[s].pingPongP50)}, p99 ${range(f.sliceRatios[s].pingPongP99)}`;
    parts.push(
      `Fan-out: R=${config.rooms} rooms × 2 sockets${config.eventsSockets ? " (+ an events socket each)" : ""}; ping-pong ${config.pingPongPerRoom} messages/room in ${config.slices} slices, burst K=${config.burstK} per member × ${config.burstRounds} rounds; the app and the relays alternate slice by slice.\n` +
        `Relays: none = ${RELAYS.none}, sql = ${RELAYS.sql} (appends to its object's SQLite, then forwards), d1 = ${RELAYS.d1} (one D1 INSERT per message, then forwards).`,
      table(
        ["", "app", "none", "sql", "d1", "app/none", "app/sql", "app/d1", "target", ""],
        [
          vsRelays("ping-pong messages/s", (s) => s.pingPong.throughput, msgs),
          vsRelays("ping-pong p50 latency", (s) => s.pingPong.p50, ms, `app/sql ≤ ${TARGETS.pingPongP50RatioMax}x`, met.pingPongP50),
          vsRelays("ping-pong p95 latency", (s) => s.pingPong.p95, ms),
          vsRelays("ping-pong p99 latency", (s) => s.pingPong.p99, ms, `app/sql ≤ ${TARGETS.pingPongP99RatioMax}x`, met.pingPongP99),
          vsRelays("burst messages/s", (s) => s.burst.throughput, msgs, `app/none ≥ ${TARGETS.burstThroughputRatioMin}x`, met.burst),
          vsRelays("burst p50 latency", (s) => s.burst.p50, ms),
          vsRelays("burst p99 latency", (s) => s.burst.p99, ms),
          vsRelays("server CPU per message, ping-pong", (s) => s.pingPong.cpuMsPerMessage, ms),
          vsRelays("server CPU per message, burst", (s) => s.burst.cpuMsPerMessage, ms),
          vsRelays("load generator CPU per message, ping-pong", (s) => s.pingPong.clientCpuMsPerMessage, (v) => `${v.toFixed(3)} ms`),
        ],
      ) + `\nSlice by slice, ${spreadLine("sql")};\n  ${spreadLine("none")};\n  ${spreadLine("d1")}.`,
    );
    const w = f.d1Writes;
    if (!w.measured) parts.push(`D1 writes by the app's room objects: ${w.note}.`);
    else {
      const phases = [w.pingPong, w.burst, w.busy];
      const cells = (pick: (x: D1WriteSummary) => number, unit: (v: number) => string) => phases.map((x) => unit(pick(x)));
      const n = (v: number) => v.toLocaleString("en-US");
      parts.push(
        `D1 writes by the app in the fan-out (one stdout line per D1 write transaction; a message's lag behind its ack is its transaction's maxLagMs, an upper bound)` +
          (w.complete ? "" : `\nD1 had not taken every message when its lines stopped: ${w.busy.messages} of ${w.busy.sent}.`),
        table(
          ["", "ping-pong", "burst", "both", "target", ""],
          [
            ["app sends", ...cells((x) => x.sent, n), "", ""],
            ["D1 write transactions", ...cells((x) => x.transactions, n), "", ""],
            ["  of them failed (retried)", ...cells((x) => x.failed, n), "", ""],
            ["messages D1 took", ...cells((x) => x.messages, n), "", ""],
            ["D1 transactions per message", ...cells((x) => x.txPerMessage, (v) => (Number.isFinite(v) ? v.toFixed(3) : "—")), `≤ ${TARGETS.d1TxPerMessageMax}`, mark(met.d1TxPerMessage)],
            ["lag p50", ...cells((x) => x.lagP50, ms), "", ""],
            ["lag p99", ...cells((x) => x.lagP99, ms), `< ${TARGETS.d1LagP99MsMax} ms`, mark(met.d1LagP99)],
            ["lag max", ...cells((x) => x.lagMax, ms), "", ""],
          ],
        ),
      );
    }
  }
  if (r.group) {
    const g = r.group;
    parts.push(
      `Group fan-out: one sender in a room of ${g.size} sockets${config.eventsSockets ? " (+ an events socket each)" : ""}, ${config.groupMessages} messages one at a time in ${config.slices} slices; latency to the last of the ${g.size - 1} receivers; the app and the D1 relay alternate slice by slice`,
      table(
        ["", "app", "d1 relay", "app/d1", "target", ""],
        [
          row("messages/s", g.app.throughput, g.baseline.throughput, g.ratios.throughput, (v) => fmt(v)),
          row("p50 latency, send to the last member", g.app.p50, g.baseline.p50, g.ratios.p50, ms, `≤ ${TARGETS.groupP50RatioMax}x`, met.group),
          row("p95 latency", g.app.p95, g.baseline.p95, g.ratios.p95, ms),
          row("p99 latency", g.app.p99, g.baseline.p99, g.ratios.p99, ms),
          row("server CPU per message", g.app.cpuMsPerMessage, g.baseline.cpuMsPerMessage, g.ratios.cpuPerMessage, ms),
          row("load generator CPU per message", g.app.clientCpuMsPerMessage, g.baseline.clientCpuMsPerMessage, g.app.clientCpuMsPerMessage / g.baseline.clientCpuMsPerMessage, (v) => `${v.toFixed(3)} ms`),
        ],
      ) + `\nSlice by slice, app/d1 ranged: p50 ${ratio(g.sliceRatios.p50.min)}–${ratio(g.sliceRatios.p50.max)}, p99 ${ratio(g.sliceRatios.p99.min)}–${ratio(g.sliceRatios.p99.max)}.`,
    );
  }
  if (r.scale) {
    const s = r.scale;
    parts.push(
      `Chat list and history: one user with ${config.scaleRooms.toLocaleString("en-US")} rooms, rooms of ${config.bigRoomMessages.toLocaleString("en-US")} and ${config.smallRoomMessages} messages (${s.seeded.messages.toLocaleString("en-US")} seeded in ${fmt(s.seeded.seconds)} s)`,
      table(
        ["", "p50", "p99", "calls", "target", ""],
        [
          [`GET /api/rooms?limit=${s.roomsFirstPage.rooms} (first page, ${kb(s.roomsFirstPage.responseBytes)})`, ms(s.roomsFirstPage.p50), ms(s.roomsFirstPage.p99), String(s.roomsFirstPage.calls), `p50 < ${TARGETS.roomsListP50MsMax} ms`, mark(met.roomsList)],
          [`GET /api/rooms (whole list, ${s.roomsWhole.rooms} rooms, ${kb(s.roomsWhole.responseBytes)})`, ms(s.roomsWhole.p50), ms(s.roomsWhole.p99), String(s.roomsWhole.calls), "", ""],
          [`all ${s.roomsWalk.pages} pages, one after another (once)`, ms(s.roomsWalk.ms), "", "1", "", ""],
          ["GET /api/me (reference: auth only)", ms(s.me.p50), ms(s.me.p99), String(s.me.calls), "", ""],
          [`history page, ${s.historyBig.roomMessages.toLocaleString("en-US")}-message room`, ms(s.historyBig.p50), ms(s.historyBig.p99), String(s.historyBig.calls), "", ""],
          [`history page, ${s.historySmall.roomMessages.toLocaleString("en-US")}-message room`, ms(s.historySmall.p50), ms(s.historySmall.p99), String(s.historySmall.calls), "", ""],
          ["history big/small", ratio(s.historyRatioP50), ratio(s.historyRatioP99), "", `p50 ≤ ${TARGETS.historyRatioMax}x`, mark(met.history)],
        ],
      ),
    );
  }
  if (r.web) {
    const w = r.web;
    parts.push(
      `Web first load (${w.source}: ${w.distDir}; gzip level 6, 1 kB = 1,000 bytes)`,
      table(
        ["file", "bytes", "gzipped", "", ""],
        [
          ...w.files.map((file) => [file.path, fmt(file.bytes), fmt(file.gzip), "", ""]),
          ["JS + CSS", fmt(w.files.reduce((a, x) => a + x.bytes, 0)), kb(w.totalGzip), `≤ ${TARGETS.webGzipBytesMax / 1000} kB`, mark(met.web)],
          ...(w.lazy.length ? [[`(lazy chunks, not counted: ${w.lazy.length})`, "", kb(w.lazy.reduce((a, x) => a + x.gzip, 0)), "", ""]] : []),
        ],
      ),
    );
  }
  const metCount = targets.filter((t) => t.met === true).length;
  const measured = targets.filter((t) => t.met !== null).length;
  parts.push(`Targets: ${metCount} of ${measured} measured met${smoke ? " (smoke sizes: not meaningful)" : ""}. Machine: ${r.info.cores} cores, ${r.info.cpu}, ${r.info.memoryGiB} GiB, load average at start ${r.info.loadAverageAtStart.join(" ")}, now ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}.`);

  const roundDeep = (v: unknown): unknown =>
    typeof v === "number" ? round(v) : Array.isArray(v) ? v.map(roundDeep) : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, roundDeep(x)])) : v;
  const json = {
    startedAt: r.startedAt,
    finishedAt: new Date().toISOString(),
    machine: { ...r.info, loadAverageAtEnd: os.loadavg().map((x) => Math.round(x * 100) / 100) },
    config,
    fanout: roundDeep(r.fanout),
    group: roundDeep(r.group),
    scale: roundDeep(r.scale),
    web: r.web,
    targets,
    errors,
  };
  return { text: parts.join("\n\n"), json };
};

try {
  await main();
} catch (err) {
  record("bench", err);
  await cleanup();
  process.exitCode = 1;
}

/**
 * Diagnostic: `node bench/attribution/run.ts [R=50] [messages per room per layer=100]`
 * Ping-pong through each layer of relay.ts (R rooms × 2 sockets, layers interleaved in four
 * passes), reporting throughput, p50/p99 latency and the server's CPU per message. All layers share
 * one workerd process, so their p99s compare per-message work under the same stalls (see
 * bench/README.md, "What the p99 is made of").
 */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Fanout, type RoomSpec } from "../lib/loadgen.ts";
import { endStatus, log, status } from "../lib/log.ts";
import { cleanup, installCleanupHandlers, ownDir, tempDir } from "../lib/process.ts";
import { DevServer, applyMigrations } from "../lib/server.ts";
import { fmt, summarize, table } from "../lib/stats.ts";

const LAYERS = (process.env.LAYERS ?? "relay,batch1,drizzle,ack,frames,app").split(",");
const R = Number(process.argv[2] ?? 50);
const perLayer = Number(process.argv[3] ?? 100);
const passes = 4;

installCleanupHandlers();
const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const tmp = tempDir("talk-bench-attribution-");
ownDir(join(root, "bench", "attribution", ".wrangler"));
const opts = { name: "attribution", config: "bench/attribution/wrangler.toml", cwd: root, persistTo: join(tmp, "state"), logDir: tmp, healthPath: "/health" };
try {
  log("applying migrations and starting the attribution relay…");
  await applyMigrations(opts);
  const server = await DevServer.start(opts);
  const fanouts: Record<string, Fanout> = {};
  for (const layer of LAYERS) {
    const rooms: RoomSpec[] = Array.from({ length: R }, (_, i) => {
      const room = `${layer}-${i}`;
      const spec = (me: string, peer: string) => ({ url: `${server.wsOrigin}/rooms/${room}/ws?layer=${layer}&user=${room}:${me}&peer=${room}:${peer}`, headers: {} });
      return { id: room, members: [spec("a", "b"), spec("b", "a")] };
    });
    fanouts[layer] = await Fanout.connect(rooms, { label: layer, progress: status, cpu: () => server.cpuSeconds() });
    await fanouts[layer]!.pingPong(4, `${layer} warm-up`);
  }
  endStatus();
  const acc: Record<string, { cpu: number; n: number; s: number; lat: number[] }> = {};
  for (let pass = 0; pass < passes; pass++) {
    for (const layer of pass % 2 ? [...LAYERS].reverse() : LAYERS) {
      const r = await fanouts[layer]!.pingPong(Math.ceil(perLayer / passes), `${layer} pass ${pass + 1}/${passes}`);
      const a = (acc[layer] ??= { cpu: 0, n: 0, s: 0, lat: [] });
      a.cpu += r.cpuSeconds;
      a.n += r.messages;
      a.s += r.seconds;
      a.lat.push(...r.latencies);
    }
  }
  endStatus();
  const base = acc.relay!;
  console.log(
    "\n" +
      table(
        ["layer (cumulative)", "msg/s", "p50", "p99", "CPU/msg", "vs relay"],
        LAYERS.map((layer) => {
          const a = acc[layer]!;
          const lat = summarize(a.lat);
          return [layer, fmt(a.n / a.s), `${fmt(lat.p50)} ms`, `${fmt(lat.p99)} ms`, `${fmt((a.cpu * 1000) / a.n)} ms`, `${((a.cpu / a.n) / (base.cpu / base.n)).toFixed(2)}x`];
        }),
      ) +
      "\n",
  );
  for (const f of Object.values(fanouts)) f.close();
  await server.stop();
} finally {
  await cleanup();
}

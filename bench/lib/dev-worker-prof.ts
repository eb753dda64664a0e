/**
 * Child-process entry that serves one Worker with wrangler's `unstable_startWorker`, the API
 * behind `wrangler dev`, but with file watching off: `wrangler dev` reloads the Worker whenever a
 * source file changes, and a reload mid-run ("Your worker restarted mid-request") would break the
 * measurement. The code under test is the code on disk when the server started.
 *
 *   node bench/lib/dev-worker.ts '{"config":"wrangler.toml","port":0,"persistTo":"/tmp/x","vars":{}}'
 *
 * Prints `READY <url>` once serving; SIGINT/SIGTERM dispose of it (and its workerd) and exit.
 *
 * The Worker's own console output (workerd's structured logs) is written here one line per call:
 * `console.log`/`info`/`debug` on stdout, `warn`/`error` on stderr. wrangler's default handler
 * would pass it through its logger, whose `logLevel: "warn"` drops `console.log`; the bench reads
 * the app's `{"event":"d1_write",…}` lines from stdout (lib/d1-writes.ts).
 */
import { unstable_startWorker } from "wrangler";

interface Options {
  config: string;
  port: number;
  persistTo: string;
  vars: Record<string, string>;
}

const opts = JSON.parse(process.argv[2] ?? "{}") as Options;

const worker = await unstable_startWorker({
  config: opts.config,
  bindings: Object.fromEntries(Object.entries(opts.vars).map(([name, value]) => [name, { type: "plain_text", value }])),
  dev: {
    watch: false,
    liveReload: false,
    server: { hostname: "127.0.0.1", port: opts.port },
    inspector: { port: 9339 },
    persist: opts.persistTo,
    logLevel: "warn",
    structuredLogsHandler: ({ level, message }: { level: string; message: string }) => {
      (level === "warn" || level === "error" ? process.stderr : process.stdout).write(`${message}\n`);
    },
  },
});

let stopping = false;
const stop = async (code: number) => {
  if (stopping) return;
  stopping = true;
  try {
    await worker.dispose();
  } finally {
    process.exit(code);
  }
};
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));
// The bench holds our stdin: when it dies without signalling us, stdin closes and we go too.
process.stdin.on("end", () => void stop(0));
process.stdin.resume();

await worker.ready;
const url = await worker.url;
process.stdout.write(`READY ${url.href}\n`);

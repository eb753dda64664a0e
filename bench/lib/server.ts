/**
 * A Worker served locally on a free port with its own persisted state (see dev-worker.ts), and
 * the D1 migrations for it (`wrangler d1 migrations apply DB --local --persist-to …`).
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Spawned, freePort, runWrangler, spawnLogged, stopChild } from "./process.ts";

export interface ServerOptions {
  name: string;
  /** wrangler config, relative to cwd. */
  config: string;
  cwd: string;
  persistTo: string;
  logDir: string;
  vars?: Record<string, string>;
  healthPath: string;
}

const devWorker = fileURLToPath(new URL("./dev-worker.ts", import.meta.url));

export const applyMigrations = (opts: Pick<ServerOptions, "name" | "config" | "cwd" | "persistTo" | "logDir">): Promise<void> =>
  runWrangler(["d1", "migrations", "apply", "DB", "--local", "--config", opts.config, "--persist-to", opts.persistTo], {
    cwd: opts.cwd,
    logFile: join(opts.logDir, `${opts.name}-migrations.log`),
  });

export class DevServer {
  readonly opts: ServerOptions;
  readonly origin: string;
  private readonly run: Spawned;

  private constructor(opts: ServerOptions, origin: string, run: Spawned) {
    this.opts = opts;
    this.origin = origin;
    this.run = run;
  }

  static async start(opts: ServerOptions, timeoutMs = 120_000): Promise<DevServer> {
    const port = await freePort();
    const run = spawnLogged(
      process.execPath,
      [devWorker, JSON.stringify({ config: join(opts.cwd, opts.config), port, persistTo: opts.persistTo, vars: opts.vars ?? {} })],
      { cwd: opts.cwd, logFile: join(opts.logDir, `${opts.name}-dev.log`), keepStdin: true },
    );
    const origin = `http://127.0.0.1:${port}`;
    const server = new DevServer(opts, origin, run);
    let exitCode: number | null = null;
    void run.done.then((code) => (exitCode = code));
    let announced = false;
    run.onOutput((text) => {
      if (/^READY /m.test(text)) announced = true;
    });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (exitCode !== null) throw new Error(`${opts.name}: the dev server exited with ${exitCode} before it was ready:\n${run.tail()}`);
      if (announced) {
        try {
          const res = await fetch(origin + opts.healthPath, { signal: AbortSignal.timeout(5000) });
          await res.arrayBuffer();
          if (res.ok) return server;
        } catch {
          // not answering yet
        }
      }
      if (Date.now() > deadline) {
        await stopChild(run.child);
        throw new Error(`${opts.name}: not ready after ${timeoutMs / 1000}s:\n${run.tail()}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  get wsOrigin(): string {
    return this.origin.replace(/^http/, "ws");
  }

  tail(): string {
    return this.run.tail();
  }

  /** Each line the server prints on stdout from now on (the Worker's `console.log`, see dev-worker.ts). */
  onStdoutLine(listener: (line: string, at: number) => void): void {
    this.run.onStdoutLine(listener);
  }

  stop(): Promise<void> {
    return stopChild(this.run.child);
  }

  /**
   * CPU seconds used so far by every process of this server (its process group: the Node side of
   * wrangler and the workerd running the Worker, its Durable Objects and D1). Linux only; NaN
   * elsewhere. Unlike wall time, this barely moves when other work shares the machine.
   */
  cpuSeconds(): number {
    const pgid = this.run.child.pid;
    if (pgid === undefined || process.platform !== "linux") return Number.NaN;
    let ticks = 0;
    let entries: string[];
    try {
      entries = readdirSync("/proc");
    } catch {
      return Number.NaN;
    }
    for (const entry of entries) {
      if (!/^\d+$/.test(entry)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      } catch {
        continue; // exited meanwhile
      }
      // Fields after the parenthesised command: state ppid pgrp … utime(14) stime(15), 1-based overall.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) !== pgid) continue;
      ticks += Number(fields[11]) + Number(fields[12]);
    }
    return ticks / 100; // USER_HZ is 100 on Linux
  }
}

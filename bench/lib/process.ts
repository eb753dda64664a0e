/**
 * Child processes (wrangler) and temp directories the bench owns, and their cleanup on every way
 * out: normal end, error, Ctrl-C, SIGTERM. Each child runs in its own process group, so stopping
 * it also stops the workerd it spawned.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, mkdtempSync, readdirSync, rmSync, rmdirSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { StringDecoder } from "node:string_decoder";
import { dirname, join } from "node:path";
import { log } from "./log.ts";

const live = new Set<ChildProcess>();
const dirs = new Set<string>();
const prunable = new Set<string>();
let keepDirs = false;
let aborting = false;

/** True once Ctrl-C (or SIGTERM) arrived: nothing new may start. */
export const isAborting = (): boolean => aborting;

const refuseWhenAborting = () => {
  if (aborting) throw new Error("aborted");
};

const killGroup = (child: ChildProcess, signal: NodeJS.Signals) => {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
};

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

const waitExit = (child: ChildProcess, ms: number): Promise<boolean> =>
  exited(child)
    ? Promise.resolve(true)
    : new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), ms);
        child.once("exit", () => {
          clearTimeout(timer);
          resolve(true);
        });
      });

/** Asks a child to stop (SIGINT lets wrangler shut its workerd down), then forces its whole group. */
export const stopChild = async (child: ChildProcess, graceMs = 5000): Promise<void> => {
  if (!exited(child)) {
    child.kill("SIGINT");
    if (!(await waitExit(child, graceMs))) {
      killGroup(child, "SIGKILL");
      await waitExit(child, 2000);
    }
  }
  killGroup(child, "SIGKILL"); // stragglers left in the group (workerd)
  live.delete(child);
};

export const tempDir = (prefix: string): string => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.add(dir);
  return dir;
};

/**
 * A directory wrangler may create inside the repo (its .wrangler/tmp next to a config): removed at
 * the end if nothing but empty directories is left in it, so a concurrent run's files survive.
 */
export const ownDir = (dir: string): void => {
  prunable.add(dir);
};

/** Removes empty directories bottom-up; true when `dir` itself is gone. */
const pruneEmpty = (dir: string): boolean => {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return true;
  }
  let empty = true;
  for (const e of entries) {
    if (!e.isDirectory() || !pruneEmpty(`${dir}/${e.name}`)) empty = false;
  }
  if (!empty) return false;
  try {
    rmdirSync(dir);
    return true;
  } catch {
    return false;
  }
};

export const keepTempDirs = (): void => {
  keepDirs = true;
};

const removeDirs = () => {
  for (const dir of dirs) {
    if (keepDirs) {
      log(`kept ${dir}`);
      continue;
    }
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // best effort
    }
  }
  dirs.clear();
  for (const dir of prunable) pruneEmpty(dir);
};

export const cleanup = async (): Promise<void> => {
  await Promise.all([...live].map((child) => stopChild(child)));
  removeDirs();
};

let installed = false;
export const installCleanupHandlers = (): void => {
  if (installed) return;
  installed = true;
  // Last resort on any exit path: synchronous, so only SIGKILL and rmSync.
  process.on("exit", () => {
    for (const child of live) killGroup(child, "SIGKILL");
    removeDirs();
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      aborting = true;
      log(`${signal}: stopping servers and removing temp files…`);
      void cleanup().finally(() => process.exit(130));
    });
  }
};

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });

const require = createRequire(import.meta.url);
const wranglerJs = join(dirname(require.resolve("wrangler/package.json")), "bin", "wrangler.js");

export interface Spawned {
  child: ChildProcess;
  /** The last few KB of output, for error messages. */
  tail: () => string;
  /** Output so far that the caller asked to watch for (see `onOutput`). */
  onOutput: (listener: (text: string) => void) => void;
  /** Each complete line of stdout alone, from now on, with the time it arrived (`performance.now()`). */
  onStdoutLine: (listener: (line: string, at: number) => void) => void;
  done: Promise<number>;
}

/** Spawns a command in its own process group, output to a log file (and kept in a short tail). */
export const spawnLogged = (cmd: string, args: string[], opts: { cwd: string; logFile: string; keepStdin?: boolean }): Spawned => {
  refuseWhenAborting();
  const out = createWriteStream(opts.logFile, { flags: "a" });
  const child = spawn(cmd, args, {
    cwd: opts.cwd,
    detached: true,
    stdio: [opts.keepStdin ? "pipe" : "ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", WRANGLER_SEND_METRICS: "false", CI: "1" },
  });
  live.add(child);
  let tail = "";
  const listeners: ((text: string) => void)[] = [];
  const keep = (chunk: Buffer) => {
    out.write(chunk);
    const text = chunk.toString();
    tail = (tail + text).slice(-4000);
    for (const l of listeners) l(text);
  };
  const lineListeners: ((line: string, at: number) => void)[] = [];
  const decoder = new StringDecoder("utf8");
  let partial = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    keep(chunk);
    const at = performance.now();
    const lines = (partial + decoder.write(chunk)).split("\n");
    partial = lines.pop()!;
    for (const line of lines) for (const l of lineListeners) l(line, at);
  });
  child.stderr!.on("data", keep);
  const done = new Promise<number>((resolve) => {
    child.on("exit", (code, signal) => {
      live.delete(child);
      out.end();
      resolve(code ?? (signal ? 128 : 1));
    });
    child.on("error", (err) => {
      keep(Buffer.from(String(err)));
      live.delete(child);
      resolve(1);
    });
  });
  return { child, tail: () => tail, onOutput: (l) => listeners.push(l), onStdoutLine: (l) => lineListeners.push(l), done };
};

/** Runs `wrangler …` under this Node. */
export const spawnWrangler = (args: string[], opts: { cwd: string; logFile: string }): Spawned => spawnLogged(process.execPath, [wranglerJs, ...args], opts);

export const runLogged = async (cmd: string, args: string[], opts: { cwd: string; logFile: string }): Promise<void> => {
  const run = spawnLogged(cmd, args, opts);
  const code = await run.done;
  if (code !== 0) throw new Error(`${cmd === process.execPath ? "node" : cmd} ${args.slice(0, 4).join(" ")} exited with ${code}:\n${run.tail()}`);
};

export const runWrangler = (args: string[], opts: { cwd: string; logFile: string }): Promise<void> => runLogged(process.execPath, [wranglerJs, ...args], opts);

/**
 * The app and its relays in alternating slices (relays then app, app then relays in reverse, …), so
 * that other load on the machine, which drifts over seconds, weighs on all alike; and the slices
 * of one side pooled.
 */
import type { PhaseResult } from "./loadgen.ts";
import { endStatus, log } from "./log.ts";
import { fmt, round, summarize } from "./stats.ts";

export interface ModeResult {
  throughput: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  messages: number;
  seconds: number;
  /** Server CPU (all its processes) per delivered message, in ms. */
  cpuMsPerMessage: number;
  /** The load generator's own CPU per delivered message, in ms: it should stay small. */
  clientCpuMsPerMessage: number;
  /** Each slice (ping-pong) or round (burst) on its own, in run order. */
  slices: { throughput: number; p50: number; p99: number }[];
}

/** `total` split into `slices` parts of equal size (the last one smaller when it does not divide). */
export const sliceSizes = (total: number, slices: number): number[] => {
  const size = Math.ceil(total / slices);
  const sizes: number[] = [];
  for (let done = 0; done < total; done += size) sizes.push(Math.min(size, total - done));
  return sizes;
};

/**
 * Runs `count` slices a side, the sides in the given order in even slices and reversed in odd ones
 * (each side's mean position the same), and logs each; returns each side's slices in run order.
 */
export const alternate = async <S extends string>(
  sides: readonly S[],
  count: number,
  label: (side: S, i: number) => string,
  run: (side: S, i: number, what: string) => Promise<PhaseResult>,
): Promise<Record<S, PhaseResult[]>> => {
  const runs = Object.fromEntries(sides.map((side) => [side, [] as PhaseResult[]])) as Record<S, PhaseResult[]>;
  for (let i = 0; i < count; i++) {
    for (const side of i % 2 === 0 ? sides : [...sides].reverse()) {
      const what = label(side, i);
      const r = await run(side, i, what);
      endStatus();
      const x = summarize(r.latencies);
      log(`${what}: ${fmt(r.throughput)} msg/s, p50 ${fmt(x.p50)} ms, p99 ${fmt(x.p99)} ms, server CPU ${fmt((r.cpuSeconds * 1000) / r.messages)} ms/msg (${r.messages} messages in ${fmt(r.seconds)} s)`);
      runs[side].push(r);
    }
  }
  return runs;
};

/** Slices of one side pooled: messages over time, percentiles over every latency. */
export const combine = (runs: PhaseResult[]): ModeResult => {
  const all = summarize(runs.flatMap((r) => r.latencies));
  const messages = runs.reduce((a, r) => a + r.messages, 0);
  const seconds = runs.reduce((a, r) => a + r.seconds, 0);
  return {
    throughput: messages / seconds,
    p50: all.p50,
    p95: all.p95,
    p99: all.p99,
    mean: all.mean,
    messages,
    seconds,
    cpuMsPerMessage: (runs.reduce((a, r) => a + r.cpuSeconds, 0) * 1000) / messages,
    clientCpuMsPerMessage: (runs.reduce((a, r) => a + r.clientCpuSeconds, 0) * 1000) / messages,
    slices: runs.map((r) => {
      const x = summarize(r.latencies);
      return { throughput: round(r.throughput), p50: round(x.p50), p99: round(x.p99) };
    }),
  };
};

/** min and max over slices of app/relay for one measure: how much the machine moved meanwhile. */
export const spread = (app: ModeResult, base: ModeResult, key: "throughput" | "p50" | "p99") => {
  const r = app.slices.map((a, i) => a[key] / base.slices[i]![key]);
  return { min: Math.min(...r), max: Math.max(...r) };
};

export const waitFor = async (cond: () => boolean, ms: number) => {
  const deadline = Date.now() + ms;
  while (!cond() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return cond();
};

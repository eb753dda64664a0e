/**
 * The chaos schedule as a pure function of a seed: which client sends which messages (clientIds
 * and bodies included), where the test pauses, and where it drops a socket, evicts a room object,
 * aborts every object, makes a room's next write to its log fail, or makes D1 fail or hang for a room's write-behind. Nothing here touches the network or the clock, so one seed always gives
 * one schedule; the run that executes it still meets the server at timing-dependent points.
 */

/** mulberry32: a tiny, well-known 32-bit PRNG; returns floats in [0, 1). */
export const mulberry32 = (seed: number): (() => number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

export type ChaosAction =
  | { kind: "drop"; client: number }
  | { kind: "evict"; room: number; webSockets: "close" | "hibernate" }
  | { kind: "abortAll" }
  /** The room's next commit to its own log fails (its senders get `store_failed`). */
  | { kind: "failCommit"; room: number }
  /** The room's next D1 write-behind transaction fails inside D1 (retried by the alarm; no client notices). */
  | { kind: "failD1"; room: number }
  /** The room's D1 write-behind transactions hang for `ms` (D1 slow or overloaded). */
  | { kind: "slowD1"; room: number; ms: number };

export interface PlannedMessage {
  clientId: string;
  body: string;
}

export type Step =
  | { kind: "send"; client: number; messages: PlannedMessage[] }
  | { kind: "pause"; ms: number }
  | { kind: "chaos"; action: ChaosAction };

export interface PlanConfig {
  rooms: number;
  clientsPerRoom: number;
  messagesPerClient: number;
  /** Chance of a chaos action after each send step. */
  chaosRate: number;
  /** Longest pause between steps, in ms. */
  maxPauseMs: number;
}

export interface Plan {
  seed: number;
  config: PlanConfig;
  steps: Step[];
}

/** Client index → its room (clients 0..k-1 share room 0, and so on). */
export const roomOf = (config: PlanConfig, client: number) => Math.floor(client / config.clientsPerRoom);

const WORDS = ["안녕", "하세요", "밥", "먹었어?", "ㅋㅋㅋ", "카톡", "hello", "ok", "👍", "내일", "봐요", "🎉", "회의", "점심", "커피", "sure", "🙏🏻", "좋아요"];

const shuffled = <T>(items: T[], rand: () => number): T[] => {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
};

export const planChaos = (seed: number, config: PlanConfig): Plan => {
  const rand = mulberry32(seed);
  const int = (n: number) => Math.floor(rand() * n);
  const clients = config.rooms * config.clientsPerRoom;
  const remaining = Array.from({ length: clients }, () => config.messagesPerClient);
  const sent = Array.from({ length: clients }, () => 0);

  const body = (client: number, n: number): string => {
    const words = Array.from({ length: 1 + int(6) }, () => WORDS[int(WORDS.length)]!).join(" ");
    // Now and then a long message, still well under the 10,000-character limit.
    const padding = int(20) === 0 ? " " + "가".repeat(500 + int(2000)) : "";
    return `r${roomOf(config, client)}c${client}#${n} ${words}${padding}`;
  };

  const randomAction = (): ChaosAction => {
    const roll = rand();
    if (roll < 0.35) return { kind: "drop", client: int(clients) };
    if (roll < 0.5) return { kind: "evict", room: int(config.rooms), webSockets: "close" };
    if (roll < 0.65) return { kind: "evict", room: int(config.rooms), webSockets: "hibernate" };
    if (roll < 0.75) return { kind: "abortAll" };
    if (roll < 0.85) return { kind: "failCommit", room: int(config.rooms) };
    if (roll < 0.93) return { kind: "failD1", room: int(config.rooms) };
    return { kind: "slowD1", room: int(config.rooms), ms: 50 + int(400) };
  };
  // Every kind of chaos happens at least once whatever the seed: the first five actions are the
  // seven kinds in a seeded order.
  const firstActions = shuffled<() => ChaosAction>(
    [
      () => ({ kind: "drop", client: int(clients) }),
      () => ({ kind: "evict", room: int(config.rooms), webSockets: "close" }),
      () => ({ kind: "evict", room: int(config.rooms), webSockets: "hibernate" }),
      () => ({ kind: "abortAll" }),
      () => ({ kind: "failCommit", room: int(config.rooms) }),
      () => ({ kind: "failD1", room: int(config.rooms) }),
      () => ({ kind: "slowD1", room: int(config.rooms), ms: 50 + int(400) }),
    ],
    rand,
  );

  const steps: Step[] = [];
  const sendStep = (client: number, count: number): Step => {
    const messages = Array.from({ length: count }, () => {
      const n = ++sent[client]!;
      // Both members of a room use the same clientIds m1, m2, …: a clientId is per sender.
      return { clientId: `m${n}`, body: body(client, n) };
    });
    remaining[client]! -= count;
    return { kind: "send", client, messages };
  };
  // Each client keeps its last message for the tail.
  for (let c = 0; c < clients; c++) remaining[c]! -= 1;
  for (;;) {
    const candidates = remaining.flatMap((left, client) => (left > 0 ? [client] : []));
    if (candidates.length === 0) break;
    const client = candidates[int(candidates.length)]!;
    steps.push(sendStep(client, 1 + int(Math.min(4, remaining[client]!))));
    if (rand() < config.chaosRate) steps.push({ kind: "chaos", action: (firstActions.shift() ?? randomAction)() });
    if (rand() < 0.6) steps.push({ kind: "pause", ms: 1 + int(config.maxPauseMs) });
  }
  for (const action of firstActions) steps.push({ kind: "chaos", action: action() });
  // The tail: no socket is lost any more, and every room's next commit fails, so the last sends
  // can only get through by the client resending after `store_failed`; and D1 fails for every room.
  for (let room = 0; room < config.rooms; room++) steps.push({ kind: "chaos", action: { kind: "failCommit", room } }, { kind: "chaos", action: { kind: "failD1", room } });
  for (let c = 0; c < clients; c++) {
    remaining[c]! += 1;
    steps.push(sendStep(c, 1));
  }
  return { seed, config, steps };
};

export const chaosActions = (plan: Plan): ChaosAction[] => plan.steps.flatMap((s) => (s.kind === "chaos" ? [s.action] : []));

/** FNV-1a over the plan's JSON: a short fingerprint to compare runs by eye or pin in a test. */
export const fingerprint = (plan: Plan): string => {
  const text = JSON.stringify(plan);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, "0");
};

import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import type { RoomWriteSink } from "../../../durable-objects/d1-writer";
import { allowanceKey } from "../../../durable-objects/member-allowances";
import { SEND_ALLOWANCE } from "../../../durable-objects/chat-room";
import { env } from "cloudflare:workers";
import { d1CaughtUp, roomLog, roomStub } from "../room-log-helpers";
import { pair, roomSocket, type Session, upgrade } from "../harness";
import { SimClient } from "./sim-client";

/** Shared helpers of the delivery tests: the room object, what D1 holds, and a handle on D1 batches. */

/** Two friends, their room, and one open room socket each. */
export const connectedPair = async () => {
  const { a, b, room } = await pair();
  const [sa, sb] = await Promise.all([roomSocket(room.id, a), roomSocket(room.id, b)]);
  return { a, b, room, sa, sb };
};

/** A simulated client of `who` in a room, opening its socket through the Worker as a browser would. */
export const simClient = (name: string, roomId: string, who: Session) =>
  new SimClient({
    name,
    roomId,
    userId: who.user.id,
    open: async () => {
      const res = await upgrade(`/api/rooms/${roomId}/ws`, { cookie: who.cookie });
      if (res.status !== 101 || !res.webSocket) throw new Error(`upgrade: ${res.status}`);
      return res.webSocket;
    },
  });

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls until `check` holds; fails with `describe()` after `timeoutMs`. */
export const waitFor = async (check: () => boolean | Promise<boolean>, describe: () => string, timeoutMs = 5000, everyMs = 5): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${describe()}`);
    await sleep(everyMs);
  }
};


export interface StoredMessage {
  id: string;
  seq: number;
  senderId: string;
  clientId: string;
  body: string;
  sentAt: number;
}

/** The server's log of a room: its object's, ascending by seq. */
export const serverLog = async (roomId: string): Promise<StoredMessage[]> =>
  (await roomLog(roomId)).map(({ id, seq, senderId, clientId, body, sentAt }) => ({ id, seq, senderId, clientId, body, sentAt }));

/** D1's copy of a room's log, ascending by seq (behind the object's by the write-behind). */
export const d1Log = async (roomId: string): Promise<StoredMessage[]> => {
  const { results } = await env.DB.prepare(
    "select id, seq, sender_id as senderId, client_id as clientId, body, sent_at as sentAt from messages where room_id = ? order by seq",
  )
    .bind(roomId)
    .all<StoredMessage>();
  return results;
};

/** D1's row of the room once it has caught up with the room's log. */
export const roomRow = async (roomId: string) => {
  await d1CaughtUp(roomId);
  return (await env.DB.prepare("select last_seq as lastSeq, last_message_id as lastMessageId, updated_at as updatedAt from rooms where id = ?")
    .bind(roomId)
    .first<{ lastSeq: number; lastMessageId: string | null; updatedAt: number }>())!;
};

/** A member's cursor as D1 has it once caught up. */
export const cursorOf = async (roomId: string, userId: string) => {
  await d1CaughtUp(roomId);
  return (await env.DB.prepare("select last_read_seq as n from room_members where room_id = ? and user_id = ?").bind(roomId, userId).first<{ n: number }>())!.n;
};

/** (sender, clientId) pairs stored more than once in a room; must always be empty. */
export const storedTwice = async (roomId: string) =>
  (
    await d1CaughtUp(roomId),
    await env.DB.prepare("select sender_id as senderId, client_id as clientId, count(*) as n from messages where room_id = ? group by sender_id, client_id having n > 1")
      .bind(roomId)
      .all<{ senderId: string; clientId: string; n: number }>()
  ).results;

/**
 * The seqs of a socket's `message` frames in order of first arrival. The contract lets a client
 * see a message more than once (it merges by seq), but the first sighting of each seq must come in
 * seq order, and every copy must be the same message: `distinctInOrder` throws otherwise.
 */
export const distinctInOrder = (messages: { seq: number; id: string; body: string }[]): number[] => {
  const seen = new Map<number, { id: string; body: string }>();
  const order: number[] = [];
  for (const m of messages) {
    const first = seen.get(m.seq);
    if (first && (first.id !== m.id || first.body !== m.body)) throw new Error(`seq ${m.seq} delivered as two different messages`);
    if (!first) {
      seen.set(m.seq, m);
      order.push(m.seq);
    }
  }
  return order;
};

/** Shared between the test and the object's instance (both run in the same isolate). */
interface BatchState {
  /**
   * The room's writes to D1, in call order, each by its size: a window's write through its D1
   * writer (its messages), or a membership change's batch (its statements).
   */
  drafts: number[];
  /** While true, the next write waits before going anywhere. */
  hold: boolean;
  /** Set by the wrapper once a write is waiting on `hold`. */
  waiting: boolean;
  /** Indexes (in `drafts`) of the writes that fail: a membership batch inside D1, a window's write at its writer. */
  failCalls: Set<number>;
  /** Indexes of the writes that commit in D1 but whose answer is lost (the call throws). */
  loseCalls: Set<number>;
}

/** Every wrapper's failing statement, so that stacked wrappers do not count each other's as a draft. */
const poisons = new WeakSet<D1PreparedStatement>();

/**
 * Wraps the room object's two ways to D1 in its current instance (its write-behind's `d1`, for
 * membership changes, and `writer`, for each window's write; private, hence the cast). It counts
 * writes and their sizes, can hold the next write before it goes (so sends pile up behind it), can
 * make writes fail (a membership batch *inside* D1: the real statements run, followed by one that
 * violates NOT NULL, so the transaction must roll everything back; a window's write refused by its
 * writer, as when D1 refused the writer's transaction: d1-writer.test.ts runs that one for real),
 * and can lose a committed write's answer (D1 committed, the call throws: a timeout or a dropped
 * connection after commit). The wrapper lives on the instance: evicting the object removes it.
 *
 * The held write polls a flag with 1 ms timers instead of awaiting a promise from the test: the
 * test and the object run in the same isolate but in different request contexts.
 */
export const controlBatches = async (roomId: string) => {
  const state: BatchState = { drafts: [], hold: false, waiting: false, failCalls: new Set(), loseCalls: new Set() };
  await runInDurableObject(roomStub(roomId), (instance: object) => {
    const store = (instance as unknown as { writeBehind: { d1: D1Database; writer: RoomWriteSink } }).writeBehind;
    const { d1, writer } = store;
    const failing = d1.prepare("insert into rooms (id, kind, updated_at) values (?, 'direct', null)").bind(`poison-${crypto.randomUUID()}`);
    poisons.add(failing);
    const through = async <T>(size: number, fail: () => Promise<T>, run: () => Promise<T>): Promise<T> => {
      const index = state.drafts.push(size) - 1;
      if (state.hold) {
        state.waiting = true;
        while (state.hold) await new Promise((r) => setTimeout(r, 1));
        state.waiting = false;
      }
      if (state.failCalls.has(index)) return fail();
      const result = await run();
      if (state.loseCalls.has(index)) throw new Error("injected: the write committed but its answer was lost");
      return result;
    };
    // An outer wrapper's poison reaches an inner one as an extra statement: not a draft.
    const batch = (statements: D1PreparedStatement[]) =>
      through(statements.filter((s) => !poisons.has(s)).length, () => d1.batch([...statements, failing]), () => d1.batch(statements));
    store.d1 = { prepare: (query: string) => d1.prepare(query), batch } as unknown as D1Database;
    store.writer = {
      write: (write) => through(write.messages.length, async () => ({ ok: false, error: "injected: D1 refused the writer's transaction" }), () => writer.write(write)),
    };
  });
  return {
    state,
    /** The next write will wait until `release()`. */
    hold: () => {
      state.hold = true;
    },
    /** Resolves once a write is waiting on `hold`. */
    heldBatch: () => waitFor(() => state.waiting, () => "no write reached D1 while held"),
    release: () => {
      state.hold = false;
    },
    /** The next write that starts from now on (not one already held) fails. */
    failNextBatch: () => {
      state.failCalls.add(state.drafts.length);
    },
    /** The next write that starts from now on commits, but its caller gets an error instead. */
    loseNextAnswer: () => {
      state.loseCalls.add(state.drafts.length);
    },
    /** How many sends wait in the object's queue (private field, read through a cast). */
    queued: () => runInDurableObject(roomStub(roomId), (instance: object) => (instance as unknown as { queue: unknown[] }).queue.length),
  };
};

/**
 * Evicts the room object (its memory goes; D1 and, with "hibernate", the sockets stay). The object
 * is woken first so the eviction always has an instance to tear down.
 */
export const evictRoom = async (roomId: string, webSockets: "close" | "hibernate") => {
  const stub = roomStub(roomId);
  await runInDurableObject(stub, () => undefined);
  await evictDurableObject(stub, { webSockets });
};

/**
 * Gives a member a full send allowance in a room again (tests that send more than a person could,
 * like the fuzzers): the stored allowance goes, and so does the instance that cached it.
 */
export const refillAllowance = async (roomId: string, userId: string) => {
  await runInDurableObject(roomStub(roomId), (_: object, state: DurableObjectState) => state.storage.kv.delete(allowanceKey(SEND_ALLOWANCE, userId)));
  await evictRoom(roomId, "hibernate");
};

/** Waits until a member's send allowance in a room has `frames` whole frames in it again (it refills with time). */
export const allowanceRefilled = (roomId: string, userId: string, frames: number) =>
  waitFor(
    () =>
      runInDurableObject(roomStub(roomId), (instance: object) =>
        (instance as unknown as { allowances: { tokens(userId: string, now: number): number } }).allowances.tokens(userId, Date.now()) >= frames,
      ),
    () => `the allowance to hold ${frames} frames`,
    10_000,
    20,
  );

const MARK = "__deliveryTestMark";
/** Puts a mark on the current instance; `instanceMarked` tells whether the instance is still that one. */
export const markInstance = (roomId: string) =>
  runInDurableObject(roomStub(roomId), (instance: object) => {
    (instance as Record<string, unknown>)[MARK] = true;
  });
export const instanceMarked = (roomId: string) =>
  runInDurableObject(roomStub(roomId), (instance: object) => (instance as Record<string, unknown>)[MARK] === true);

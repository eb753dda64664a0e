import { batch, createEffect, createMemo, createSignal, onCleanup } from "solid-js";
import type { Member, Message, RoomServerFrame } from "../../../worker/contract";
import { HttpError } from "../api/client";
import { api } from "../api/endpoints";
import { newClientId } from "../lib/ids";
import { contiguousHigh, mergeMessages, needsMoreSync, settledClientIds } from "../lib/messages";
import { failEntries, putEntry, reconcile, removeEntries } from "../lib/outbox";
import { createReconnectingSocket, type SocketStatus } from "../socket/reconnecting";
import type { LoadState } from "./friends";
import { dropEntries, failStoredEntries, type OutboxEntry, readOutbox, storeEntry, watchOutbox } from "./outbox";
import { readRoomLocally, roomById, upsertRoom } from "./rooms";

const FAIL_AFTER_MS = 2 * 60_000;
const RESEND_AFTER_ERROR_MS = 3_000;
/** A pending send with no answer for this long is sent again (same clientId, so never stored twice). */
const RESEND_UNANSWERED_MS = 15_000;
const TICK_MS = 5_000;
/** Codes for which sending the same frame again can never succeed. */
const PERMANENT_ERRORS = new Set(["invalid", "too_large", "too_long", "bad_request"]);

/**
 * One open chat room: history, the live socket, the outbox and read receipts.
 * Call inside a component; everything stops when it unmounts.
 *
 * The message path of architecture.md, client side: on every (re)connect, once `hello` and the
 * first history page are in, `sync` from the highest seq below which we hold everything, then
 * resend the outbox; merge everything by seq; settle outbox entries by our own echoes' clientId;
 * an `error` carrying a clientId keeps the entry (resent later, or marked failed when it can
 * never succeed); an entry unacknowledged for ~2 minutes is marked failed and offers a retry by
 * hand (it still goes out again on the next reconnect).
 */
export const createRoomSession = (roomId: string, meId: string) => {
  const [roomState, setRoomState] = createSignal<LoadState | "not_found">("loading");
  const [messages, setMessages] = createSignal<readonly Message[]>([]);
  const [historyState, setHistoryState] = createSignal<LoadState>("loading");
  const [hasMore, setHasMore] = createSignal(false);
  const [loadingOlder, setLoadingOlder] = createSignal(false);
  // Known from the chat list already, the header shows the friend's name before any request.
  const [members, setMembers] = createSignal<readonly Member[]>(roomById(roomId)?.members ?? []);
  const [outbox, setOutbox] = createSignal<readonly OutboxEntry[]>(readOutbox(meId, roomId));
  const [status, setStatus] = createSignal<SocketStatus>("connecting");
  /** True between this connection's `hello` and its close: only then may sends and syncs go out. */
  const [ready, setReady] = createSignal(false);
  const [everReady, setEverReady] = createSignal(false);
  const [viewing, setViewing] = createSignal(false);

  let socket: ReturnType<typeof createReconnectingSocket> | null = null;
  let syncedThisConnection = false;
  let lastSyncFrom = -1;
  let readSent = 0;
  let resendTimer: ReturnType<typeof setTimeout> | undefined;
  /** When this tab last sent each pending entry (absent: not sent from this tab yet). */
  const lastSent = new Map<string, number>();

  const others = createMemo(() => members().filter((m) => m.id !== meId));
  const myReadSeq = createMemo(() => members().find((m) => m.id === meId)?.lastReadSeq ?? 0);
  const highest = createMemo(() => contiguousHigh(messages()));

  /** Our echoes settle entries: in memory and in the shared list (other tabs then drop them too). */
  const settle = (clientIds: ReadonlySet<string>) => {
    if (clientIds.size === 0) return;
    for (const id of clientIds) lastSent.delete(id);
    setOutbox((entries) => removeEntries(entries, clientIds));
    dropEntries(meId, roomId, clientIds);
  };

  const markFailed = (clientIds: ReadonlySet<string>) => {
    if (clientIds.size === 0) return;
    setOutbox((entries) => failEntries(entries, (e) => clientIds.has(e.clientId)));
    failStoredEntries(meId, roomId, clientIds);
  };

  const receive = (incoming: readonly Message[]) => {
    if (incoming.length === 0) return;
    batch(() => {
      setMessages((current) => mergeMessages(current, incoming));
      // Our own echo, from an ack, a live frame or a sync, settles the matching outbox entry.
      settle(settledClientIds(incoming, meId));
    });
  };

  const transmit = (entry: OutboxEntry) => {
    if (!ready() || !socket?.send({ type: "send", clientId: entry.clientId, body: entry.body })) return;
    lastSent.set(entry.clientId, Date.now());
  };

  const sync = () => {
    const from = highest();
    if (from === lastSyncFrom) return;
    lastSyncFrom = from;
    socket?.send({ type: "sync", after: from });
  };

  /** Runs once per connection, after both `hello` and the first page of history are in. */
  const startConnection = () => {
    if (syncedThisConnection || !ready() || historyState() !== "ready") return;
    syncedThisConnection = true;
    lastSyncFrom = -1;
    sync();
    // Everything unacknowledged goes again, failed entries too: a failed mark tells the user it
    // hasn't gone yet, it doesn't cancel the send (invariant 4).
    for (const entry of outbox()) transmit(entry);
  };

  const updateRead = (userId: string, lastReadSeq: number) => {
    setMembers((list) => list.map((m) => (m.id === userId && m.lastReadSeq < lastReadSeq ? { ...m, lastReadSeq } : m)));
  };

  /**
   * Resends are never one entry at a time: a later message going out alone would be stored before
   * an earlier one. The whole pending outbox goes again, in the order it was written; what the
   * server already holds is only re-acked.
   */
  const resendPending = () => {
    for (const entry of outbox()) if (!entry.failed) transmit(entry);
  };

  /** After a refused send (rate_limited, store_failed…): one resend of everything, a little later. */
  const scheduleResend = () => {
    if (resendTimer !== undefined) return;
    resendTimer = setTimeout(() => {
      resendTimer = undefined;
      resendPending();
    }, RESEND_AFTER_ERROR_MS * (1 + Math.random()));
  };

  const handleFrame = (raw: unknown) => {
    const frame = raw as RoomServerFrame;
    switch (frame?.type) {
      case "hello":
        // A read sent just before a drop may never have arrived; hello's members tell what did.
        readSent = 0;
        batch(() => {
          setMembers(frame.members);
          setReady(true);
          setEverReady(true);
        });
        syncedThisConnection = false;
        startConnection();
        break;
      case "message":
      case "ack":
        receive([frame.message]);
        // Above a hole (a frame this socket never got): catch up now rather than at the next reconnect.
        if (syncedThisConnection && frame.message.seq > highest() + 1) sync();
        break;
      case "read":
        updateRead(frame.userId, frame.lastReadSeq);
        break;
      case "synced":
        // Answered: a later gap may need a sync from the same seq again (the dedupe only spans one in flight).
        lastSyncFrom = -1;
        // A server may answer a sync in pages: keep asking while we still have a gap below its last seq.
        if (needsMoreSync(messages(), frame.lastSeq)) sync();
        break;
      case "error":
        if (frame.clientId === undefined) break;
        if (PERMANENT_ERRORS.has(frame.code)) markFailed(new Set([frame.clientId]));
        else scheduleResend(); // rate_limited, store_failed…: it stays in the outbox
        break;
    }
  };

  const openSocket = () => {
    socket = createReconnectingSocket({
      path: `/api/rooms/${encodeURIComponent(roomId)}/ws`,
      onFrame: handleFrame,
      onStatus: (next) => {
        setStatus(next);
        if (next !== "open") setReady(false);
      },
      onClose: (code) => {
        if (code === 1008) api.me().catch(() => {});
      },
    });
  };

  const loadHistory = async () => {
    setHistoryState("loading");
    try {
      const page = await api.messages(roomId);
      batch(() => {
        receive(page.messages);
        setHasMore(page.hasMore);
        setHistoryState("ready");
      });
      startConnection();
    } catch {
      setHistoryState("error");
    }
  };

  const loadRoom = async () => {
    setRoomState("loading");
    try {
      const fetched = await api.room(roomId);
      batch(() => {
        // hello's members are fresher if the socket got there first
        if (!ready()) setMembers(fetched.members);
        setRoomState("ready");
      });
      upsertRoom(fetched);
      if (!socket) openSocket();
      if (historyState() !== "ready") void loadHistory();
    } catch (err) {
      setRoomState(err instanceof HttpError && err.status === 404 ? "not_found" : "error");
    }
  };

  const loadOlder = async (): Promise<boolean> => {
    const oldest = messages()[0];
    if (!oldest || !hasMore() || loadingOlder()) return false;
    setLoadingOlder(true);
    try {
      const page = await api.messages(roomId, oldest.seq);
      batch(() => {
        receive(page.messages);
        setHasMore(page.hasMore);
      });
      return page.messages.length > 0;
    } catch {
      return false;
    } finally {
      setLoadingOlder(false);
    }
  };

  const put = (entry: OutboxEntry) => {
    setOutbox((entries) => putEntry(entries, entry));
    storeEntry(meId, roomId, entry);
    transmit(entry);
  };

  const send = (body: string) => put({ clientId: newClientId(), body, createdAt: Date.now(), failed: false });

  const retry = (clientId: string) => {
    const entry = outbox().find((e) => e.clientId === clientId);
    if (entry) put({ ...entry, createdAt: Date.now(), failed: false });
  };

  const discard = (clientId: string) => settle(new Set([clientId]));

  // Another tab of ours with this room open changed the shared outbox.
  const unwatch = watchOutbox(meId, roomId, (before, after) => {
    const next = reconcile(outbox(), before, after);
    if (next === outbox()) return;
    // An entry whose echo we already hold is settled, whatever the other tab still thinks.
    const held = settledClientIds(messages(), meId);
    const echoed = new Set(next.filter((e) => held.has(e.clientId)).map((e) => e.clientId));
    setOutbox(echoed.size > 0 ? removeEntries(next, echoed) : next);
    if (echoed.size > 0) dropEntries(meId, roomId, echoed);
    // Adopted entries count from now: the tab that wrote them is sending them itself.
    const now = Date.now();
    for (const e of next) if (!lastSent.has(e.clientId)) lastSent.set(e.clientId, now);
  });

  // Read receipts: only what is on screen in a visible tab counts as read.
  createEffect(() => {
    const seq = highest();
    if (!viewing() || seq <= Math.max(myReadSeq(), readSent)) return;
    readSent = seq;
    // The socket is the cheap path; before its hello (a glance at history, then back) HTTP does the same.
    if (!(ready() && socket?.send({ type: "read", seq }))) {
      api.markRead(roomId, seq).catch(() => {
        if (readSent === seq) readSent = 0;
      });
    }
    readRoomLocally(roomId, meId, seq);
  });

  /**
   * Every few seconds: entries unacknowledged for ~2 minutes become failed (and wait for a retry
   * by hand); pending ones unanswered for a while go out again, e.g. those a closed tab left behind.
   */
  const tick = () => {
    const now = Date.now();
    const expired = new Set(outbox().filter((e) => !e.failed && now - e.createdAt > FAIL_AFTER_MS).map((e) => e.clientId));
    markFailed(expired);
    if (!ready() || !syncedThisConnection) return;
    const due = (e: OutboxEntry) => {
      const sent = lastSent.get(e.clientId);
      return sent === undefined || now - sent > RESEND_UNANSWERED_MS;
    };
    if (outbox().some((e) => !e.failed && due(e))) resendPending();
  };
  tick();
  const ticker = setInterval(tick, TICK_MS);

  onCleanup(() => {
    clearInterval(ticker);
    unwatch();
    clearTimeout(resendTimer);
    socket?.close();
    socket = null;
  });

  void loadRoom();

  return {
    roomState,
    messages,
    historyState,
    hasMore,
    loadingOlder,
    others,
    outbox,
    status,
    ready,
    everReady,
    setViewing,
    retryLoad: () => (roomState() === "ready" ? loadHistory() : loadRoom()),
    loadOlder,
    send,
    retry,
    discard,
  };
};

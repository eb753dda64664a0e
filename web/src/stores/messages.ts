import { batch, createEffect, createMemo, createSignal, onCleanup } from "solid-js";
import type { Member, Message, RoomServerFrame } from "../../../worker/contract";
import { HttpError } from "../api/client";
import { api } from "../api/endpoints";
import { newClientId } from "../lib/ids";
import { createReconnectingSocket, type SocketStatus } from "../socket/reconnecting";
import type { LoadState } from "./friends";
import { type OutboxEntry, readOutbox, writeOutbox } from "./outbox";
import { roomById, upsertRoom } from "./rooms";

const FAIL_AFTER_MS = 2 * 60_000;
const RESEND_AFTER_ERROR_MS = 3_000;
/** Codes for which sending the same frame again can never succeed. */
const PERMANENT_ERRORS = new Set(["invalid", "too_large", "too_long", "bad_request"]);

const bySeq = (a: Message, b: Message) => a.seq - b.seq;

/** The highest seq below which we hold every message from the oldest one we hold: where a sync must start. */
const contiguousHigh = (sorted: readonly Message[]): number => {
  const first = sorted[0];
  if (!first) return 0;
  let high = first.seq;
  for (const m of sorted) {
    if (m.seq === high + 1) high = m.seq;
    else if (m.seq > high + 1) break;
  }
  return high;
};

/** Adds messages not held yet (by seq), keeping held objects so rendered rows stay put. */
const mergeMessages = (current: readonly Message[], incoming: readonly Message[]): readonly Message[] => {
  const held = new Set(current.map((m) => m.seq));
  const fresh = incoming.filter((m) => !held.has(m.seq) && held.add(m.seq));
  if (fresh.length === 0) return current;
  const last = current[current.length - 1];
  const sortedFresh = [...fresh].sort(bySeq);
  // The common case, live messages at the end, needs no full sort.
  if (!last || sortedFresh[0]!.seq > last.seq) return [...current, ...sortedFresh];
  return [...current, ...sortedFresh].sort(bySeq);
};

/**
 * One open chat room: history, the live socket, the outbox and read receipts.
 * Call inside a component; everything stops when it unmounts.
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
  const resendTimers = new Set<ReturnType<typeof setTimeout>>();

  const others = createMemo(() => members().filter((m) => m.id !== meId));
  const myReadSeq = createMemo(() => members().find((m) => m.id === meId)?.lastReadSeq ?? 0);
  const highest = createMemo(() => contiguousHigh(messages()));

  const changeOutbox = (change: (entries: readonly OutboxEntry[]) => readonly OutboxEntry[]) => {
    const next = change(outbox());
    if (next === outbox()) return;
    setOutbox(next);
    writeOutbox(meId, roomId, next);
  };

  const receive = (incoming: readonly Message[]) => {
    if (incoming.length === 0) return;
    batch(() => {
      setMessages((current) => mergeMessages(current, incoming));
      // Our own echo, from an ack, a live frame or a sync, settles the matching outbox entry.
      const settled = new Set(incoming.filter((m) => m.senderId === meId).map((m) => m.clientId));
      if (settled.size > 0) changeOutbox((entries) => (entries.some((e) => settled.has(e.clientId)) ? entries.filter((e) => !settled.has(e.clientId)) : entries));
    });
  };

  const transmit = (entry: OutboxEntry) => {
    if (ready()) socket?.send({ type: "send", clientId: entry.clientId, body: entry.body });
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
    for (const entry of outbox()) transmit(entry);
  };

  const updateRead = (userId: string, lastReadSeq: number) => {
    setMembers((list) => list.map((m) => (m.id === userId && m.lastReadSeq < lastReadSeq ? { ...m, lastReadSeq } : m)));
  };

  const scheduleResend = (clientId: string) => {
    const timer = setTimeout(() => {
      resendTimers.delete(timer);
      const entry = outbox().find((e) => e.clientId === clientId);
      if (entry && !entry.failed) transmit(entry);
    }, RESEND_AFTER_ERROR_MS * (1 + Math.random()));
    resendTimers.add(timer);
  };

  const markFailed = (isFailed: (entry: OutboxEntry) => boolean) =>
    changeOutbox((entries) => (entries.some((e) => !e.failed && isFailed(e)) ? entries.map((e) => (!e.failed && isFailed(e) ? { ...e, failed: true } : e)) : entries));

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
        receive([frame.message]);
        break;
      case "ack":
        receive([frame.message]);
        break;
      case "read":
        updateRead(frame.userId, frame.lastReadSeq);
        break;
      case "synced":
        // A server may answer a sync in pages: keep asking while we still have a gap below its last seq.
        if (highest() < frame.lastSeq) sync();
        break;
      case "error":
        if (frame.clientId === undefined) break;
        if (PERMANENT_ERRORS.has(frame.code)) markFailed((e) => e.clientId === frame.clientId);
        else scheduleResend(frame.clientId); // rate_limited, store_failed…: it stays in the outbox
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

  const send = (body: string) => {
    const entry: OutboxEntry = { clientId: newClientId(), body, createdAt: Date.now(), failed: false };
    changeOutbox((entries) => [...entries, entry]);
    transmit(entry);
  };

  const retry = (clientId: string) => {
    const entry = outbox().find((e) => e.clientId === clientId);
    if (!entry) return;
    const fresh = { ...entry, createdAt: Date.now(), failed: false };
    changeOutbox((entries) => entries.map((e) => (e.clientId === clientId ? fresh : e)));
    transmit(fresh);
  };

  const discard = (clientId: string) => changeOutbox((entries) => entries.filter((e) => e.clientId !== clientId));

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
    // The chat list and the title count drop at once rather than after the server's round trip.
    const current = roomById(roomId);
    if (current && seq >= current.lastSeq && current.unreadCount > 0) {
      upsertRoom({ ...current, unreadCount: 0, members: current.members.map((m) => (m.id === meId ? { ...m, lastReadSeq: seq } : m)) });
    }
  });

  const failTimer = setInterval(() => {
    const now = Date.now();
    markFailed((e) => now - e.createdAt > FAIL_AFTER_MS);
  }, 5_000);

  onCleanup(() => {
    clearInterval(failTimer);
    for (const timer of resendTimers) clearTimeout(timer);
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

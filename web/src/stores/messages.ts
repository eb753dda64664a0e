import { batch, createEffect, createMemo, createSignal, onCleanup } from "solid-js";
import type { Message, RoomServerFrame, SendAllowance } from "../../../worker/contract";
import { SOCKET_LIMITS } from "../../../worker/contract/sockets";
import { HttpError } from "../api/client";
import { api } from "../api/endpoints";
import { contiguousHigh, mergeMessages, needsMoreSync, othersWroteBetween, settledClientIds } from "../lib/messages";
import { createReconnectingSocket, type SocketStatus } from "../socket/reconnecting";
import type { LoadState } from "./friends";
import { openHere } from "./outbox-drain";
import { createRoomOutbox } from "./room-outbox";
import { createRoomSender } from "./room-sender";
import { createRoomMembers } from "./room-members";
import { readRoomLocally, removeRoom, roomById, upsertRoom } from "./rooms";

/** A sync the server stopped at our budget goes on after this long (the budget refills 64 KiB a second). */
const SYNC_AGAIN_MS = 2_000;
const READ_EVERY_MS = 1_000;

/**
 * One open chat room: history, the live socket and read receipts, with the room's outbox
 * (room-outbox) sent by room-sender. Call inside a component; everything stops when it unmounts.
 *
 * The message path of docs/architecture.md, client side: on every (re)connect, once `hello` and
 * the first history page are in, `sync` from the highest seq below which we hold everything, then
 * send the outbox in the order written; merge everything by seq; settle outbox entries by our own
 * echoes' clientId; an `error` carrying a clientId keeps the entry (sent again, or marked refused
 * when it can never succeed); an entry unacknowledged for ~2 minutes is marked failed and offers a
 * retry by hand (it keeps going out meanwhile).
 */
export const createRoomSession = (roomId: string, meId: string) => {
  /** `removed`: the server closed the socket with 4403 (I left from another tab); `left`: I left here. */
  const [roomState, setRoomState] = createSignal<LoadState | "not_found" | "removed" | "left">("loading");
  const [messages, setMessages] = createSignal<readonly Message[]>([]);
  const [historyState, setHistoryState] = createSignal<LoadState>("loading");
  const [hasMore, setHasMore] = createSignal(false);
  const [loadingOlder, setLoadingOlder] = createSignal(false);
  // Known from the chat list already, the header shows the room's name before any request.
  const room = createRoomMembers(meId, roomById(roomId));
  const [status, setStatus] = createSignal<SocketStatus>("connecting");
  /** True between this connection's `hello` and its close: only then may sends and syncs go out. */
  const [ready, setReady] = createSignal(false);
  const [everReady, setEverReady] = createSignal(false);
  const [viewing, setViewing] = createSignal(false);

  let socket: ReturnType<typeof createReconnectingSocket> | null = null;
  let syncedThisConnection = false;
  let lastSyncFrom = -1;
  let readSent = 0;
  let leaving = false;
  let allowance: SendAllowance | null = null;
  let syncAgain: ReturnType<typeof setTimeout> | undefined;
  let lastReadAt = 0;
  let readTimer: ReturnType<typeof setTimeout> | undefined;

  const highest = createMemo(() => contiguousHigh(messages()));

  const outbox = createRoomOutbox(meId, roomId, {
    echoed: () => settledClientIds(messages(), meId),
    onAdopted: (clientIds) => sender.adopt(clientIds),
  });

  /** Every frame but `ping` spends the allowance the sender paces by. */
  const sendFrame = (frame: object): boolean => {
    if (!ready() || !socket?.send(frame)) return false;
    sender.spent();
    return true;
  };

  const sender = createRoomSender({
    outbox: outbox.entries,
    transmit: (frame) => ready() && !!socket?.send(frame),
    markFailed: outbox.markFailed,
    refuse: outbox.refuse,
  });

  const receive = (incoming: readonly Message[]) => {
    if (incoming.length === 0) return;
    batch(() => {
      setMessages((current) => mergeMessages(current, incoming));
      // Our own echo, from an ack, a live frame or a sync, settles the matching outbox entry.
      outbox.settle(settledClientIds(incoming, meId));
    });
  };

  const sync = () => {
    const from = highest();
    if (from === lastSyncFrom) return;
    lastSyncFrom = from;
    sendFrame({ type: "sync", after: from });
  };

  /** Runs once per connection, after both `hello` and the first page of history are in. */
  const startConnection = () => {
    if (syncedThisConnection || !ready() || historyState() !== "ready" || !allowance) return;
    syncedThisConnection = true;
    lastSyncFrom = -1;
    sync();
    // Everything unacknowledged goes again, in the order written, failed entries too: a failed
    // mark tells the user it hasn't gone yet, it doesn't cancel the send (invariant 4).
    sender.connected(allowance);
  };

  const handleFrame = (raw: unknown) => {
    const frame = raw as RoomServerFrame;
    switch (frame?.type) {
      case "hello":
        // A read sent just before a drop may never have arrived; hello's members tell what did.
        readSent = 0;
        allowance = frame.allowance;
        batch(() => {
          room.apply({ ...frame, memberCount: frame.members.length });
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
        room.read(frame.userId, frame.lastReadSeq);
        break;
      // A big room gathers cursor moves: each entry is a `read`.
      case "reads":
        batch(() => {
          for (const r of frame.reads) room.read(r.userId, r.lastReadSeq);
        });
        break;
      // Members or the title changed (after the system message saying so).
      case "room":
        room.apply(frame.room);
        break;
      case "synced":
        // Answered: a later gap may need a sync from the same seq again (the dedupe only spans one in flight).
        lastSyncFrom = -1;
        // A server may answer a sync in pages: keep asking while we still have a gap below its last seq,
        // and, when it stopped at our sync budget (`more`), once the budget has refilled a little.
        if (frame.more) {
          clearTimeout(syncAgain);
          syncAgain = setTimeout(sync, SYNC_AGAIN_MS);
        } else if (needsMoreSync(messages(), frame.lastSeq)) sync();
        break;
      case "error":
        if (frame.clientId !== undefined) sender.refused(frame.clientId, frame.code);
        break;
    }
  };

  const openSocket = () => {
    socket = createReconnectingSocket({
      path: `/api/rooms/${encodeURIComponent(roomId)}/ws`,
      // Closed to make room for a newer tab of this room: reconnect only when this one is shown again.
      waitForTabOn: [SOCKET_LIMITS.closeTooManyTabs],
      onFrame: handleFrame,
      onStatus: (next) => {
        setStatus(next);
        if (next === "open") return;
        setReady(false);
        sender.disconnected();
      },
      onClose: (code) => {
        if (code === 1008) api.me().catch(() => {});
        // No longer a member (left here or in another tab): stop for good, the room is gone from the list.
        if (code === SOCKET_LIMITS.closeNotMember) {
          socket?.close();
          socket = null;
          removeRoom(roomId);
          setRoomState(leaving ? "left" : "removed");
        }
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
        // hello's members are fresher if the socket got there first: the version tells
        room.apply(fetched);
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

  // Read receipts: only what is on screen in a visible tab counts as read. At most one a second
  // (the latest): each spends the allowance sends need, and a busy room would otherwise send one
  // per message.
  const [readDue, setReadDue] = createSignal(0);
  createEffect(() => {
    readDue();
    const seq = highest();
    const from = Math.max(room.myReadSeq(), readSent);
    if (!viewing() || seq <= from || !othersWroteBetween(messages(), meId, from, seq)) return;
    const wait = lastReadAt + READ_EVERY_MS - Date.now();
    if (wait > 0) {
      readTimer ??= setTimeout(() => {
        readTimer = undefined;
        setReadDue((n) => n + 1);
      }, wait);
      return;
    }
    lastReadAt = Date.now();
    readSent = seq;
    room.readHere(seq);
    // The socket is the cheap path; before its hello (a glance at history, then back) HTTP does the same.
    if (!sendFrame({ type: "read", seq })) {
      api.markRead(roomId, seq).catch(() => {
        if (readSent === seq) readSent = 0;
      });
    }
    readRoomLocally(roomId, meId, seq);
  });

  onCleanup(openHere(roomId));
  onCleanup(() => {
    clearTimeout(syncAgain);
    clearTimeout(readTimer);
    socket?.close();
    socket = null;
  });

  void loadRoom();

  /** Invites friends; the `room` frame that follows updates everyone's view, this answer ours at once. */
  const invite = async (userIds: string[]) => room.apply(await api.invite(roomId, userIds));
  const rename = async (title: string) => room.apply(await api.rename(roomId, title));
  const leave = async () => {
    leaving = true;
    try {
      await api.leave(roomId);
    } catch (err) {
      leaving = false;
      throw err;
    }
    socket?.close();
    socket = null;
    removeRoom(roomId);
    setRoomState("left");
  };

  return {
    roomState,
    messages,
    historyState,
    hasMore,
    loadingOlder,
    room,
    outbox: outbox.entries,
    status,
    ready,
    everReady,
    setViewing,
    retryLoad: () => (roomState() === "ready" ? loadHistory() : loadRoom()),
    loadOlder,
    send: outbox.write,
    retry: outbox.retry,
    discard: outbox.discard,
    invite,
    rename,
    leave,
  };
};

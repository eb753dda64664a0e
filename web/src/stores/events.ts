import type { EventFrame, Room } from "../../../worker/contract";
import { SOCKET_LIMITS } from "../../../worker/contract/sockets";
import { api } from "../api/endpoints";
import { alertFor, seenHere } from "../lib/message-alert";
import { createReconnectingSocket, type ReconnectingSocket } from "../socket/reconnecting";
import { reportEventsStatus, resetEventsStatus } from "./connection";
import { loadFriends, upsertFriend } from "./friends";
import { loadRooms, removeRoom, renameMember, roomById, roomsState, upsertRoom } from "./rooms";
import { me, onSignedOut, updateMe } from "./session";

/** The per-tab events socket that keeps the chat list, friends and profile live. */
let socket: ReconnectingSocket | null = null;

const handleFrame = (raw: unknown) => {
  const frame = raw as EventFrame;
  switch (frame?.type) {
    case "room":
      alertIfNew(frame.room);
      upsertRoom(frame.room, frame.unread);
      break;
    // I left a room in another tab (its open sockets here close with 4403 on their own).
    case "room_removed":
      removeRoom(frame.roomId, frame.unread);
      break;
    // A new friend, or a friend's new profile.
    case "friend":
      upsertFriend(frame.friend);
      renameMember(frame.friend);
      break;
    case "me":
      updateMe(frame.user);
      break;
  }
};

/** A message the user does not see here yet: a sound and a notification (alert-output.ts, loaded only then). */
const alertIfNew = (room: Room): void => {
  const user = me();
  const alert = user && alertFor(room, roomById(room.id), user.id, roomsState() === "ready");
  if (!alert || seenHere(room.id)) return;
  void import("../lib/alert-output").then((output) => output.alertNewMessage(alert)).catch(() => {});
};

export const startEvents = (): void => {
  if (socket) return;
  socket = createReconnectingSocket({
    path: "/api/events",
    // Whatever changed while we were disconnected never arrives as a frame: re-read it.
    onOpen: () => {
      void loadRooms();
      void loadFriends();
    },
    onFrame: handleFrame,
    onStatus: reportEventsStatus,
    // Closed as this user's oldest socket: reconnecting at once would close the next-oldest tab's.
    waitForTabOn: [SOCKET_LIMITS.closeTooManyTabs],
    onClose: (code) => {
      // A policy close usually means the session was revoked; a 401 here signs us out centrally.
      if (code === 1008) api.me().catch(() => {});
    },
  });
};

onSignedOut(() => {
  socket?.close();
  socket = null;
  resetEventsStatus();
});

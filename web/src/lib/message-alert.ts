import type { PushPayload, Room } from "../../../worker/contract";
import { roomTitle } from "./room-title";

/**
 * Whether a chat-list view of a room brings a message worth an alert in this tab, and what the
 * alert says (the same shape as a push, so the tab's notification and a push for the same message
 * replace each other): a text message from someone else, still unread, newer than what the tab
 * knew of the room (a room it did not know counts once the list is loaded: a first read of the
 * list is no news), in a room not muted.
 */
export const alertFor = (room: Room, before: Room | undefined, meId: string, listLoaded: boolean): PushPayload | null => {
  const message = room.lastMessage;
  if (!message || message.kind !== "text" || message.senderId === meId || room.unreadCount === 0) return null;
  if (before ? before.lastSeq >= message.seq : !listLoaded) return null;
  if (room.muted) return null;
  // A large group's chat-list row names only a few members: the sender may not be among them.
  const sender = room.members.find((m) => m.id === message.senderId)?.displayName;
  const title = room.kind === "group" ? roomTitle(room, meId) : (sender ?? roomTitle(room, meId));
  return {
    roomId: room.id,
    title: title ?? sender ?? "",
    body: room.kind === "group" && sender ? `${sender}: ${message.body}` : message.body,
    url: `/rooms/${room.id}`,
    tag: room.id,
    seq: message.seq,
  };
};

/** The room this tab shows, from its address (`/rooms/:id`), or null. */
const roomOnScreen = (): string | null => /^\/rooms\/([^/]+)$/.exec(location.pathname)?.[1] ?? null;

/**
 * Whether the user sees news of this room here already: the tab is in front and focused (the list
 * and the title's count show it), or visible with this very room open. A hidden tab sees nothing.
 */
export const seenHere = (roomId: string): boolean =>
  document.visibilityState === "visible" && (document.hasFocus() || roomOnScreen() === roomId);

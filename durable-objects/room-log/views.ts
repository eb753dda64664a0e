import { type Member, type Room } from "../../worker/contract";
import { byDisplayName, chatListRow } from "../../worker/db/chat-list";
import { toIso } from "../../worker/db/views";
import type { RoomLog } from "./room-log";

/**
 * The room with every member, as each member sees it (their unread count), from the log alone: the
 * room socket's `hello` and `room` frames, `GET /api/rooms/:id`, and the rows pushed to the
 * members' chat lists (their hubs take them instead of reading D1).
 */
export const roomForEach = (log: RoomLog): ((userId: string) => Room) => {
  const room = log.room;
  const members: Member[] = log
    .members()
    .map((m) => ({ id: m.userId, username: m.username, displayName: m.displayName, lastReadSeq: m.lastReadSeq, joinedSeq: m.joinedSeq }))
    .sort(byDisplayName);
  const lastMessage = log.lastMessage();
  return (userId) => {
    const me = log.member(userId);
    const cursor = me?.lastReadSeq ?? room.lastSeq;
    const fields = {
      id: room.id,
      members,
      memberCount: members.length,
      // None for a member who left a 1:1 chat, until the next message (room-settings.ts).
      lastMessage: me && room.lastSeq < me.joinedSeq ? null : lastMessage,
      lastSeq: room.lastSeq,
      unreadCount: Math.max(0, room.lastSeq - cursor - log.systemAbove(cursor)),
      version: room.version,
      muted: me?.muted ?? false,
      pinnedAt: toIso(me?.pinnedAt ?? null),
    };
    return room.kind === "group" ? { ...fields, kind: "group", title: room.title } : { ...fields, kind: "direct", title: null };
  };
};

/** A member's chat-list row (them and at most 4 others), as `GET /api/rooms` shows it. */
export const chatListRowsFor = (log: RoomLog): ((userId: string) => Room) => {
  const roomFor = roomForEach(log);
  return (userId) => chatListRow(roomFor(userId), userId);
};

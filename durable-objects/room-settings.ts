import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../worker/db/client";
import { roomMembers } from "../worker/db/schema";
import { setVersions } from "./d1-log-statements";
import type { D1WriteBehind } from "./d1-write-behind";
import type { RoomLog } from "./room-log/room-log";

/**
 * A member's own settings of a room (알림 끄기, 상단 고정) and leaving a 1:1 chat. Like membership
 * (room-membership.ts), D1 takes each change first (the chat list and the hubs read it there), then
 * the log mirrors it for the object's views. Only the room's object calls these.
 */
export class RoomSettings {
  constructor(
    private readonly log: RoomLog,
    private readonly writeBehind: D1WriteBehind,
    private readonly db: Db,
  ) {}

  /** Sets the member's flags; false for someone who is not a member. A pin keeps its time when pinned again. */
  async set(userId: string, wanted: { muted?: boolean; pinned?: boolean }): Promise<boolean> {
    const member = this.log.ready ? this.log.member(userId) : undefined;
    if (!member) return false;
    const flags = {
      muted: wanted.muted ?? member.muted,
      pinnedAt: wanted.pinned === undefined ? member.pinnedAt : wanted.pinned ? (member.pinnedAt ?? Date.now()) : null,
    };
    const roomId = this.log.roomId;
    await this.db.batch([this.db.update(roomMembers).set(flags).where(and(eq(roomMembers.roomId, roomId), eq(roomMembers.userId, userId))), ...this.nextVersion()]);
    this.log.setFlags(userId, flags);
    return true;
  }

  /**
   * Leaving a 1:1 chat hides it and its history for the leaver, who stays a member (the room and its
   * pair key stay, so `POST /api/rooms/direct` finds it again): they see from the next message on,
   * which brings the room back to their list, have read everything, and their flags start over.
   * Runs in the room's queue (chat-room.ts), so no message is stored between reading the last seq
   * and writing it.
   */
  async hide(userId: string): Promise<void> {
    await this.writeBehind.drain();
    const lastSeq = this.log.room.lastSeq;
    const hidden = { joinedSeq: lastSeq + 1, lastReadSeq: lastSeq };
    const roomId = this.log.roomId;
    await this.db.batch([
      this.db
        .update(roomMembers)
        .set({ joinedSeq: hidden.joinedSeq, lastReadSeq: sql`max(${roomMembers.lastReadSeq}, ${lastSeq})`, muted: false, pinnedAt: null })
        .where(and(eq(roomMembers.roomId, roomId), eq(roomMembers.userId, userId))),
      ...this.nextVersion(),
    ]);
    this.log.hide(userId, hidden);
  }

  /**
   * D1's copy of the version after the change (the log's, plus one), when D1 holds everything else
   * of the log; otherwise the write-behind sets it with what is still to come, whose triggers would
   * push a copy set now past the log's.
   */
  private nextVersion() {
    return !this.log.behindInD1() ? [setVersions(this.db, JSON.stringify({ [this.log.roomId]: this.log.room.version + 1 }))] : [];
  }
}

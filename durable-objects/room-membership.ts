import { and, eq, inArray, sql } from "drizzle-orm";
import { LIMITS, type Message } from "../worker/contract";
import type { Db } from "../worker/db/client";
import { newMemberRow } from "../worker/db/member-row";
import { roomMembers, rooms, users } from "../worker/db/schema";
import type { D1WriteBehind } from "./d1-write-behind";
import type { LogMessage, RoomLog } from "./room-log/room-log";

/** A change of a group's members or title, as the Worker asks the room's object for it. */
export type MembershipChange =
  | { type: "create"; actorId: string; memberIds: string[]; title: string | null }
  | { type: "invite"; actorId: string; userIds: string[] }
  | { type: "leave"; actorId: string }
  | { type: "rename"; actorId: string; title: string | null };

/** Lists enter a statement as one JSON parameter read with json_each: D1 binds at most 100 parameters, a group has up to 500 members. */
const eachOf = (ids: string[]) => sql`json_each(${JSON.stringify(ids)})`;

/** Why a change was refused; the Worker answers each with its status (routes/rooms-groups.ts). */
export type MembershipRefusal = "room_not_found" | "not_a_group" | "already_member" | "room_full" | "store_failed";

export type MembershipOutcome =
  | {
      ok: true;
      /** The system message that records the change. */
      message: Message;
      /** The members after the change. */
      memberIds: string[];
      /** Who joined (create: everyone; invite: the invited). */
      joined: string[];
      /** Who left. */
      left: string[];
    }
  | { ok: false; code: MembershipRefusal; ids?: string[] };

/**
 * A group's membership and title changes. D1 stays the authority on who is in a room (the Worker's
 * membership checks and the chat list read it), so each change is written there first, in one D1
 * transaction that also brings D1's copy of the log up to the change's system message
 * (d1-write-behind.ts); then the log mirrors it. Only the room's object calls this, one change at
 * a time in the same queue as sends, so what it reads before writing cannot change underneath it.
 */
export class RoomMembership {
  constructor(
    private readonly log: RoomLog,
    private readonly writeBehind: D1WriteBehind,
    private readonly db: Db,
  ) {}

  async apply(change: MembershipChange): Promise<MembershipOutcome> {
    const now = Date.now();
    const roomId = this.log.roomId;
    if (change.type === "create") {
      const ids = [change.actorId, ...change.memberIds];
      const message = this.log.nextSystem(change.actorId, { type: "created", actorId: change.actorId, userIds: change.memberIds, title: change.title }, now);
      const joined = await this.named(ids);
      const d1Cursors = await this.writeBehind.withChange(
        message,
        1,
        (db) => [
          db.insert(rooms).values({ id: roomId, kind: "group", title: change.title, updatedAt: now }),
          db.insert(roomMembers).select(
            db
              .select(newMemberRow(roomId, sql`value`, 0, now))
              .from(eachOf(ids)),
          ),
        ],
        () => [],
      );
      // The first members read from the start: joinedSeq 0, as in D1.
      this.log.applyChange({ message, room: { id: roomId, kind: "group", title: change.title }, joined: { members: joined, seq: 0 }, left: [], d1Cursors });
      return this.done(message, ids, []);
    }

    const actor = this.log.ready ? this.log.member(change.actorId) : undefined;
    if (!actor) return { ok: false, code: "room_not_found" };
    if (this.log.room.kind !== "group") return { ok: false, code: "not_a_group" };
    const memberIds = this.log.memberIds();
    const version = this.log.room.version + 1;

    switch (change.type) {
      case "invite": {
        const alreadyIn = change.userIds.filter((id) => this.log.member(id));
        if (alreadyIn.length > 0) return { ok: false, code: "already_member", ids: alreadyIn };
        if (memberIds.length + change.userIds.length > LIMITS.groupMembersMax) return { ok: false, code: "room_full" };
        const message = this.log.nextSystem(change.actorId, { type: "invited", actorId: change.actorId, userIds: change.userIds }, now);
        const joined = await this.named(change.userIds);
        // The invited join at the system message's seq, and have read up to it.
        const d1Cursors = await this.writeBehind.withChange(message, version, () => [], (db) => [
          db.insert(roomMembers).select(
            db
              .select(newMemberRow(roomId, sql`value`, message.seq, now))
              .from(eachOf(change.userIds)),
          ),
        ]);
        this.log.applyChange({ message, joined: { members: joined, seq: message.seq }, left: [], d1Cursors });
        return this.done(message, [...memberIds, ...change.userIds], change.userIds);
      }
      case "leave": {
        const message = this.log.nextSystem(change.actorId, { type: "left", actorId: change.actorId }, now);
        const d1Cursors = await this.writeBehind.withChange(message, version, () => [], (db) => [
          db.delete(roomMembers).where(and(eq(roomMembers.roomId, roomId), eq(roomMembers.userId, change.actorId))),
          // The room leaves the leaver's unread.version sum: what it counted moves here, plus one, so it still grows.
          db
            .update(users)
            .set({ leftRoomsVersion: sql`${users.leftRoomsVersion} + 1 + ${version}` })
            .where(eq(users.id, change.actorId)),
        ]);
        this.log.applyChange({ message, left: [change.actorId], d1Cursors });
        return this.done(message, memberIds.filter((id) => id !== change.actorId), [], [change.actorId]);
      }
      case "rename": {
        const message = this.log.nextSystem(change.actorId, { type: "renamed", actorId: change.actorId, title: change.title }, now);
        const d1Cursors = await this.writeBehind.withChange(message, version, () => [], (db) => [
          db.update(rooms).set({ title: change.title }).where(eq(rooms.id, roomId)),
        ]);
        this.log.applyChange({ message, title: change.title, left: [], d1Cursors });
        return this.done(message, memberIds, []);
      }
    }
  }

  /** The users' names as D1 has them, for the log's members. */
  private async named(ids: string[]) {
    const rows = await this.db
      .select({ userId: users.id, username: users.username, displayName: users.displayName })
      .from(users)
      .where(inArray(users.id, sql`(select value from ${eachOf(ids)})`));
    return rows;
  }

  private done(message: LogMessage, memberIds: string[], joined: string[], left: string[] = []): MembershipOutcome {
    return { ok: true, message: this.log.toMessage(message), memberIds, joined, left };
  }
}

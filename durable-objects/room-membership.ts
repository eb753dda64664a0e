import { and, eq, sql } from "drizzle-orm";
import { LIMITS, type Message, type SystemEvent } from "../worker/contract";
import type { Db } from "../worker/db/client";
import { messages, roomMembers, rooms, users } from "../worker/db/schema";
import { toMessage } from "../worker/db/views";

/** A change of a group's members or title, as the Worker asks the room's object for it. */
export type MembershipChange =
  | { type: "create"; actorId: string; memberIds: string[]; title: string | null }
  | { type: "invite"; actorId: string; userIds: string[] }
  | { type: "leave"; actorId: string }
  | { type: "rename"; actorId: string; title: string | null };

/** Lists enter a statement as one JSON parameter read with json_each: D1 binds at most 100 parameters, a group has up to 500 members. */
const eachOf = (ids: string[]) => sql`json_each(${JSON.stringify(ids)})`;

/** Why a change was refused; the Worker answers each with its status (routes/rooms-groups.ts). */
export type MembershipRefusal = "room_not_found" | "not_a_group" | "already_member" | "room_full";

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
 * A group's membership and title changes, each written with its system message in one D1 batch (one
 * transaction). Only the room's object calls this, one change at a time and in the same queue as
 * sends, so what it reads before writing cannot change underneath it, and the system message takes
 * the next seq like any message.
 */
export class RoomMembership {
  constructor(
    private readonly db: Db,
    private readonly roomId: string,
  ) {}

  async apply(change: MembershipChange): Promise<MembershipOutcome> {
    const now = Date.now();
    if (change.type === "create") {
      const ids = [change.actorId, ...change.memberIds];
      const event: SystemEvent = { type: "created", actorId: change.actorId, userIds: change.memberIds, title: change.title };
      const [, , inserted] = await this.db.batch([
        this.db.insert(rooms).values({ id: this.roomId, kind: "group", title: change.title, updatedAt: now }),
        this.db.insert(roomMembers).select(
          this.db
            .select({ roomId: sql`${this.roomId}`.as("room_id"), userId: sql`value`.as("user_id"), lastReadSeq: sql`0`.as("last_read_seq"), joinedAt: sql`${now}`.as("joined_at"), joinedSeq: sql`0`.as("joined_seq") })
            .from(eachOf(ids)),
        ),
        this.insertSystem(change.actorId, event, now),
      ]);
      return { ok: true, message: this.toMessage(inserted), memberIds: ids, joined: ids, left: [] };
    }

    const state = await this.state(change.actorId, change.type === "invite" ? change.userIds : []);
    if (!state.room || !state.actorIsMember) return { ok: false, code: "room_not_found" };
    if (state.room.kind !== "group") return { ok: false, code: "not_a_group" };

    switch (change.type) {
      case "invite": {
        if (state.alreadyIn.length > 0) return { ok: false, code: "already_member", ids: state.alreadyIn };
        if (state.memberIds.length + change.userIds.length > LIMITS.groupMembersMax) return { ok: false, code: "room_full" };
        const event: SystemEvent = { type: "invited", actorId: change.actorId, userIds: change.userIds };
        // The invited join at the system message's seq (the room's last after it), and have read up to it.
        const joinedSeq = sql`(select ${rooms.lastSeq} from ${rooms} where ${rooms.id} = ${this.roomId})`;
        const [inserted] = await this.db.batch([
          this.insertSystem(change.actorId, event, now),
          this.db.insert(roomMembers).select(
            this.db
              .select({
                roomId: sql`${this.roomId}`.as("room_id"),
                userId: sql`value`.as("user_id"),
                lastReadSeq: joinedSeq.as("last_read_seq"),
                joinedAt: sql`${now}`.as("joined_at"),
                joinedSeq: joinedSeq.as("joined_seq"),
              })
              .from(eachOf(change.userIds)),
          ),
        ]);
        return { ok: true, message: this.toMessage(inserted), memberIds: [...state.memberIds, ...change.userIds], joined: change.userIds, left: [] };
      }
      case "leave": {
        const event: SystemEvent = { type: "left", actorId: change.actorId };
        const [inserted] = await this.db.batch([
          this.insertSystem(change.actorId, event, now),
          this.db.delete(roomMembers).where(and(eq(roomMembers.roomId, this.roomId), eq(roomMembers.userId, change.actorId))),
          // The room leaves the leaver's unread.version sum: what it counted moves here, plus one, so it still grows.
          this.db
            .update(users)
            .set({ leftRoomsVersion: sql`${users.leftRoomsVersion} + 1 + (select ${rooms.version} from ${rooms} where ${rooms.id} = ${this.roomId})` })
            .where(eq(users.id, change.actorId)),
        ]);
        return { ok: true, message: this.toMessage(inserted), memberIds: state.memberIds.filter((id) => id !== change.actorId), joined: [], left: [change.actorId] };
      }
      case "rename": {
        const event: SystemEvent = { type: "renamed", actorId: change.actorId, title: change.title };
        const [, inserted] = await this.db.batch([
          this.db.update(rooms).set({ title: change.title }).where(eq(rooms.id, this.roomId)),
          this.insertSystem(change.actorId, event, now),
        ]);
        return { ok: true, message: this.toMessage(inserted), memberIds: state.memberIds, joined: [], left: [] };
      }
    }
  }

  /** The room, its members, whether the actor is one, and which of `candidates` already are. */
  private async state(actorId: string, candidates: string[]) {
    const [room, members] = await this.db.batch([
      this.db.select({ kind: rooms.kind }).from(rooms).where(eq(rooms.id, this.roomId)),
      this.db.select({ userId: roomMembers.userId }).from(roomMembers).where(eq(roomMembers.roomId, this.roomId)),
    ]);
    const memberIds = members.map((m) => m.userId);
    const present = new Set(memberIds);
    return {
      room: room[0],
      memberIds,
      actorIsMember: present.has(actorId),
      alreadyIn: candidates.filter((id) => present.has(id)),
    };
  }

  /** The system message, with the room's next seq read in the same statement (as sends do: room-store.ts). */
  private insertSystem(actorId: string, event: SystemEvent, now: number) {
    const id = crypto.randomUUID();
    return this.db
      .insert(messages)
      .select(
        this.db
          .select({
            id: sql`${id}`.as("id"),
            roomId: rooms.id,
            seq: sql`${rooms.lastSeq} + 1`.as("seq"),
            senderId: sql`${actorId}`.as("sender_id"),
            clientId: sql`${`system:${id}`}`.as("client_id"),
            body: sql`''`.as("body"),
            sentAt: sql`${now}`.as("sent_at"),
            kind: sql`'system'`.as("kind"),
            event: sql`${JSON.stringify(event)}`.as("event"),
          })
          .from(rooms)
          .where(eq(rooms.id, this.roomId)),
      )
      .returning();
  }

  private toMessage(rows: (typeof messages.$inferSelect)[]): Message {
    return toMessage(rows[0]!);
  }
}

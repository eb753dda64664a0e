/**
 * The chat list: the rooms a user sees, each with its last message, members and unread count, whole
 * or in pages, and the user's unread total over all rooms.
 */
import { and, asc, count, desc, eq, gt, inArray, lt, lte, ne, or, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { LIMITS, encodeRoomCursor, type Member, type Room, type RoomCursor, type RoomsPage, type UnreadTotal } from "../contract";
import type { Db } from "./client";
import { messages, roomMembers, rooms, users } from "./schema";
import { systemAbove, toMessage } from "./views";

const me = alias(roomMembers, "me");
const meUser = alias(users, "me_user");
const other = alias(roomMembers, "other");

const collator = new Intl.Collator();
/** Members in the order every view of a room lists them. */
export const byDisplayName = (a: Member, b: Member) => collator.compare(a.displayName, b.displayName) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

interface RoomFilter {
  roomId?: string;
  withMessagesOnly?: boolean;
  /** Only the rooms of one chat-list page (plus one, to tell whether another page follows). */
  page?: PageIds;
  /** Each row also carries the caller's unread total: one statement where two reads would cost two calls. */
  withUnread?: boolean;
  /** Every member (`GET /api/rooms/:id`, the room socket); otherwise the caller and at most 4 others (chat-list rows). */
  allMembers?: boolean;
}

interface PageIds {
  limit?: number;
  before?: RoomCursor;
}

/** One row per (room, other member), in the column order of the select in roomsQuery. */
type RoomRow = [
  id: string,
  kind: Room["kind"],
  title: string | null,
  version: number,
  memberCount: number,
  lastSeq: number,
  myReadSeq: number,
  myJoinedSeq: number,
  mySystemAbove: number,
  myUsername: string,
  myDisplayName: string,
  messageId: string | null,
  senderId: string | null,
  clientId: string | null,
  body: string | null,
  sentAt: number | null,
  messageKind: "text" | "system" | null,
  event: string | null,
  updatedAt: number,
  otherId: string | null,
  otherUsername: string | null,
  otherDisplayName: string | null,
  otherReadSeq: number | null,
  otherJoinedSeq: number | null,
  unreadTotal: number | null,
  unreadVersion: number | null,
];

const unreadMember = alias(roomMembers, "unread_member");
const unreadRoom = alias(rooms, "unread_room");
/** Text messages above the cursor: system messages are never unread. */
const unreadTotalSum = (db: Db) => sql<number>`coalesce(sum(max(0, ${unreadRoom.lastSeq} - ${unreadMember.lastReadSeq} - ${systemAbove(db, unreadRoom.id, unreadMember.lastReadSeq)})), 0)`;
/** The versions of the caller's rooms (each only grows), plus those of the rooms they left (docs/api.md). */
const unreadVersionSum = (userId: string) =>
  sql<number>`coalesce(sum(${unreadRoom.version}), 0) + (select ${users.leftRoomsVersion} from ${users} where ${users.id} = ${userId})`;

/** Aggregates over every room the user is in: one pass over the user index, whatever is listed. */
const overMemberships = (db: Db, userId: string, fields: Record<string, SQL<number>>) =>
  db.select(fields).from(unreadMember).innerJoin(unreadRoom, eq(unreadRoom.id, unreadMember.roomId)).where(eq(unreadMember.userId, userId));

const previewMember = alias(roomMembers, "preview_member");
const memberCounted = alias(roomMembers, "member_counted");

/** The chat-list read as one statement (exported so tests can check its query plan). */
export const roomsQuery = (db: Db, userId: string, filter: RoomFilter = {}) => {
  const conditions: (SQL | undefined)[] = [eq(me.userId, userId)];
  if (filter.roomId !== undefined) conditions.push(eq(rooms.id, filter.roomId));
  if (filter.withMessagesOnly) conditions.push(gt(rooms.lastSeq, 0));
  if (filter.page) conditions.push(inArray(rooms.id, pageIds(db, userId, filter.page)));
  // A chat-list row names the caller and a few others (a name line, a four-avatar collage), not all
  // 500: the others up to the 4th by id, a bound the join's primary-key search takes once per room.
  const previewBound = sql`coalesce((${db
    .select({ id: previewMember.userId })
    .from(previewMember)
    .where(and(eq(previewMember.roomId, me.roomId), ne(previewMember.userId, me.userId)))
    .orderBy(asc(previewMember.userId))
    .limit(1)
    .offset(LIMITS.chatListOthers - 1)}), char(1114111))`;
  return db
    .select({
      id: rooms.id,
      kind: rooms.kind,
      title: rooms.title,
      version: rooms.version,
      memberCount: sql<number>`(${db.select({ n: count() }).from(memberCounted).where(eq(memberCounted.roomId, rooms.id))})`,
      lastSeq: rooms.lastSeq,
      myReadSeq: me.lastReadSeq,
      myJoinedSeq: me.joinedSeq,
      mySystemAbove: systemAbove(db, rooms.id, me.lastReadSeq),
      myUsername: meUser.username,
      myDisplayName: meUser.displayName,
      messageId: messages.id,
      senderId: messages.senderId,
      clientId: messages.clientId,
      body: messages.body,
      sentAt: messages.sentAt,
      messageKind: messages.kind,
      event: messages.event,
      updatedAt: rooms.updatedAt,
      otherId: users.id,
      otherUsername: users.username,
      otherDisplayName: users.displayName,
      otherReadSeq: other.lastReadSeq,
      otherJoinedSeq: other.joinedSeq,
      // Not correlated with the row: SQLite computes each once per statement.
      unreadTotal: filter.withUnread ? sql<number>`(${overMemberships(db, userId, { total: unreadTotalSum(db) })})` : sql<null>`null`,
      unreadVersion: filter.withUnread ? sql<number>`(${overMemberships(db, userId, { version: unreadVersionSum(userId) })})` : sql<null>`null`,
    })
    .from(me)
    .innerJoin(meUser, eq(meUser.id, me.userId))
    .innerJoin(rooms, eq(rooms.id, me.roomId))
    .leftJoin(messages, and(eq(messages.roomId, rooms.id), eq(messages.seq, rooms.lastSeq)))
    .leftJoin(other, and(eq(other.roomId, me.roomId), ne(other.userId, me.userId), filter.allMembers ? undefined : lte(other.userId, previewBound)))
    .leftJoin(users, eq(users.id, other.userId))
    .where(and(...conditions))
    .orderBy(desc(rooms.updatedAt), desc(rooms.id));
};

/**
 * The ids of one chat-list page, chosen before anything is joined to them, so a page costs its own
 * rows whatever the number of rooms. Keyset on the list's order: stable while rooms move to the top.
 */
const pageIds = (db: Db, userId: string, { limit, before }: PageIds) => {
  const pageMember = alias(roomMembers, "page_member");
  const pageRoom = alias(rooms, "page_room");
  const query = db
    .select({ id: pageRoom.id })
    .from(pageMember)
    .innerJoin(pageRoom, eq(pageRoom.id, pageMember.roomId))
    .where(
      and(
        eq(pageMember.userId, userId),
        gt(pageRoom.lastSeq, 0),
        before && or(lt(pageRoom.updatedAt, before.updatedAt), and(eq(pageRoom.updatedAt, before.updatedAt), lt(pageRoom.id, before.id))),
      ),
    )
    .orderBy(desc(pageRoom.updatedAt), desc(pageRoom.id));
  return limit === undefined ? query : query.limit(limit + 1);
};

/**
 * The rooms the user can see, newest activity first, in one indexed query whatever the number of
 * rooms. unreadCount is last_seq − the caller's cursor: sending moves the sender's own cursor, so
 * everything above it was written by others.
 *
 * Shaped by the 1,000-room chat list (npm run bench): one row per (room, other member) instead of
 * a JSON subquery per room; the last message found through the (room_id, seq) index, which stays
 * clustered by room where random message ids scatter; no column the caller already knows; and
 * rows read as arrays, because drizzle's per-cell mapper was a fifth of the call.
 */
export const loadRooms = async (db: Db, userId: string, filter: RoomFilter = {}): Promise<Room[]> =>
  (await loadRoomRows(db, userId, filter)).entries.map((entry) => entry.room);

const loadRoomRows = async (db: Db, userId: string, filter: RoomFilter) => {
  const rows = (await roomsQuery(db, userId, filter).values()) as RoomRow[];
  const entries: { room: Room; updatedAt: number }[] = [];
  let room: Room | undefined;
  let unread: UnreadTotal | null = null;
  for (const [
    id,
    kind,
    title,
    version,
    memberCount,
    lastSeq,
    myReadSeq,
    myJoinedSeq,
    mySystemAbove,
    myUsername,
    myDisplayName,
    messageId,
    senderId,
    clientId,
    body,
    sentAt,
    messageKind,
    event,
    updatedAt,
    otherId,
    otherUsername,
    otherDisplayName,
    otherReadSeq,
    otherJoinedSeq,
    unreadTotal,
    unreadVersion,
  ] of rows) {
    if (unreadTotal !== null && unreadVersion !== null) unread ??= { total: unreadTotal, version: unreadVersion };
    if (room === undefined || room.id !== id) {
      const fields = {
        id,
        members: [{ id: userId, username: myUsername, displayName: myDisplayName, lastReadSeq: myReadSeq, joinedSeq: myJoinedSeq }],
        memberCount,
        // Never from before the caller joined: their join is a system message, so the last one is at or after it.
        lastMessage:
          messageId === null
            ? null
            : toMessage({ id: messageId, roomId: id, seq: lastSeq, senderId: senderId!, body: body!, sentAt: sentAt!, clientId: clientId!, kind: messageKind!, event }),
        lastSeq,
        unreadCount: Math.max(0, lastSeq - myReadSeq - mySystemAbove),
        version,
      };
      room = kind === "group" ? { ...fields, kind, title } : { ...fields, kind, title: null };
      entries.push({ room, updatedAt });
    }
    if (otherId !== null)
      room.members.push({ id: otherId, username: otherUsername!, displayName: otherDisplayName!, lastReadSeq: otherReadSeq!, joinedSeq: otherJoinedSeq! });
  }
  for (const { room: r } of entries) r.members.sort(byDisplayName);
  return { entries, unread };
};

/** The chat list (rooms with a message) whole, or one page of it, with the caller's unread total. */
export const loadChatList = async (db: Db, userId: string, page: PageIds): Promise<RoomsPage> => {
  const paged = page.limit !== undefined || page.before !== undefined;
  const { entries, unread } = await loadRoomRows(db, userId, { withMessagesOnly: true, withUnread: true, ...(paged && { page }) });
  const more = page.limit !== undefined && entries.length > page.limit;
  const shown = more ? entries.slice(0, page.limit) : entries;
  const last = shown.at(-1);
  return {
    rooms: shown.map((e) => e.room),
    nextCursor: more && last ? encodeRoomCursor({ updatedAt: last.updatedAt, id: last.room.id }) : null,
    // No rows to carry it (an empty list, or a page past the end): read it on its own.
    unread: unread ?? (await loadUnreadTotal(db, userId)),
  };
};

/**
 * Each of the user's rooms' unread count and version, and the versions of the rooms they left: what
 * a hub sums into the unread total, then keeps current from the rooms' own views (hub-unread.ts).
 */
export const loadUnreadByRoom = async (db: Db, userId: string) => {
  const [rows, left] = await db.batch([
    db
      .select({
        roomId: unreadRoom.id,
        count: sql<number>`max(0, ${unreadRoom.lastSeq} - ${unreadMember.lastReadSeq} - ${systemAbove(db, unreadRoom.id, unreadMember.lastReadSeq)})`,
        version: unreadRoom.version,
      })
      .from(unreadMember)
      .innerJoin(unreadRoom, eq(unreadRoom.id, unreadMember.roomId))
      .where(eq(unreadMember.userId, userId)),
    db.select({ version: users.leftRoomsVersion }).from(users).where(eq(users.id, userId)),
  ]);
  return { rooms: new Map(rows.map((r) => [r.roomId, { count: r.count, version: r.version }])), leftVersion: left[0]?.version ?? 0 };
};

/** A room with every member as one member's chat list shows it: them and at most 4 others (the same others the chat list picks). */
export const chatListRow = (room: Room, userId: string): Room => {
  const others = room.members
    .filter((m) => m.id !== userId)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, LIMITS.chatListOthers);
  return { ...room, members: [...room.members.filter((m) => m.id === userId), ...others].sort(byDisplayName) };
};

/** The caller's unread total over all their rooms, on its own. */
export const loadUnreadTotal = async (db: Db, userId: string): Promise<UnreadTotal> =>
  ((await overMemberships(db, userId, { total: unreadTotalSum(db), version: unreadVersionSum(userId) }).get()) as UnreadTotal | undefined) ?? { total: 0, version: 0 };

import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Message, Room } from "../../../worker/contract";
import { body } from "../contract-helpers";
import { call, group, isAck, roomSocket, seedUsers, befriendAll, type Session } from "../harness";
import { d1Log, serverLog } from "./support";
import { d1CaughtUp, forgetRoomLog } from "../room-log-helpers";

/**
 * A room from before the room log: D1 holds its messages, members and cursors, and its object has
 * never kept a log. The first wake imports it (durable-objects/room-log/import-from-d1.ts).
 */

const TEXT = 2_500;

/** D1 as the old code left it: a group of three with TEXT text messages after its "created" line, a member invited half-way, cursors here and there. */
const seedOldGroup = async () => {
  const { owner, members, room } = await group(2);
  const [late] = await seedUsers(1);
  await befriendAll(owner, [late!]);
  const [a, b] = members as [Session, Session];
  const invitedAt = 1 + TEXT / 2 + 1;
  const base = Date.now() - 3_600_000;
  await env.DB.batch([
    // seq 2..TEXT+2 but the invite's seq: text from a and b in turn up to 700, then from a (b's cursor, 700, is past b's own last, as sending made it).
    env.DB.prepare(
      `WITH RECURSIVE s(n) AS (SELECT 2 UNION ALL SELECT n + 1 FROM s WHERE n < ?1)
       INSERT INTO messages (id, room_id, seq, sender_id, client_id, body, sent_at, kind)
       SELECT ?2 || ':' || n, ?2, n, CASE WHEN n <= 700 AND n % 2 = 1 THEN ?4 ELSE ?3 END, 'old-' || n, '옛 메시지 ' || n, ?5 + n, 'text' FROM s WHERE n <> ?6`,
    ).bind(TEXT + 2, room.id, a.user.id, b.user.id, base, invitedAt),
    env.DB.prepare(
      `INSERT INTO messages (id, room_id, seq, sender_id, client_id, body, sent_at, kind, event) VALUES (?1 || ':invite', ?1, ?2, ?3, 'system:' || ?1, '', ?4, 'system', ?5)`,
    ).bind(room.id, invitedAt, a.user.id, base + invitedAt, JSON.stringify({ type: "invited", actorId: a.user.id, userIds: [late!.user.id] })),
    env.DB.prepare(`INSERT INTO room_members (room_id, user_id, last_read_seq, joined_at, joined_seq) VALUES (?1, ?2, ?3, ?4, ?3)`).bind(room.id, late!.user.id, invitedAt, base),
    env.DB.prepare(`UPDATE room_members SET last_read_seq = 700 WHERE room_id = ? AND user_id = ?`).bind(room.id, b.user.id),
  ]);
  // The object forgets what it kept of the room when it was created: as if it never had a log.
  await forgetRoomLog(room.id);
  return { a, b, late: late!, room, invitedAt, lastSeq: TEXT + 2 };
};

const d1Room = (roomId: string) => env.DB.prepare("SELECT last_seq AS lastSeq, version FROM rooms WHERE id = ?").bind(roomId).first<{ lastSeq: number; version: number }>();
const historyOf = async (roomId: string, who: Session) => {
  const all: Message[] = [];
  for (let before: number | undefined; ; ) {
    const page = await body<{ messages: Message[]; hasMore: boolean }>(await call(`/api/rooms/${roomId}/messages?limit=100${before ? `&before=${before}` : ""}`, { cookie: who.cookie }), 200);
    all.unshift(...page.messages);
    if (!page.hasMore) return all;
    before = page.messages[0]!.seq;
  }
};

describe("a room from before the room log", { timeout: 60_000 }, () => {
  it("gets its log, members and cursors from D1 on its object's first wake: nothing lost, doubled or renumbered, and new messages follow on", async () => {
    const { a, b, late, room, invitedAt, lastSeq } = await seedOldGroup();
    const before = (await d1Room(room.id))!;
    const oldD1 = await d1Log(room.id);
    expect(oldD1.map((m) => m.seq)).toEqual(Array.from({ length: lastSeq }, (_, i) => i + 1));

    // The first request wakes the object, which imports; its log is D1's, row for row.
    const { room: view } = await body<{ room: Room }>(await call(`/api/rooms/${room.id}`, { cookie: b.cookie }), 200);
    expect(await serverLog(room.id)).toEqual(oldD1);
    expect(view).toMatchObject({ lastSeq, version: before.version, memberCount: 3 });
    // b read up to 700: everything from others above it, less the invite line, is unread.
    const fromOthersAbove700 = oldD1.filter((m) => m.seq > 700 && m.senderId !== b.user.id && m.seq !== invitedAt).length;
    expect(view.unreadCount).toBe(fromOthersAbove700);
    expect(view.members.map((m) => [m.id, m.lastReadSeq, m.joinedSeq]).sort()).toEqual(
      [
        [a.user.id, lastSeq, 0],
        [b.user.id, 700, 0],
        [late.user.id, invitedAt, invitedAt],
      ].sort(),
    );

    // History through the API: the same messages, kinds and events; the late member's from their invitation on.
    const history = await historyOf(room.id, a);
    expect(history.map((m) => [m.seq, m.id, m.senderId, m.clientId, m.body, Date.parse(m.sentAt)])).toEqual(
      oldD1.map((m) => [m.seq, m.id, m.senderId, m.clientId, m.body, m.sentAt]),
    );
    expect(history.find((m) => m.seq === invitedAt)).toMatchObject({ kind: "system", event: { type: "invited", userIds: [late.user.id] } });
    expect((await historyOf(room.id, late)).map((m) => m.seq)).toEqual(oldD1.filter((m) => m.seq >= invitedAt).map((m) => m.seq));

    // A new message takes the next seq, and D1 gets it behind, exactly once.
    const sb = await roomSocket(room.id, b);
    sb.send({ type: "send", clientId: "new-1", body: "after the upgrade" });
    expect((await sb.next(isAck("new-1"))).message.seq).toBe(lastSeq + 1);
    await d1CaughtUp(room.id);
    expect(await d1Log(room.id)).toEqual(await serverLog(room.id));
    const after = (await d1Room(room.id))!;
    expect(after.lastSeq).toBe(lastSeq + 1);
    expect(after.version).toBeGreaterThan(before.version);
    sb.close();
  });
});

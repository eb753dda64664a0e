import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { pair } from "../harness";
import { cursorOf, roomRow } from "./support";

/**
 * The room's last message and the sender's read cursor follow every row written to `messages`,
 * whoever writes it (the `messages_keep_room_current` trigger, migrations/0001): the room object's
 * send path relies on it, and so do imports and test seeds.
 */

const insert = (roomId: string, senderId: string, seq: number, sentAt: number) =>
  env.DB.prepare("insert into messages (id, room_id, seq, sender_id, client_id, body, sent_at) values (?1, ?2, ?3, ?4, ?1, 'direct', ?5)")
    .bind(`${roomId}:${seq}`, roomId, seq, senderId, sentAt)
    .run();

describe("a stored message keeps its room current", () => {
  it("moves the room's last message and the sender's cursor, not the other member's", async () => {
    const { a, b, room } = await pair();
    const before = await roomRow(room.id);
    await insert(room.id, a.user.id, 1, before.updatedAt + 10);
    await insert(room.id, b.user.id, 2, before.updatedAt + 20);
    await insert(room.id, a.user.id, 3, before.updatedAt + 30);
    expect(await roomRow(room.id)).toEqual({ lastSeq: 3, lastMessageId: `${room.id}:3`, updatedAt: before.updatedAt + 30 });
    expect(await cursorOf(room.id, a.user.id)).toBe(3);
    expect(await cursorOf(room.id, b.user.id)).toBe(2);
  });

  it("an older message than the room's last changes neither the room nor a cursor ahead of it", async () => {
    const { a, b, room } = await pair();
    const t = (await roomRow(room.id)).updatedAt;
    await insert(room.id, b.user.id, 5, t + 50);
    await env.DB.prepare("update room_members set last_read_seq = 5 where room_id = ? and user_id = ?").bind(room.id, a.user.id).run();
    await insert(room.id, a.user.id, 3, t + 30);
    expect(await roomRow(room.id)).toEqual({ lastSeq: 5, lastMessageId: `${room.id}:5`, updatedAt: t + 50 });
    expect(await cursorOf(room.id, a.user.id)).toBe(5);
    expect(await cursorOf(room.id, b.user.id)).toBe(5);
  });
});

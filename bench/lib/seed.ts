/**
 * Seeds the chat-list and history data set straight into the app's local D1 file (the SQLite
 * file under the wrangler persist dir) while the server is stopped: many rooms for one user and
 * one very long room. Rows follow worker/db/schema.ts and the invariants the app keeps:
 * seq 1..n per room, rooms.last_seq / last_message_id / updated_at = the newest message,
 * unread = last_seq − the member's last_read_seq, a friendship both ways per room.
 */
import { randomUUID } from "node:crypto";
import { readdirSync } from "node:fs";
import { join } from "node:path";

export interface SeedOptions {
  persistDir: string;
  /** The user whose chat list grows (already registered through the API). */
  userId: string;
  /** Rooms of that user in total, counting the big and the small one. */
  rooms: number;
  bigRoomMessages: number;
  smallRoomMessages: number;
  /** Messages in each of the other rooms. */
  otherRoomMessages: number;
  tag: string;
}

export interface SeedResult {
  bigRoomId: string;
  smallRoomId: string;
  rooms: number;
  messages: number;
  ms: number;
}

export const d1File = (persistDir: string): string => {
  const dir = join(persistDir, "v3", "d1", "miniflare-D1DatabaseObject");
  const files = readdirSync(dir).filter((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite");
  if (files.length !== 1) throw new Error(`expected one D1 database in ${dir}, found ${files.join(", ") || "none"}`);
  return join(dir, files[0]!);
};

const lines = [
  "안녕하세요! 오늘 저녁에 시간 있어요?",
  "ok, see you at 7 then",
  "ㅋㅋㅋ 진짜 웃기다",
  "Did you get the files I sent this morning?",
  "네 확인했어요. 고마워요 🙏",
  "지금 가는 중이에요, 10분 정도 걸릴 것 같아요",
  "Sounds good — let me know when you are close.",
  "내일 회의는 몇 시로 옮겼어요?",
];

export const seedScale = async (opts: SeedOptions): Promise<SeedResult> => {
  const t0 = performance.now();
  const { DatabaseSync } = await import("node:sqlite");
  const db = new DatabaseSync(d1File(opts.persistDir));
  try {
    db.exec("PRAGMA foreign_keys = ON");
    const insertUser = db.prepare("INSERT INTO users (id, username, display_name, password_hash, created_at) VALUES (?, ?, ?, ?, ?)");
    const insertFriend = db.prepare("INSERT INTO friendships (user_id, friend_id, created_at) VALUES (?, ?, ?)");
    const insertRoom = db.prepare("INSERT INTO rooms (id, kind, pair_key, last_seq, last_message_id, updated_at) VALUES (?, 'direct', ?, ?, ?, ?)");
    const insertMember = db.prepare("INSERT INTO room_members (room_id, user_id, last_read_seq, joined_at) VALUES (?, ?, ?, ?)");
    const insertMessage = db.prepare("INSERT INTO messages (id, room_id, seq, sender_id, client_id, body, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?)");

    const now = Date.now();
    const start = now - 30 * 24 * 3_600_000;
    let messages = 0;
    let bigRoomId = "";
    let smallRoomId = "";
    db.exec("BEGIN");
    for (let i = 0; i < opts.rooms; i++) {
      const count = i === 0 ? opts.bigRoomMessages : i === 1 ? opts.smallRoomMessages : opts.otherRoomMessages;
      const partner = randomUUID();
      const roomId = randomUUID();
      if (i === 0) bigRoomId = roomId;
      if (i === 1) smallRoomId = roomId;
      const username = `s${opts.tag}${i}`.slice(0, 20);
      insertUser.run(partner, username, `친구 ${i}`, "seeded:cannot-log-in", start);
      insertFriend.run(opts.userId, partner, start);
      insertFriend.run(partner, opts.userId, start);
      // Each room's messages end at a distinct time, so the chat list has a strict order.
      const end = now - (opts.rooms - i) * 60_000;
      const step = Math.max(1, Math.floor((end - start) / Math.max(1, count)));
      let lastId: string | null = null;
      let lastAt = start;
      const pending: [string, number, string, string, number][] = [];
      for (let seq = 1; seq <= count; seq++) {
        const id = randomUUID();
        const sender = seq % 2 === 1 ? partner : opts.userId;
        lastAt = end - (count - seq) * step;
        pending.push([id, seq, sender, lines[(seq + i) % lines.length]!, lastAt]);
        lastId = id;
      }
      insertRoom.run(roomId, [opts.userId, partner].sort().join(":"), count, lastId, count > 0 ? lastAt : start);
      // Messages before members: the messages trigger would otherwise move the user's cursor past
      // its own messages, and the unread counts below are chosen.
      for (const [id, seq, sender, body, at] of pending) insertMessage.run(id, roomId, seq, sender, `seed-${seq}`, body, at);
      insertMember.run(roomId, opts.userId, Math.max(0, count - (i % 7)), start);
      insertMember.run(roomId, partner, count, start);
      messages += count;
    }
    db.exec("COMMIT");
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    return { bigRoomId, smallRoomId, rooms: opts.rooms, messages, ms: performance.now() - t0 };
  } finally {
    db.close();
  }
};

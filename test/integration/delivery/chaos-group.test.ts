import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { type Session, befriendAll, call, group, seedUsers } from "../harness";
import type { SimClient } from "./sim-client";
import { d1CaughtUp } from "../room-log-helpers";
import { controlBatches, d1Log, evictRoom, serverLog, simClient, sleep, waitFor } from "./support";

/**
 * The delivery chaos test's group case (security.md "Delivery"): members of a group room send while
 * others are invited and one leaves, with sockets dropped, the room object evicted (sockets closed
 * or hibernated) and a D1 batch failed between them. At the end: seq 1..N with no gap, each send
 * stored once; every member's log is the server's from their joinedSeq on, nothing lost or doubled;
 * the leaver holds nothing from their leave on, and nothing they had not sent yet was stored after it.
 */

const PER_PHASE = 8;

const post = (path: string, s: Session, json?: unknown) => call(path, { method: "POST", cookie: s.cookie, ...(json !== undefined && { json }) });

const joinedSeqOf = async (roomId: string, userId: string) =>
  (await env.DB.prepare("SELECT joined_seq AS n FROM room_members WHERE room_id = ? AND user_id = ?").bind(roomId, userId).first<{ n: number }>())?.n;

describe("delivery under chaos in a group whose members join and leave", () => {
  it("loses and doubles nothing for members, and delivers nothing from before a join or after a leave", async () => {
    const { owner, members, room } = await group(3);
    const [d, e] = await seedUsers(2);
    await befriendAll(owner, [d!, e!]);
    const clientOf = (who: Session, name: string) => simClient(name, room.id, who);
    const [a, b, c] = [clientOf(owner, "a"), clientOf(members[1]!, "b"), clientOf(members[2]!, "c")];
    const [cd, ce] = [clientOf(d!, "d"), clientOf(e!, "e")];
    const clients = [a, b, c, cd, ce];
    const sendRound = (senders: SimClient[], phase: string, from: number, to: number) => {
      for (let i = from; i < to; i++) for (const s of senders) s.send(`${phase}-${i}`, `${s.name} ${phase} ${i}`);
    };

    try {
      await Promise.all([a, b, c].map((x) => x.start()));
      sendRound([a, b, c], "p1", 0, PER_PHASE / 2);
      b.drop();
      sendRound([a, b, c], "p1", PER_PHASE / 2, PER_PHASE);
      await evictRoom(room.id, "hibernate");

      // D is invited while the first phase's sends are still being stored.
      expect((await post(`/api/rooms/${room.id}/members`, owner, { userIds: [d!.user.id] })).status).toBe(200);
      await cd.start();
      sendRound([a, b, c, cd], "p2", 0, PER_PHASE / 2);
      // C leaves with sends of its own still on their way: each is stored before the left line or never.
      sendRound([c], "p2", PER_PHASE / 2, PER_PHASE);
      expect((await post(`/api/rooms/${room.id}/leave`, members[2]!)).status).toBe(204);
      // D1 then fails the room's next write-behind: retried, unseen by anyone.
      (await controlBatches(room.id)).failNextBatch();
      sendRound([a, b, cd], "p2", PER_PHASE / 2, PER_PHASE);
      await sleep(20);
      await evictRoom(room.id, "close");

      expect((await post(`/api/rooms/${room.id}/members`, owner, { userIds: [e!.user.id] })).status).toBe(200);
      await ce.start();
      sendRound([a, b, cd, ce], "p3", 0, PER_PHASE / 2);
      cd.drop();
      sendRound([a, b, cd, ce], "p3", PER_PHASE / 2, PER_PHASE);

      const staying = [a, b, cd, ce];
      const pending = () =>
        staying
          .filter((x) => x.outbox.size > 0 || !x.isOpen)
          .map((x) => `${x.name}: ${x.outbox.size} unacked ${x.isOpen ? "open" : "closed"}`)
          .join("; ");
      await waitFor(() => pending() === "", pending, 30_000, 20);

      const log = await serverLog(room.id);
      const joined = new Map<SimClient, number>([
        [a, 0],
        [b, 0],
        [cd, (await joinedSeqOf(room.id, d!.user.id))!],
        [ce, (await joinedSeqOf(room.id, e!.user.id))!],
      ]);
      const missing = () =>
        staying
          .map((x) => {
            const lacks = log.filter((m) => m.seq >= joined.get(x)! && !x.log.has(m.seq)).map((m) => m.seq);
            return lacks.length === 0 ? "" : `${x.name} lacks seq ${lacks.slice(0, 10).join(",")}`;
          })
          .filter(Boolean)
          .join("; ");
      await waitFor(() => missing() === "", missing, 5000, 10);

      expect(clients.flatMap((x) => x.anomalies)).toEqual([]);
      // seq 1..N, gap-free; each (sender, clientId) once.
      expect(log.map((m) => m.seq)).toEqual(log.map((_, i) => i + 1));
      expect(new Set(log.map((m) => `${m.senderId}/${m.clientId}`)).size).toBe(log.length);
      const leftAt = log.find((m) => m.clientId.startsWith("system:") && m.senderId === members[2]!.user.id)!.seq;

      // Members: exactly the server's log from their join on (the same messages, nothing before).
      for (const [x, from] of joined) {
        const expected = log.filter((m) => m.seq >= from).map((m) => [m.seq, m.id, m.body]);
        const seen = [...x.log.values()].sort((p, q) => p.seq - q.seq).map((m) => [m.seq, m.id, m.body]);
        expect(seen, x.name).toEqual(expected);
        expect(x.confirmed.size, x.name).toBe(x === a || x === b ? 3 * PER_PHASE : x === cd ? 2 * PER_PHASE : PER_PHASE);
      }
      // The leaver: closed with 4403, held nothing from the leave on, and what it still had unsent was never stored.
      expect(c.left).toBe(true);
      expect(Math.max(...c.log.keys())).toBeLessThan(leftAt);
      const fromC = log.filter((m) => m.senderId === members[2]!.user.id && !m.clientId.startsWith("system:"));
      for (const m of fromC) expect(m.seq).toBeLessThan(leftAt);
      for (const clientId of c.outbox.keys()) expect(fromC.map((m) => m.clientId)).not.toContain(clientId);
      expect(fromC.length + c.outbox.size).toBe(2 * PER_PHASE);
      // D1, caught up, holds exactly the room's log, and its members are the log's.
      await d1CaughtUp(room.id);
      expect(await d1Log(room.id)).toEqual(log);
      expect(await joinedSeqOf(room.id, members[2]!.user.id)).toBeUndefined();
    } finally {
      for (const x of clients) x.stop();
    }
  }, 60_000);
});

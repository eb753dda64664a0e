import { abortAllDurableObjects } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { isAck, isMessage, roomSocket, type TestSocket } from "../harness";
import { connectedPair, distinctInOrder, evictRoom, instanceMarked, markInstance, roomRow, serverLog, storedTwice, waitFor } from "./support";

/** A message is stored once per (sender, clientId); a repeat is re-acked with the original. */

const acksFor = (s: TestSocket, clientId: string) => s.ofType("ack").filter((f) => f.clientId === clientId);
const messagesFor = (s: TestSocket, clientId: string) => s.ofType("message").filter((f) => f.message.clientId === clientId);

describe("idempotent sends", { timeout: 30_000 }, () => {
  it.each(["hibernate", "close", "abort"] as const)(
    "a resend after the room object lost its memory (%s) is re-acked with the original and not stored twice",
    async (mode) => {
      const { a, b, room, sa, sb } = await connectedPair();
      sa.send({ type: "send", clientId: "once", body: "original body" });
      const first = (await sa.next(isAck("once"))).message;
      await sb.next(isMessage(1));

      await markInstance(room.id);
      if (mode === "abort") await abortAllDurableObjects();
      else await evictRoom(room.id, mode);
      let [ta, tb] = [sa, sb];
      if (mode !== "hibernate") {
        await Promise.all([sa.waitClosed(), sb.waitClosed()]);
        [ta, tb] = await Promise.all([roomSocket(room.id, a), roomSocket(room.id, b)]);
      }
      // A new instance: nothing the first one held in memory is left.
      expect(await instanceMarked(room.id)).toBe(false);

      // The client never saw the ack (say), so it resends; even a changed body does not make it new.
      ta.send({ type: "send", clientId: "once", body: "original body, resent" });
      ta.send({ type: "send", clientId: "next", body: "a new message" });
      await ta.next(isAck("next"));
      const reacks = acksFor(ta, "once");
      expect(reacks).toHaveLength(mode === "hibernate" ? 2 : 1);
      expect(reacks.at(-1)!.message).toEqual(first);
      // The next seq was re-read from D1: no gap, no reuse.
      expect(acksFor(ta, "next")[0]!.message.seq).toBe(2);

      await tb.next(isMessage(2));
      // Whatever reached the other member about "once" is the original message, and seq order holds.
      for (const f of messagesFor(tb, "once")) expect(f.message).toEqual(first);
      const seen = distinctInOrder(tb.ofType("message").map((f) => f.message));
      // The hibernated socket saw 1 then 2; a fresh socket may or may not be told about 1 again.
      if (mode === "hibernate") expect(seen).toEqual([1, 2]);
      else expect([[2], [1, 2]]).toContainEqual(seen);
      const log = await serverLog(room.id);
      expect(log.map((m) => [m.seq, m.clientId, m.body])).toEqual([
        [1, "once", "original body"],
        [2, "next", "a new message"],
      ]);
      expect(await storedTwice(room.id)).toEqual([]);
      expect(await roomRow(room.id)).toMatchObject({ lastSeq: 2, lastMessageId: log[1]!.id });
      for (const s of [sa, sb, ta, tb]) s.close();
    },
  );

  it("the same clientId from a different sender is a different message", async () => {
    const { a, b, room, sa, sb } = await connectedPair();
    sa.send({ type: "send", clientId: "shared", body: "from a" });
    const fromA = (await sa.next(isAck("shared"))).message;
    sb.send({ type: "send", clientId: "shared", body: "from b" });
    const fromB = (await sb.next(isAck("shared"))).message;

    expect(fromA).toMatchObject({ seq: 1, senderId: a.user.id, body: "from a" });
    expect(fromB).toMatchObject({ seq: 2, senderId: b.user.id, body: "from b" });
    expect(fromB.id).not.toBe(fromA.id);
    expect((await sb.next(isMessage(1))).message).toEqual(fromA);
    expect((await sa.next(isMessage(2))).message).toEqual(fromB);

    // Each sender's resend is matched against its own message only.
    sa.send({ type: "send", clientId: "shared", body: "from a, resent" });
    sb.send({ type: "send", clientId: "shared", body: "from b, resent" });
    await waitFor(() => acksFor(sa, "shared").length === 2 && acksFor(sb, "shared").length === 2, () => "re-acks on both sides");
    expect(acksFor(sa, "shared")[1]!.message).toEqual(fromA);
    expect(acksFor(sb, "shared")[1]!.message).toEqual(fromB);
    const log = await serverLog(room.id);
    expect(log.map((m) => [m.seq, m.senderId, m.body])).toEqual([
      [1, a.user.id, "from a"],
      [2, b.user.id, "from b"],
    ]);
    sa.close();
    sb.close();
  });

  it("resends racing their original (the same socket and another tab, pipelined) are stored once and all acked with the same message", async () => {
    const { a, room, sa, sb } = await connectedPair();
    const sa2 = await roomSocket(room.id, a); // a second tab of the same user
    sa.send({ type: "send", clientId: "warm", body: "the first message" });
    sa.send({ type: "send", clientId: "race", body: "original" });
    sa.send({ type: "send", clientId: "race", body: "resend on the same socket" });
    sa2.send({ type: "send", clientId: "race", body: "resend from another tab" });

    await waitFor(() => acksFor(sa, "race").length === 2 && acksFor(sa2, "race").length === 1, () => "three acks for race");
    const [one, two] = acksFor(sa, "race");
    const three = acksFor(sa2, "race")[0]!;
    // Whichever arrived first is the one stored (the two sockets race).
    expect(one!.message.seq).toBe(2);
    expect(two!.message).toEqual(one!.message);
    expect(three.message).toEqual(one!.message);

    sa.send({ type: "send", clientId: "after", body: "after the race" });
    expect((await sa.next(isAck("after"))).message.seq).toBe(3);
    await sb.next(isMessage(3));
    expect(messagesFor(sb, "race").length).toBeGreaterThan(0);
    for (const f of messagesFor(sb, "race")) expect(f.message).toEqual(one!.message);
    expect(distinctInOrder(sb.ofType("message").map((f) => f.message))).toEqual([1, 2, 3]);
    const log = await serverLog(room.id);
    expect(log.map((m) => [m.seq, m.clientId, m.body])).toEqual([
      [1, "warm", "the first message"],
      [2, "race", one!.message.body],
      [3, "after", "after the race"],
    ]);
    expect(await storedTwice(room.id)).toEqual([]);
    for (const s of [sa, sa2, sb]) s.close();
  });
});

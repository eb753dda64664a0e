/**
 * A 200-member room (docs/api.md, "Group rooms"): created in one call, a message fanned out to 200
 * sockets, and everyone reading at once costs each socket a few gathered `reads` frames, not one
 * `read` frame per member.
 */
import { describe, expect, it } from "vitest";
import { type Room, type RoomsPage, unreadCountOf } from "../../worker/contract";
import { body } from "./contract-helpers";
import { type TestSocket, call, group, isAck, roomSocket } from "./harness";

const MEMBERS = 200;

/** Every cursor a socket was told, by member: from `read` and gathered `reads` frames alike. */
const cursorsSeen = (sock: TestSocket) => {
  const seen = new Map<string, number>();
  for (const f of sock.frames) {
    const moves = f.type === "read" ? [f] : f.type === "reads" ? f.reads : [];
    for (const m of moves) seen.set(m.userId, Math.max(seen.get(m.userId) ?? 0, m.lastReadSeq));
  }
  return seen;
};

describe(`a ${MEMBERS}-member room`, () => {
  it("is created with everyone, fans a message out to every socket, and everyone reads it", { timeout: 120_000 }, async () => {
    const { owner, members, room } = await group(MEMBERS, "전체 공지");
    expect(room).toMatchObject({ kind: "group", memberCount: MEMBERS, lastSeq: 1 });
    expect(room.members).toHaveLength(MEMBERS);
    // A chat-list row names the caller and at most 4 others, whatever the size.
    const list = await body<RoomsPage>(await call("/api/rooms", { cookie: members[150]!.cookie }), 200);
    expect(list.rooms[0]).toMatchObject({ id: room.id, memberCount: MEMBERS });
    expect(list.rooms[0]!.members).toHaveLength(5);

    const sockets: TestSocket[] = [];
    for (let i = 0; i < MEMBERS; i += 25) sockets.push(...(await Promise.all(members.slice(i, i + 25).map((m) => roomSocket(room.id, m)))));

    sockets[0]!.send({ type: "send", clientId: "to-all", body: "모두 안녕하세요" });
    const { message } = await sockets[0]!.next(isAck("to-all"));
    await Promise.all(sockets.slice(1).map((s) => s.next((f) => f.type === "message" && f.message.seq === message.seq, 20_000)));

    for (const s of sockets.slice(1)) s.send({ type: "read", seq: message.seq });
    const everyone = members.map((m) => m.user.id);
    await Promise.all(
      sockets.map(async (s) => {
        await s.next(() => everyone.every((id) => (cursorsSeen(s).get(id) ?? 0) >= message.seq), 30_000).catch(() => undefined);
        expect([...cursorsSeen(s).entries()].filter(([, seq]) => seq >= message.seq)).toHaveLength(MEMBERS);
      }),
    );
    // Gathered: each socket got a handful of frames for 200 cursor moves, not 200.
    const cursorFrames = sockets.map((s) => s.frames.filter((f) => f.type === "read" || f.type === "reads").length);
    expect(Math.max(...cursorFrames)).toBeLessThan(40);

    const { room: after } = await body<{ room: Room }>(await call(`/api/rooms/${room.id}`, { cookie: owner.cookie }), 200);
    expect(unreadCountOf(message, after.members)).toBe(0);
    for (const s of sockets) s.close();
  });
});

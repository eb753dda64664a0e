/**
 * Concurrent membership changes (docs/architecture.md, "Group membership"): every change goes
 * through the room's object, in the same queue as sends, so two invites of the same person make one
 * join and one line, and an invite, a leave and sends racing each other leave a gap-free history
 * that agrees with the members.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Message, SystemMessage } from "../../worker/contract";
import { body } from "./contract-helpers";
import { type Session, befriendAll, call, group, seedUsers } from "./harness";

const post = (path: string, s: Session, json?: unknown) => call(path, { method: "POST", cookie: s.cookie, ...(json !== undefined && { json }) });
const allMessages = async (roomId: string, s: Session) =>
  (await body<{ messages: Message[] }>(await call(`/api/rooms/${roomId}/messages?after=0&limit=100`, { cookie: s.cookie }), 200)).messages;
const memberRows = async (roomId: string) =>
  (await env.DB.prepare("SELECT user_id FROM room_members WHERE room_id = ?").bind(roomId).all<{ user_id: string }>()).results.map((r) => r.user_id);

describe("membership races", () => {
  it("two invites of the same person at once: one join, one line; the other answers 409 already_member", async () => {
    for (let round = 0; round < 3; round++) {
      const { owner, members, room } = await group(3);
      const [d] = await seedUsers(1);
      await befriendAll(owner, [d!]);
      await befriendAll(members[1]!, [d!]);
      const [r1, r2] = await Promise.all([
        post(`/api/rooms/${room.id}/members`, owner, { userIds: [d!.user.id] }),
        post(`/api/rooms/${room.id}/members`, members[1]!, { userIds: [d!.user.id] }),
      ]);
      expect([r1.status, r2.status].sort()).toEqual([200, 409]);
      const messages = await allMessages(room.id, owner);
      expect(messages.filter((m) => m.kind === "system" && m.event.type === "invited")).toHaveLength(1);
      expect((await memberRows(room.id)).filter((id) => id === d!.user.id)).toHaveLength(1);
    }
  });

  it("an invite by a member who is leaving at the same moment: either both happen in order, or the invite is refused", async () => {
    for (let round = 0; round < 3; round++) {
      const { owner, members, room } = await group(3);
      const [d] = await seedUsers(1);
      await befriendAll(members[1]!, [d!]);
      const [invite, leave] = await Promise.all([
        post(`/api/rooms/${room.id}/members`, members[1]!, { userIds: [d!.user.id] }),
        post(`/api/rooms/${room.id}/leave`, members[1]!),
      ]);
      expect(leave.status).toBe(204);
      expect([200, 404]).toContain(invite.status);
      const messages = await allMessages(room.id, owner);
      expect(messages.map((m) => m.seq)).toEqual(messages.map((_, i) => i + 1));
      const lines = messages.filter((m): m is SystemMessage => m.kind === "system").map((m) => m.event.type);
      expect(lines).toEqual(invite.status === 200 ? ["created", "invited", "left"] : ["created", "left"]);
      expect((await memberRows(room.id)).includes(d!.user.id)).toBe(invite.status === 200);
    }
  });

  it("sends racing the sender's leave: each is stored before the left line or answered 404, never after it", async () => {
    const { owner, members, room } = await group(3);
    const leaver = members[1]!;
    const sends = Array.from({ length: 8 }, (_, i) => post(`/api/rooms/${room.id}/messages`, leaver, { clientId: `race-${i}`, body: `race ${i}` }));
    const [leave, ...answers] = await Promise.all([post(`/api/rooms/${room.id}/leave`, leaver), ...sends]);
    expect(leave.status).toBe(204);
    for (const a of answers) expect([201, 404]).toContain(a.status);
    const messages = await allMessages(room.id, owner);
    const leftAt = messages.find((m) => m.kind === "system" && m.event.type === "left")!.seq;
    const stored = messages.filter((m) => m.senderId === leaver.user.id && m.kind === "text");
    expect(stored.length).toBe(answers.filter((a) => a.status === 201).length);
    for (const m of stored) expect(m.seq).toBeLessThan(leftAt);
    expect(messages.map((m) => m.seq)).toEqual(messages.map((_, i) => i + 1));
  });
});

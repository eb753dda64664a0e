/**
 * Group rooms on the sockets (docs/api.md, "Group rooms"): what a membership change sends to the
 * room's sockets and the members' events sockets, the leaver's sockets closed with 4403, and the
 * members' chat lists following membership.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { type Message, SOCKET_LIMITS, type SystemMessage } from "../../worker/contract";
import { body, quiet } from "./contract-helpers";
import { userHub } from "../../worker/lib/hubs";
import { type Session, type TestSocket, befriendAll, call, connect, group, roomSocket, seedUsers } from "./harness";

const post = (path: string, s: Session, json?: unknown) => call(path, { method: "POST", cookie: s.cookie, ...(json !== undefined && { json }) });
const say = async (roomId: string, s: Session, text: string) =>
  (await body<{ message: Message }>(await post(`/api/rooms/${roomId}/messages`, s, { clientId: crypto.randomUUID(), body: text }), 201)).message;

/** The frames a socket got after the `message` frame of `seq`, by type, in order. */
const typesFrom = (sock: TestSocket, seq: number) => {
  const at = sock.frames.findIndex((f) => f.type === "message" && f.message.seq === seq);
  return sock.frames.slice(at).map((f) => f.type);
};

describe("group room sockets", () => {
  it("a leave: the left line, then the room without the leaver, to everyone else; the leaver's sockets close with 4403", async () => {
    const { owner, members, room } = await group(3);
    const leaver = members[2]!;
    const ownerSock = await roomSocket(room.id, owner);
    const leaverTabs = [await roomSocket(room.id, leaver), await roomSocket(room.id, leaver)];
    expect((await post(`/api/rooms/${room.id}/leave`, leaver)).status).toBe(204);
    for (const tab of leaverTabs) expect((await tab.waitClosed()).code).toBe(SOCKET_LIMITS.closeNotMember);
    const roomFrame = await ownerSock.next((f) => f.type === "room");
    expect(typesFrom(ownerSock, 2)).toEqual(["message", "room"]);
    const line = ownerSock.frames.find((f) => f.type === "message")!.message as SystemMessage;
    expect(line).toMatchObject({ seq: 2, kind: "system", event: { type: "left", actorId: leaver.user.id } });
    expect(roomFrame.room).toMatchObject({ id: room.id, kind: "group", memberCount: 2 });
    expect(roomFrame.room.members.map((m) => m.id)).not.toContain(leaver.user.id);
    for (const tab of leaverTabs) expect(tab.frames.filter((f) => f.type === "message")).toEqual([]);
    ownerSock.close();
  });

  it("a leave: the leaver's other tabs get room_removed, and the room's later changes no longer reach them", async () => {
    const { owner, members, room } = await group(3);
    const leaver = members[1]!;
    const events = await connect("/api/events", leaver.cookie);
    const ownerEvents = await connect("/api/events", owner.cookie);
    await say(room.id, owner, "before");
    await events.next((f) => f.type === "room" && f.room.lastSeq === 2);
    await post(`/api/rooms/${room.id}/leave`, leaver);
    const removed = await events.next((f) => f.type === "room_removed");
    expect(removed).toMatchObject({ type: "room_removed", roomId: room.id, unread: { total: 0 } });
    await say(room.id, owner, "after");
    await ownerEvents.next((f) => f.type === "room" && f.room.lastSeq === 4);
    await quiet(400);
    expect(events.frames.filter((f) => f.type === "room" && f.room.lastSeq > 2)).toEqual([]);
    events.close();
    ownerEvents.close();
  });

  it("an invitation: the invited line, then the room with every member, to the room; the invited user's events socket gets the room", async () => {
    const { owner, members, room } = await group(2);
    const [d] = await seedUsers(1);
    await befriendAll(owner, [d!]);
    const memberSock = await roomSocket(room.id, members[1]!);
    const invitedEvents = await connect("/api/events", d!.cookie);
    await post(`/api/rooms/${room.id}/members`, owner, { userIds: [d!.user.id] });
    const roomFrame = await memberSock.next((f) => f.type === "room");
    expect(typesFrom(memberSock, 2)).toEqual(["message", "room"]);
    expect(roomFrame.room.members.map((m) => m.id).sort()).toEqual([owner.user.id, members[1]!.user.id, d!.user.id].sort());
    expect(roomFrame.room.members.find((m) => m.id === d!.user.id)).toMatchObject({ joinedSeq: 2, lastReadSeq: 2 });
    const invited = await invitedEvents.next((f) => f.type === "room" && f.room.id === room.id);
    expect(invited).toMatchObject({ room: { kind: "group", memberCount: 3, unreadCount: 0 } });
    // From now on the room's changes reach the newcomer's chat list too.
    await say(room.id, owner, "welcome");
    await invitedEvents.next((f) => f.type === "room" && f.room.lastSeq === 3 && f.room.unreadCount === 1);
    memberSock.close();
    invitedEvents.close();
  });

  it("a rename: the renamed line, then the room with its title", async () => {
    const { owner, members, room } = await group(2);
    const sock = await roomSocket(room.id, members[1]!);
    await call(`/api/rooms/${room.id}`, { method: "PATCH", cookie: owner.cookie, json: { title: "새 이름" } });
    const roomFrame = await sock.next((f) => f.type === "room");
    expect(typesFrom(sock, 2)).toEqual(["message", "room"]);
    expect(roomFrame.room.title).toBe("새 이름");
    sock.close();
  });

  it("hello tells a group's kind, title and every member with their joinedSeq", async () => {
    const { owner, members, room } = await group(3, "셋");
    const sock = await connect(`/api/rooms/${room.id}/ws`, owner.cookie);
    const hello = await sock.next((f) => f.type === "hello");
    expect(hello).toMatchObject({ kind: "group", title: "셋", lastSeq: 1 });
    expect(hello.members.map((m) => m.id).sort()).toEqual(members.map((m) => m.user.id).sort());
    sock.close();
  });

  it("members' hubs take the room from the room's own read, not one read each, and drop a view older than one they sent", async () => {
    const { owner, room } = await group(3);
    const events = await connect("/api/events", owner.cookie);
    const hub = userHub(env, owner.user.id);
    // A view no D1 row matches: the frame can only have come from what the room handed over.
    const handed = { ...room, kind: "group" as const, title: "handed over by the room", unreadCount: 7, version: room.version + 1_000 };
    await hub.roomChanged(room.id, handed);
    const frame = await events.next((f) => f.type === "room" && f.room.title === handed.title);
    expect(frame).toMatchObject({ unread: { total: 7, version: handed.version } });
    await hub.roomChanged(room.id, { ...room, kind: "group", title: "older" });
    // A real change whose view still has a lower version than the handed one: dropped too.
    await say(room.id, owner, "below the handed version");
    await quiet(400);
    // (Frames before the handed one are the room's row pushed when the socket opened.)
    expect(events.frames.slice(events.frames.indexOf(frame) + 1).filter((f) => f.type === "room")).toEqual([]);
    events.close();
  });
});

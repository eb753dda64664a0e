import { describe, expect, it } from "vitest";
import type { Message, Room } from "../../../worker/contract";
import { alertFor } from "./message-alert";

const people = [
  { id: "me", username: "me", displayName: "나", lastReadSeq: 0, joinedSeq: 0 },
  { id: "minji", username: "minji", displayName: "민지", lastReadSeq: 0, joinedSeq: 0 },
  { id: "jun", username: "jun", displayName: "준", lastReadSeq: 0, joinedSeq: 0 },
];

const text = (seq: number, senderId = "minji"): Message => ({ id: `m${seq}`, roomId: "r", seq, senderId, body: "7시 어때?", sentAt: "2026-12-04T10:00:00.000Z", clientId: `c${seq}`, kind: "text" });

const direct = (seq: number, over: Partial<Room> = {}): Room =>
  ({ id: "r", kind: "direct", title: null, members: people.slice(0, 2), memberCount: 2, lastMessage: text(seq), lastSeq: seq, unreadCount: 1, version: seq, ...over }) as Room;

const group = (seq: number, title: string | null): Room => ({ ...direct(seq), kind: "group", title, members: people, memberCount: 3 });

describe("alertFor", () => {
  it("alerts of a newer text message from someone else, titled by the sender in a 1:1 room, in the same shape as a push", () => {
    expect(alertFor(direct(5), direct(4), "me", true)).toEqual({ roomId: "r", title: "민지", body: "7시 어때?", url: "/rooms/r", tag: "r", seq: 5 });
  });

  it("titles a group by its name or its other members, with the sender before the preview", () => {
    expect(alertFor(group(5, "저녁팟"), group(4, "저녁팟"), "me", true)).toMatchObject({ title: "저녁팟", body: "민지: 7시 어때?" });
    expect(alertFor(group(5, null), group(4, null), "me", true)).toMatchObject({ title: "민지, 준", body: "민지: 7시 어때?" });
  });

  it("does not alert of my own message, a system line, a read room, a view no newer than known, or a muted room", () => {
    expect(alertFor(direct(5, { lastMessage: text(5, "me") }), direct(4), "me", true)).toBeNull();
    expect(alertFor(direct(5, { lastMessage: { ...text(5), kind: "system", event: { type: "left", actorId: "minji" } } }), direct(4), "me", true)).toBeNull();
    expect(alertFor(direct(5, { unreadCount: 0 }), direct(4), "me", true)).toBeNull();
    expect(alertFor(direct(5), direct(5), "me", true)).toBeNull();
    const muted: Room = { ...direct(5), muted: true };
    expect(alertFor(muted, direct(4), "me", true)).toBeNull();
  });

  it("alerts of a room the tab did not know only once the chat list is loaded (the first read of the list is no news)", () => {
    expect(alertFor(direct(5), undefined, "me", false)).toBeNull();
    expect(alertFor(direct(5), undefined, "me", true)).toMatchObject({ seq: 5 });
  });
});

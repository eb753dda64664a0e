import { UserHub } from "../../durable-objects/user-hub";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { PushPayload } from "../../worker/contract";
import { PUSH_TTL_SECONDS, pushTopic } from "../../worker/lib/push-sender";
import { call, group, pair, roomSocket, type Session } from "./harness";
import { decrypt, endpointsOf, type FakeDevice, type PushRequest, stubPushService, subscribed } from "./push-helpers";
import { pushesSettled } from "./room-log-helpers";

/**
 * From a stored message to the members' devices: the room tells the hubs of members with no socket
 * open in it (coalesced), and each hub decides (durable-objects/push-notifier.ts, hub-push.ts).
 */

afterEach(() => vi.restoreAllMocks());

const send = async (s: Session, roomId: string, body: string) => {
  const res = await call(`/api/rooms/${roomId}/messages`, { method: "POST", cookie: s.cookie, json: { clientId: crypto.randomUUID(), body } });
  expect(res.status, await res.clone().text()).toBe(201);
};

/** What `device` was sent, decrypted, in the order it was sent. */
const shownOn = (requests: PushRequest[], device: FakeDevice): Promise<PushPayload[]> =>
  Promise.all(requests.filter((r) => r.url === device.endpoint).map(async (r) => JSON.parse(await decrypt(device, r.body)) as PushPayload));

const setMuted = async (roomId: string, s: Session) =>
  expect((await call(`/api/rooms/${roomId}/settings`, { method: "PUT", cookie: s.cookie, json: { muted: true } })).status).toBe(200);

/** The calls rooms make to `s`'s hub about new messages, so far (the test and the hubs share the isolate). */
const messageArrivedCalls = (s: Session) => {
  const spy = vi.spyOn(UserHub.prototype, "messageArrived");
  return () => spy.mock.contexts.filter((hub) => (hub as unknown as { userId: string }).userId === s.user.id).length;
};

const block = async (s: Session, blocked: Session) =>
  expect((await call("/api/blocks", { method: "POST", cookie: s.cookie, json: { userId: blocked.user.id } })).status).toBe(200);

describe("a new message becomes a push", () => {
  it("to a subscribed member with no socket in the room: the sender's name, the preview, the room's url, tag and Topic, a day's TTL; never to the sender", async () => {
    const { a, b, room } = await pair();
    const aDevice = await subscribed(a);
    const bDevice = await subscribed(b);
    const requests = stubPushService();

    await send(a, room.id, "내일 몇 시에 볼까?");
    await pushesSettled(room.id);

    expect(await shownOn(requests, bDevice)).toEqual([
      { roomId: room.id, title: a.user.displayName, body: "내일 몇 시에 볼까?", url: `/rooms/${room.id}`, tag: room.id, seq: 1 },
    ]);
    const [req] = requests.filter((r) => r.url === bDevice.endpoint);
    expect(req!.headers.get("Topic")).toBe(await pushTopic(room.id));
    expect(req!.headers.get("TTL")).toBe(String(PUSH_TTL_SECONDS));
    expect(await shownOn(requests, aDevice)).toEqual([]);
  });

  it("in a group: the group's name (or the other members' names) as the title, the sender before the preview", async () => {
    const named = await group(3, "저녁팟");
    const [owner, m1] = named.members as [Session, Session];
    const m1Device = await subscribed(m1);
    const unnamed = await group(2);
    const [owner2, n1] = unnamed.members as [Session, Session];
    const n1Device = await subscribed(n1);
    const requests = stubPushService();

    await send(owner, named.room.id, "7시 어때?");
    await send(owner2, unnamed.room.id, "안녕");
    await Promise.all([pushesSettled(named.room.id), pushesSettled(unnamed.room.id)]);

    expect((await shownOn(requests, m1Device)).map((p) => [p.title, p.body])).toEqual([["저녁팟", `${owner.user.displayName}: 7시 어때?`]]);
    expect((await shownOn(requests, n1Device)).map((p) => [p.title, p.body])).toEqual([[owner2.user.displayName, `${owner2.user.displayName}: 안녕`]]);
  });

  it("not to a member with a socket open in that room (they see it there), while the others get theirs", async () => {
    const { room, members } = await group(3);
    const [owner, watching, away] = members as [Session, Session, Session];
    const watchingDevice = await subscribed(watching);
    const awayDevice = await subscribed(away);
    const sock = await roomSocket(room.id, watching);
    const requests = stubPushService();

    await send(owner, room.id, "보고 있지?");
    await pushesSettled(room.id);

    expect(await shownOn(requests, watchingDevice)).toEqual([]);
    expect(await shownOn(requests, awayDevice)).toHaveLength(1);
    sock.close();
  });

  it("not to a member who muted the room (room_members.muted), while the others get theirs", async () => {
    const { room, members } = await group(3);
    const [owner, muting, other] = members as [Session, Session, Session];
    const mutedDevice = await subscribed(muting);
    const otherDevice = await subscribed(other);
    await setMuted(room.id, muting);
    const requests = stubPushService();

    await send(owner, room.id, "조용히 해도 돼");
    await pushesSettled(room.id);

    expect(await shownOn(requests, mutedDevice)).toEqual([]);
    expect(await shownOn(requests, otherDevice)).toHaveLength(1);
  });

  it("not from a sender the member blocked, while the same member still hears from others", async () => {
    const { room, members } = await group(3);
    const [blocked, blocker, other] = members as [Session, Session, Session];
    const blockerDevice = await subscribed(blocker);
    const otherDevice = await subscribed(other);
    await block(blocker, blocked);
    const requests = stubPushService();

    await send(blocked, room.id, "나야");
    await pushesSettled(room.id);
    expect(await shownOn(requests, blockerDevice)).toEqual([]);
    expect(await shownOn(requests, otherDevice)).toHaveLength(1);

    await send(other, room.id, "나는 괜찮지?");
    await pushesSettled(room.id);
    expect((await shownOn(requests, blockerDevice)).map((p) => p.body)).toEqual([`${other.user.displayName}: 나는 괜찮지?`]);
  });

  it("a blocked sender's message in the same window does not hide another's from the blocker", async () => {
    const { room, members } = await group(3);
    const [blocked, blocker, other] = members as [Session, Session, Session];
    const blockerDevice = await subscribed(blocker);
    await block(blocker, blocked);
    const requests = stubPushService();
    // The first opens a window; the next two fall inside it, the blocked one last.
    await send(other, room.id, "하나");
    await send(other, room.id, "둘");
    await send(blocked, room.id, "셋");
    await pushesSettled(room.id);
    expect((await shownOn(requests, blockerDevice)).map((p) => p.body)).toEqual([`${other.user.displayName}: 하나`, `${other.user.displayName}: 둘`]);
  });

  it("stops telling the hub of a member without a subscribed device for a while: their hub is woken once, not per window", async () => {
    const { a, b, room } = await pair();
    const calls = messageArrivedCalls(b);
    await send(a, room.id, "아무도 없니?");
    await pushesSettled(room.id);
    expect(calls()).toBe(1);
    await send(a, room.id, "정말?");
    await pushesSettled(room.id);
    expect(calls()).toBe(1);
  });

  it("a burst of 20 messages makes at most a few pushes per member, the last carrying the latest message", async () => {
    const { a, b, room } = await pair();
    const bDevice = await subscribed(b);
    const requests = stubPushService();

    for (let i = 1; i <= 20; i++) await send(a, room.id, `메시지 ${i}`);
    // The window's own timer sends the last one: waited for, not drained.
    await vi.waitFor(async () => expect((await shownOn(requests, bDevice)).at(-1)?.body).toBe("메시지 20"), { timeout: 10_000, interval: 50 });
    await pushesSettled(room.id);

    const shown = await shownOn(requests, bDevice);
    expect(shown[0]!.body).toBe("메시지 1");
    expect(shown.length).toBeLessThanOrEqual(3);
    expect(shown.at(-1)).toMatchObject({ body: "메시지 20", seq: 20 });
  });

  it("removes a device the push service calls gone (410) on the way", async () => {
    const { a, b, room } = await pair();
    await subscribed(b);
    const requests = stubPushService(() => 410);
    vi.spyOn(console, "error").mockImplementation(() => {});

    await send(a, room.id, "거기 있어?");
    await pushesSettled(room.id);

    expect(requests).toHaveLength(1);
    expect(await endpointsOf(b)).toEqual([]);
  });
});

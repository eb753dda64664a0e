/**
 * The room object's own log (durable-objects/room-log) as tests see it: what it holds, making D1
 * catch up with it, and making it forget, so its next wake imports from D1 as a room from before
 * the log would.
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { D1WriteBehind } from "../../durable-objects/d1-write-behind";
import type { PushNotifier } from "../../durable-objects/push-notifier";
import type { LogMessage, RoomLog } from "../../durable-objects/room-log/room-log";

/** The room's Durable Object, addressed the way the Worker addresses it. */
export const roomStub = (roomId: string) => env.CHAT_ROOM.getByName(roomId);

/** The room object's parts, read through a cast (they are private). */
interface RoomParts {
  log: RoomLog;
  writeBehind: D1WriteBehind;
  pushes: PushNotifier;
}
export const inRoom = <T>(roomId: string, use: (parts: RoomParts, state: DurableObjectState) => T | Promise<T>) =>
  runInDurableObject(roomStub(roomId), (instance: object, state: DurableObjectState) => use(instance as unknown as RoomParts, state));

/** The room's log as its object holds it, ascending by seq. */
export const roomLog = (roomId: string): Promise<LogMessage[]> =>
  inRoom(roomId, ({ log }) => (log.ready ? log.messagesAfter(0) : []));

/** Until D1 holds everything the room's log does (the write-behind, sent now instead of after its window). */
export const d1CaughtUp = (roomId: string) => inRoom(roomId, ({ writeBehind }) => writeBehind.drain());

/** Until every member's hub has decided on the room's messages so far (pushes sent, or not): "no push" is final then. */
export const pushesSettled = (roomId: string) => inRoom(roomId, ({ pushes }) => pushes.drain());

/**
 * Until D1 holds the logs of every room the user is a member of (D1 is the authority on membership):
 * for reading what the chat list (D1) answers once the write-behind caught up.
 */
export const d1CaughtUpFor = async (userId: string) => {
  const { results } = await env.DB.prepare("SELECT room_id FROM room_members WHERE user_id = ?").bind(userId).all<{ room_id: string }>();
  await Promise.all(results.map((r) => d1CaughtUp(r.room_id)));
};

/**
 * The object forgets its log (its storage goes, and its instance): the next wake imports the room
 * from D1, as a room created before the log does. For D1 seeded straight, like an old database.
 */
export const forgetRoomLog = async (roomId: string) => {
  await inRoom(roomId, (_, state) => state.storage.deleteAll());
  await evictDurableObject(roomStub(roomId), { webSockets: "close" });
};

/**
 * The room's next commit to its log fails (as a full or failing disk would): its sends are answered
 * `store_failed`. The answer counts the sends in that commit, once it happened (the test and the
 * object share the isolate).
 */
export const failNextCommit = async (roomId: string) => {
  const failed = { drafts: 0 };
  await inRoom(roomId, ({ log }) => {
    const commit = log.commitDrafts.bind(log);
    log.commitDrafts = (drafts) => {
      log.commitDrafts = commit;
      failed.drafts = drafts.length;
      throw new Error("injected: the log's transaction failed");
    };
  });
  return failed;
};

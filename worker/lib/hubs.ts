import type { RoomWriteSink } from "../../durable-objects/d1-writer";

/** The per-user hub that pushes chat-list and friend events to that user's open tabs. */
export const userHub = (env: Env, userId: string) => env.USER_HUB.getByName(userId);

/** The object that owns one room's sockets and writes; it knows its room by its own name. */
export const chatRoom = (env: Env, roomId: string) => env.CHAT_ROOM.getByName(roomId);

/**
 * The D1 writer a room's write-behind goes through: one of `D1_WRITERS`, by the room's id, so the
 * writers share the rooms (a room has one write in flight at a time, so its writes stay in order
 * even when `D1_WRITERS` changes). A stub that saw an exception fails every later call: it is
 * replaced then.
 */
export const d1Writer = (env: Env, roomId: string): RoomWriteSink => {
  let hash = 0;
  for (let i = 0; i < roomId.length; i++) hash = (hash * 31 + roomId.charCodeAt(i)) >>> 0;
  const name = `writer-${hash % Math.max(1, Number(env.D1_WRITERS) || 1)}`;
  let stub: ReturnType<typeof env.D1_WRITER.getByName> | undefined;
  return {
    write: async (write) => {
      stub ??= env.D1_WRITER.getByName(name);
      try {
        return await stub.write(write);
      } catch (err) {
        stub = undefined;
        throw err;
      }
    },
  };
};

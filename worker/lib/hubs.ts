/** The per-user hub that pushes chat-list and friend events to that user's open tabs. */
export const userHub = (env: Env, userId: string) => env.USER_HUB.getByName(userId);

/** The object that owns one room's sockets and writes; it knows its room by its own name. */
export const chatRoom = (env: Env, roomId: string) => env.CHAT_ROOM.getByName(roomId);

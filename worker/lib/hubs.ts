/** The per-user hub that pushes chat-list and friend events to that user's open tabs. */
export const userHub = (env: Env, userId: string) => env.USER_HUB.get(env.USER_HUB.idFromName(userId));

/** The object that owns one room's sockets and writes. */
export const chatRoom = (env: Env, roomId: string) => env.CHAT_ROOM.get(env.CHAT_ROOM.idFromName(roomId));

/**
 * The number beside a message (KakaoTalk's `1`, `2`, …), shared by the server's tests and the web app:
 * current members other than its sender who were in the room when it was sent (`joinedSeq <= seq`)
 * and have not read it (`lastReadSeq < seq`). System messages show none. A member who left is not in
 * `members`, so they stop counting.
 */
import type { Member, Message } from "./types";

export type UnreadMember = Pick<Member, "id" | "lastReadSeq" | "joinedSeq">;

export const unreadCountOf = (message: Pick<Message, "kind" | "seq" | "senderId">, members: readonly UnreadMember[]): number => {
  if (message.kind === "system") return 0;
  let n = 0;
  for (const m of members) if (m.id !== message.senderId && m.joinedSeq <= message.seq && m.lastReadSeq < message.seq) n++;
  return n;
};

import type { Message } from "../worker/contract";
import type { MemberAllowances } from "./member-allowances";
import type { RoomLog } from "./room-log/room-log";
import { sendFrame, sendText } from "./socket-io";
import type { Allowance } from "./token-bucket";

/** Messages read from the log at a time. */
const SYNC_PAGE = 100;

/**
 * What one member's syncs may return from a room, in bytes, across their sockets: a reconnect's
 * catch-up is a few kilobytes and a whole long history fits in the burst, but asking for the whole
 * history over and over (3,000 messages of 2,000 characters, 55 times from one socket: 371 MB)
 * cannot make the server send more than the refill.
 */
export const SYNC_BYTES: Allowance = { burst: 1024 * 1024, perSecond: 64 * 1024 };

const utf8 = new TextEncoder();

/**
 * Answers a `sync`: the messages above `after`, in pages, as far as the member's sync budget goes,
 * then `synced`. Charged by what it returns, not per frame; once the budget runs out the answer
 * stops with `more: true` and the client asks again later, so the pace of a long catch-up is the
 * budget's refill, and a socket that never reads cannot make the server buffer faster than that.
 */
export const answerSync = (
  ws: WebSocket,
  log: RoomLog,
  budget: MemberAllowances,
  member: { userId: string; joinedSeq: number },
  after: number,
  /** The message as this member may see it (a blocked sender's: a placeholder). */
  shape: (message: Message) => Message = (m) => m,
): void => {
  const { userId } = member;
  let cursor = after;
  for (;;) {
    let left = budget.tokens(userId, Date.now());
    if (left <= 0) return sendFrame(ws, { type: "synced", lastSeq: cursor, more: true });
    const page = log.page({ after: cursor, limit: SYNC_PAGE }, member.joinedSeq);
    let sent = 0;
    for (const stored of page.messages) {
      if (left <= 0) break;
      const message = shape(stored);
      const text = JSON.stringify({ type: "message", message } satisfies { type: "message"; message: Message });
      const bytes = utf8.encode(text).length;
      sendText(ws, text);
      budget.spend(userId, bytes, Date.now());
      left -= bytes;
      sent += 1;
      cursor = message.seq;
    }
    if (sent < page.messages.length) return sendFrame(ws, { type: "synced", lastSeq: cursor, more: true });
    if (!page.hasMore) return sendFrame(ws, { type: "synced", lastSeq: cursor });
  }
};

import { type SQLWrapper, and, count, eq, gt, gte, lte, ne, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import type { Db } from "./client";
import { blocks, messages, roomMembers } from "./schema";

/**
 * What a block hides in the D1 reads of the chat list (docs/api.md, "Blocks"), the same as the room
 * object hides (durable-objects/room-blocks.ts): a text message whose sender the reader blocks and
 * that was sent at or after the block's `created_at`; and a 1:1 room with someone the reader blocks.
 */

/**
 * Where a member's unread count starts: their cursor, or just before their `joinedSeq` when that is
 * later (a 1:1 room's blocker after the unblock reads from there on; their cursor is not moved, so
 * the blocked is not told their messages were read). For everyone else the cursor is never below it.
 */
export const unreadFrom = (member: { lastReadSeq: SQLWrapper; joinedSeq: SQLWrapper }) => sql<number>`max(${member.lastReadSeq}, ${member.joinedSeq} - 1)`;

const hiddenMessage = alias(messages, "hidden_message");
const hidingBlock = alias(blocks, "hiding_block");

const anyBlock = alias(blocks, "any_block");

/**
 * How many text messages above the reader's cursor come from someone they block, sent while the
 * block stands. Only counted for a reader who blocks anyone (one primary-key probe for the rest):
 * the count walks the messages above the cursor.
 */
export const hiddenAbove = (db: Db, roomId: SQLWrapper, readerId: SQLWrapper, cursor: SQLWrapper) =>
  sql<number>`case when exists ${db.select({ one: sql`1` }).from(anyBlock).where(eq(anyBlock.userId, readerId))} then (${db
    .select({ n: count() })
    .from(hiddenMessage)
    .innerJoin(hidingBlock, and(eq(hidingBlock.userId, readerId), eq(hidingBlock.blockedId, hiddenMessage.senderId)))
    .where(and(eq(hiddenMessage.roomId, roomId), eq(hiddenMessage.kind, "text"), gt(hiddenMessage.seq, cursor), gte(hiddenMessage.sentAt, hidingBlock.createdAt)))}) else 0 end`;

const lastBlock = alias(blocks, "last_block");

/** Whether a message (the room's last) is hidden from the reader. */
export const hiddenFrom = (db: Db, readerId: SQLWrapper, sender: SQLWrapper, sentAt: SQLWrapper, kind: SQLWrapper) =>
  sql<number>`(${kind} = 'text' and exists ${db
    .select({ one: sql`1` })
    .from(lastBlock)
    .where(and(eq(lastBlock.userId, readerId), eq(lastBlock.blockedId, sender), lte(lastBlock.createdAt, sentAt)))})`;

const blockedMember = alias(roomMembers, "blocked_member");
const directBlock = alias(blocks, "direct_block");

/** A 1:1 room whose other member the reader blocks: not in their list, nothing in it unread. */
export const blockedDirect = (db: Db, roomId: SQLWrapper, kind: SQLWrapper, readerId: SQLWrapper) =>
  sql<boolean>`(${kind} = 'direct' and exists ${db
    .select({ one: sql`1` })
    .from(blockedMember)
    .innerJoin(directBlock, and(eq(directBlock.userId, readerId), eq(directBlock.blockedId, blockedMember.userId)))
    .where(and(eq(blockedMember.roomId, roomId), ne(blockedMember.userId, readerId)))})`;

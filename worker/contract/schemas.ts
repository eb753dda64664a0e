import * as v from "valibot";
import { LIMITS, codePoints } from "./limits";
import { hasForbiddenNameCharacter, hasVisibleText } from "./visible-text";

/** In unicode mode this class matches only unpaired surrogates, which UTF-8 storage would silently replace. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** A string that survives storage byte for byte: no lone surrogates. */
const text = () => v.pipe(v.string("must be a string"), v.check((s) => !LONE_SURROGATE.test(s), "must be valid Unicode text"));

const usernameRule = v.regex<string, string>(LIMITS.usernamePattern, "3-20 characters of a-z, 0-9, _ and .");
const username = v.pipe(text(), v.trim(), v.toLowerCase(), usernameRule);
/** An ID as the app shows it (`@jhpark`) or bare: the one leading `@` is not part of it. */
const usernameOrHandle = v.pipe(
  text(),
  v.trim(),
  v.transform((s) => s.replace(/^@/, "")),
  v.toLowerCase(),
  usernameRule,
);

const displayName = v.pipe(
  text(),
  v.trim(),
  v.check((s) => codePoints(s) >= 1 && codePoints(s) <= LIMITS.displayNameMax, `1-${LIMITS.displayNameMax} characters`),
  v.check((s) => !hasForbiddenNameCharacter(s), "must not contain control, bidi or invisible characters"),
  v.check(hasVisibleText, "must contain a visible character"),
);

const password = v.pipe(
  text(),
  v.check(
    (s) => codePoints(s) >= LIMITS.passwordMin && codePoints(s) <= LIMITS.passwordMax,
    `${LIMITS.passwordMin}-${LIMITS.passwordMax} characters`,
  ),
);

export const RegisterBody = v.object({ username, password, displayName: v.optional(displayName) });
export const LoginBody = v.object({
  username: v.pipe(text(), v.trim(), v.toLowerCase(), v.maxLength(64, "too long")),
  password: v.pipe(text(), v.maxLength(1024, "too long")),
});
export const UpdateMeBody = v.object({ displayName });
export const AddFriendBody = v.object({ username: usernameOrHandle });
const userId = v.pipe(v.string("must be a string"), v.minLength(1, "must not be empty"), v.maxLength(64, "too long"));
export const DirectRoomBody = v.object({ userId });
/** `POST /api/blocks`. */
export const BlockBody = v.object({ userId });
/** `DELETE /api/blocks/:userId`. */
export const BlockParam = v.object({ userId });

/** 1–499 distinct user ids: the friends a group is created with or who are invited to it. */
const userIdList = v.pipe(
  v.array(userId, "must be a list of user ids"),
  v.minLength(1, "must name at least one friend"),
  v.maxLength(LIMITS.groupInviteMax, `at most ${LIMITS.groupInviteMax} friends`),
  v.check((ids) => new Set(ids).size === ids.length, "must not name anyone twice"),
);

/** A group's name: the display-name rules, up to 50 characters; "" or null clears it (null after parsing). */
const groupTitle = v.pipe(
  v.nullable(text()),
  v.transform((s) => s?.trim() || null),
  v.check((s) => s === null || codePoints(s) <= LIMITS.groupTitleMax, `at most ${LIMITS.groupTitleMax} characters`),
  v.check((s) => s === null || !hasForbiddenNameCharacter(s), "must not contain control, bidi or invisible characters"),
  v.check((s) => s === null || hasVisibleText(s), "must contain a visible character"),
);

/** `POST /api/rooms/group`. The caller is not in `memberIds` (the route refuses it with 400 `invalid`). */
export const CreateGroupBody = v.object({ memberIds: userIdList, title: v.optional(groupTitle, null) });
/** `POST /api/rooms/:id/members`. */
export const InviteBody = v.object({ userIds: userIdList });
/** `PATCH /api/rooms/:id`. */
export const RenameBody = v.object({ title: groupTitle });

/** `PUT /api/rooms/:id/settings`: the caller's own flags for the room; at least one. */
export const RoomSettingsBody = v.pipe(
  v.strictObject({ muted: v.optional(v.boolean("must be true or false")), pinned: v.optional(v.boolean("must be true or false")) }),
  v.check((b) => b.muted !== undefined || b.pinned !== undefined, "give muted, pinned or both"),
);
export type RoomSettingsBody = v.InferOutput<typeof RoomSettingsBody>;

/** `PUT /api/friends/:id`: 즐겨찾기 on or off. */
export const FriendSettingsBody = v.strictObject({ favorite: v.boolean("must be true or false") });

const seq = v.pipe(v.number("must be a number"), v.safeInteger("must be a whole number"), v.minValue(0, "must be 0 or more"));
const seqParam = v.pipe(
  v.string(),
  v.regex(/^\d{1,15}$/, "must be a whole number, 0 or more"),
  v.transform(Number),
);

export const ReadBody = v.object({ seq });

const pageLimit = v.pipe(seqParam, v.minValue(1, "must be 1-100"), v.maxValue(LIMITS.pageMax, "must be 1-100"));

export const MessagesQuery = v.pipe(
  v.object({
    before: v.optional(seqParam),
    after: v.optional(seqParam),
    limit: v.optional(pageLimit, String(LIMITS.pageDefault)),
  }),
  v.check((q) => q.before === undefined || q.after === undefined, "use either before or after, not both"),
);

const messageBody = v.pipe(
  text(),
  v.check((s) => codePoints(s) <= LIMITS.bodyMax, `at most ${LIMITS.bodyMax} characters`),
  v.check((s) => s.trim().length > 0, "must not be empty"),
  v.check(hasVisibleText, "must contain a visible character"),
);

const clientId = v.pipe(text(), v.minLength(1, "must not be empty"), v.maxLength(LIMITS.clientIdMax, "too long"));

/**
 * A message to store. `after` is the clientId of the message its sender wrote just before it, while
 * that one may not be stored yet: the server stores this one only after it (sender order).
 */
const sendFields = { clientId, body: messageBody, after: v.optional(clientId) };

/** `POST /api/rooms/:id/messages`: a send without a socket (pending messages of rooms not open). */
export const SendBody = v.object(sendFields);

/** Client → room socket frames. */
export const ClientFrame = v.variant(
  "type",
  [
    v.object({ type: v.literal("send"), ...sendFields }),
    v.object({ type: v.literal("read"), seq }),
    v.object({ type: v.literal("sync"), after: seq }),
  ],
  "unknown frame type",
);
export type ClientFrame = v.InferOutput<typeof ClientFrame>;

/** Turns valibot issues into the contract's `fields` map: one reason per field. */
export const issueFields = (issues: readonly v.BaseIssue<unknown>[]): Record<string, string> => {
  const fields: Record<string, string> = {};
  for (const issue of issues) {
    const key = v.getDotPath(issue) ?? "_";
    fields[key] ??= issue.message;
  }
  return fields;
};

/** One line naming every refused field, for error messages. */
export const summarizeFields = (fields: Record<string, string>): string =>
  Object.entries(fields)
    .map(([field, why]) => `${field}: ${why}`)
    .join("; ");

/**
 * Where a chat-list page ends (the list's sort key): the last room's pin time when it is pinned
 * (pinned rooms come first, newest pin first), else its activity time; then its id.
 */
export interface RoomCursor {
  pinnedAt: number | null;
  updatedAt: number;
  id: string;
}

export const encodeRoomCursor = (c: RoomCursor): string => (c.pinnedAt === null ? `${c.updatedAt}.${c.id}` : `p${c.pinnedAt}.${c.id}`);

const roomCursor = v.pipe(
  v.string(),
  v.regex(/^p?\d{1,15}\.[A-Za-z0-9-]{1,64}$/, "must be a nextCursor from an earlier answer"),
  v.transform((s): RoomCursor => {
    const dot = s.indexOf(".");
    const pinned = s.startsWith("p");
    const at = Number(s.slice(pinned ? 1 : 0, dot));
    return { pinnedAt: pinned ? at : null, updatedAt: pinned ? 0 : at, id: s.slice(dot + 1) };
  }),
);

/** Without `limit` the whole list (the original contract); with it, pages of the list. */
export const RoomsQuery = v.pipe(
  v.object({ limit: v.optional(pageLimit), before: v.optional(roomCursor) }),
  v.forward(
    v.partialCheck([["limit"], ["before"]], (q) => q.before === undefined || q.limit !== undefined, "needs a limit (pages are asked for with both)"),
    ["before"],
  ),
);

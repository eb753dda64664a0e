import { codePoints, LIMITS } from "../../../worker/contract/limits";
import { isCleanName } from "../../../worker/contract/visible-text";
import { HttpError } from "../api/client";
import type { MessageKey } from "../i18n";
import "../styles/pickers.css";

const keys: Partial<Record<string, MessageKey>> = {
  not_friends: "notFriends",
  already_member: "alreadyMember",
  room_full: "roomFull",
  rate_limited: "errorRateLimited",
  network: "errorNetwork",
};

/** What to tell the user when creating, inviting, renaming or leaving fails; `fallback` for the rest. */
export const groupErrorKey = (err: unknown, fallback: MessageKey): MessageKey => (err instanceof HttpError && keys[err.code]) || fallback;

/** A group's name as the server takes it: up to 50 visible characters; "" means none. */
export const titleProblem = (title: string): MessageKey | null =>
  title === "" || (codePoints(title) <= LIMITS.groupTitleMax && isCleanName(title)) ? null : "titleInvalid";

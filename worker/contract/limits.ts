/** Limits from docs/api.md, shared by the Worker's validation and the web app's forms. */
export const LIMITS = {
  usernamePattern: /^[a-z0-9_.]{3,20}$/,
  displayNameMax: 30,
  passwordMin: 8,
  passwordMax: 128,
  clientIdMax: 64,
  bodyMax: 10_000,
  frameBytesMax: 64 * 1024,
  pageDefault: 50,
  pageMax: 100,
  /** Rooms per chat-list page the web app asks for: a few screens' worth. */
  chatListPage: 50,
  /** Members of a group room, the creator included. */
  groupMembersMax: 500,
  /** Friends named by one create or invite (a group's other members at most). */
  groupInviteMax: 499,
  /** A group's title, in characters. */
  groupTitleMax: 50,
  /** Members besides the caller in a chat-list row: enough for a name line and a four-avatar collage. */
  chatListOthers: 4,
  /** Web Push subscriptions (devices) per user; a new one past this drops the oldest. */
  pushSubscriptionsMax: 10,
  /** A push subscription's endpoint URL, in characters (real ones are a few hundred). */
  pushEndpointMax: 1024,
} as const;

/** Counts Unicode code points, the unit the contract uses for "characters". */
export const codePoints = (text: string): number => {
  let n = 0;
  for (const _ of text) n++;
  return n;
};

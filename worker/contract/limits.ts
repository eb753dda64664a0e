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
} as const;

/** Counts Unicode code points, the unit the contract uses for "characters". */
export const codePoints = (text: string): number => {
  let n = 0;
  for (const _ of text) n++;
  return n;
};

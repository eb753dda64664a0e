import { HOUR, QUARTER, type Window } from "./rate-limit";

/**
 * The failure counters one login attempt spends (counted before the password is checked, given
 * back when it is right). No counter is shared by everyone who tries a username, so nobody can
 * lock its owner out:
 * - per client: the username from one address, or from one browser that logged in to it before
 *   (its device cookie), so a guesser sharing the owner's address cannot lock that browser;
 * - per username, only for clients without its device cookie: caps guessing from many addresses,
 *   and at worst keeps a new browser waiting while the owner's known browsers still get in.
 */
export const loginFailureWindows = (env: Env, username: string, ip: string, device: string | null): Window[] => {
  const perClient = Number(env.LOGIN_FAILURES_PER_CLIENT);
  if (device) return [{ key: `login:device:${device}`, limit: perClient, ms: QUARTER }];
  return [
    // JSON, so no username (free text at login) and address (IPv6 has colons) can spell another pair.
    { key: `login:pair:${JSON.stringify([username, ip])}`, limit: perClient, ms: QUARTER },
    { key: `login:user:${username}`, limit: Number(env.LOGIN_FAILURES_PER_USERNAME_PER_HOUR), ms: HOUR },
  ];
};

/**
 * What an account leaves in this browser's storage, and forgetting it on logout so the next person
 * at a shared computer finds nothing of it. The app's keys start with `talk.`; those that belong to
 * an account name its id as one dot-separated part (the outbox: `talk.outbox.<userId>.<roomId>`).
 * The language choice (`talk.lang`) names no one and belongs to the device, so it stays.
 */
const PREFIX = "talk.";

const isAccountKey = (key: string, userId: string) => key.startsWith(PREFIX) && key.split(".").includes(userId);

export const forgetAccountStorage = (userId: string): void => {
  for (const area of ["localStorage", "sessionStorage"] as const) {
    try {
      const storage = window[area];
      const keys = Array.from({ length: storage.length }, (_, i) => storage.key(i)).filter(
        (key): key is string => key !== null && isAccountKey(key, userId),
      );
      for (const key of keys) storage.removeItem(key);
    } catch {
      // storage blocked: then nothing was kept in it either
    }
  }
};

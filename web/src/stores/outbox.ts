/** Sends not yet acknowledged by the server, kept per user and room in localStorage so a reload resends them. */
export interface OutboxEntry {
  clientId: string;
  body: string;
  /** When the send was first tried (or retried by hand); after ~2 minutes unacked it counts as failed. */
  createdAt: number;
  failed: boolean;
}

const key = (userId: string, roomId: string) => `talk.outbox.${userId}.${roomId}`;

const isEntry = (value: unknown): value is OutboxEntry => {
  const e = value as OutboxEntry;
  return typeof e?.clientId === "string" && typeof e.body === "string" && typeof e.createdAt === "number";
};

export const readOutbox = (userId: string, roomId: string): OutboxEntry[] => {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(key(userId, roomId)) ?? "[]");
    return Array.isArray(parsed) ? parsed.filter(isEntry).map((e) => ({ ...e, failed: e.failed === true })) : [];
  } catch {
    return [];
  }
};

export const writeOutbox = (userId: string, roomId: string, entries: readonly OutboxEntry[]): void => {
  try {
    if (entries.length === 0) localStorage.removeItem(key(userId, roomId));
    else localStorage.setItem(key(userId, roomId), JSON.stringify(entries));
  } catch {
    // storage full or blocked: the outbox still works for this page's lifetime
  }
};

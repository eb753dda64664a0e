import type { Room, UnreadTotal } from "../worker/contract";
import type { Db } from "../worker/db/client";
import { loadUnreadByRoom } from "../worker/db/chat-list";

interface RoomUnread {
  count: number;
  version: number;
}

/**
 * A user's unread total as their hub keeps it: each room's count and version, read once per wake-up
 * (one statement over the user's memberships), then replaced by every newer view a room pushes. So a
 * room's change costs its hub no read of its own. Forgotten whenever rooms may stop telling the hub
 * (no tab open) or a room leaves the list; the next push reads it again.
 */
export class UnreadTally {
  private rooms?: Map<string, RoomUnread>;
  private leftVersion = 0;

  constructor(private readonly db: Db) {}

  forget(): void {
    this.rooms = undefined;
  }

  /** Takes the room's view into the total and answers the total, or undefined when a newer view of that room was already taken. */
  async withRoom(userId: string, room: Room): Promise<UnreadTotal | undefined> {
    if (!this.rooms) {
      const loaded = await loadUnreadByRoom(this.db, userId);
      if (!this.rooms) {
        this.rooms = loaded.rooms;
        this.leftVersion = loaded.leftVersion;
      }
    }
    const known = this.rooms.get(room.id);
    if (known && known.version > room.version) return undefined;
    this.rooms.set(room.id, { count: room.unreadCount, version: room.version });
    let total = 0;
    let version = this.leftVersion;
    for (const r of this.rooms.values()) {
      total += r.count;
      version += r.version;
    }
    return { total, version };
  }
}

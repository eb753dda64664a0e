import { describe, expect, it } from "vitest";
import type { DirectRoom } from "../../../worker/contract";
import { badgeText, newerTotal, readLocally, shownTotal, unconfirmedDrop } from "./unread";

const member = (id: string, lastReadSeq: number) => ({ id, username: id, displayName: id, lastReadSeq, joinedSeq: 0 });

const room = (over: Partial<DirectRoom> = {}): DirectRoom => ({
  id: "r1",
  kind: "direct",
  title: null,
  members: [member("me", 3), member("you", 5)],
  memberCount: 2,
  version: 10,
  muted: false,
  pinnedAt: null,
  lastMessage: null,
  lastSeq: 8,
  unreadCount: 4,
  ...over,
});

describe("shownTotal, newerTotal and badgeText", () => {
  it("shows the server's total less what was read here and not yet confirmed, never below 0", () => {
    expect(shownTotal(null, [])).toBe(0);
    expect(shownTotal({ total: 12, version: 40 }, [])).toBe(12);
    expect(shownTotal({ total: 12, version: 40 }, [3, 4])).toBe(5);
    expect(shownTotal({ total: 2, version: 40 }, [3])).toBe(0);
  });

  it("keeps the total with the higher version, whichever arrives last", () => {
    const older = { total: 5, version: 10 };
    const newer = { total: 3, version: 12 };
    expect(newerTotal(older, null)).toBe(older);
    expect(newerTotal(newer, older)).toBe(newer);
    expect(newerTotal(older, newer)).toBe(newer);
    const same = { total: 5, version: 10 };
    expect(newerTotal(same, older)).toBe(same);
  });

  it("caps the badge at 999+", () => {
    expect(badgeText(1)).toBe("1");
    expect(badgeText(999)).toBe("999");
    expect(badgeText(1000)).toBe("999+");
    expect(badgeText(123456)).toBe("999+");
  });
});

describe("readLocally", () => {
  it("clears the count when reading up to the last message and moves only my cursor", () => {
    const after = readLocally(room(), "me", 8);
    expect(after.unreadCount).toBe(0);
    expect(after.members).toEqual([member("me", 8), member("you", 5)]);
  });

  it("keeps at most what is still above the cursor", () => {
    expect(readLocally(room(), "me", 6).unreadCount).toBe(2);
    expect(readLocally(room({ unreadCount: 1 }), "me", 6).unreadCount).toBe(1);
  });

  it("never moves a cursor back", () => {
    const r = room();
    expect(readLocally(r, "me", 2)).toBe(r);
    expect(readLocally(r, "stranger", 8)).toBe(r);
  });

  it("reading past the last seq counts as the last", () => {
    expect(readLocally(room(), "me", 50).unreadCount).toBe(0);
  });
});

describe("unconfirmedDrop", () => {
  it("is what a read lowers the server's view of the room by", () => {
    expect(unconfirmedDrop(room(), "me", 8)).toBe(4);
    expect(unconfirmedDrop(room(), "me", 6)).toBe(2);
    expect(unconfirmedDrop(room(), "me", 2)).toBe(0);
  });

  it("counts a second read against the server's newest view, not on top of the first read", () => {
    // Read to 5 here (1 of 2 left); then the server's view comes with seq 6 and my cursor still at 4.
    const server = room({ members: [member("me", 4), member("you", 6)], lastSeq: 6, unreadCount: 2 });
    // Reading to 6 lowers the server's count by its 2, not by 1 + 2.
    expect(unconfirmedDrop(server, "me", 6)).toBe(2);
  });
});

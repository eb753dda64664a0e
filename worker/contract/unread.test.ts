import { describe, expect, it } from "vitest";
import { unreadCountOf } from "./unread";

const member = (id: string, lastReadSeq: number, joinedSeq = 0) => ({ id, lastReadSeq, joinedSeq });

describe("unreadCountOf: the number beside a message", () => {
  const members = [member("a", 5), member("b", 3), member("c", 1), member("d", 9, 7)];

  it("counts members other than the sender whose cursor is below the message", () => {
    expect(unreadCountOf({ kind: "text", seq: 4, senderId: "a" }, members)).toBe(2);
    expect(unreadCountOf({ kind: "text", seq: 3, senderId: "a" }, members)).toBe(1);
    expect(unreadCountOf({ kind: "text", seq: 1, senderId: "a" }, members)).toBe(0);
  });

  it("never counts the sender, even when their cursor is behind", () => {
    expect(unreadCountOf({ kind: "text", seq: 6, senderId: "c" }, members)).toBe(2);
  });

  it("does not count a member invited after the message (joinedSeq above its seq)", () => {
    expect(unreadCountOf({ kind: "text", seq: 6, senderId: "a" }, members)).toBe(2);
    expect(unreadCountOf({ kind: "text", seq: 10, senderId: "a" }, members)).toBe(3);
  });

  it("counts a member from the seq they joined at", () => {
    expect(unreadCountOf({ kind: "text", seq: 7, senderId: "a" }, [member("d", 6, 7)])).toBe(1);
  });

  it("shows nothing beside a system message", () => {
    expect(unreadCountOf({ kind: "system", seq: 10, senderId: "a" }, members)).toBe(0);
  });

  it("stops counting a member who left (no longer among the members)", () => {
    const afterLeave = members.filter((m) => m.id !== "c");
    expect(unreadCountOf({ kind: "text", seq: 4, senderId: "a" }, afterLeave)).toBe(1);
  });
});

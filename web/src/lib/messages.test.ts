import { describe, expect, it } from "vitest";
import type { Message } from "../../../worker/contract";
import { contiguousHigh, mergeMessages, needsMoreSync, othersWroteBetween, settledClientIds } from "./messages";

const msg = (seq: number, senderId = "you", clientId = `c${seq}`): Message => ({
  id: `m${seq}`,
  roomId: "r1",
  seq,
  senderId,
  body: `message ${seq}`,
  sentAt: new Date(Date.UTC(2026, 10, 24, 6, 0, seq)).toISOString(),
  clientId,
  kind: "text",
});
const seqs = (list: readonly Message[]) => list.map((m) => m.seq);

describe("mergeMessages", () => {
  it("appends live messages in seq order", () => {
    const current = [msg(1), msg(2)];
    expect(seqs(mergeMessages(current, [msg(4), msg(3)]))).toEqual([1, 2, 3, 4]);
  });

  it("drops duplicates by seq, whichever path they came by (frame, ack, sync, page)", () => {
    const current = [msg(1), msg(2), msg(3)];
    const merged = mergeMessages(current, [msg(2), msg(3), msg(3), msg(4), msg(4)]);
    expect(seqs(merged)).toEqual([1, 2, 3, 4]);
  });

  it("returns the same array when nothing is new, so nothing re-renders", () => {
    const current = [msg(1), msg(2)];
    expect(mergeMessages(current, [msg(1), msg(2)])).toBe(current);
    expect(mergeMessages(current, [])).toBe(current);
  });

  it("keeps the held objects (rendered rows stay put)", () => {
    const first = msg(1);
    const merged = mergeMessages([first], [{ ...msg(1), body: "changed" }, msg(2)]);
    expect(merged[0]).toBe(first);
  });

  it("prepends an older page and fills a gap in the middle", () => {
    expect(seqs(mergeMessages([msg(51), msg(52)], [msg(49), msg(50)]))).toEqual([49, 50, 51, 52]);
    expect(seqs(mergeMessages([msg(1), msg(2), msg(5)], [msg(4), msg(3)]))).toEqual([1, 2, 3, 4, 5]);
  });

  it("sorts an unordered first batch", () => {
    expect(seqs(mergeMessages([], [msg(3), msg(1), msg(2)]))).toEqual([1, 2, 3]);
  });
});

describe("contiguousHigh: where a sync starts", () => {
  it("is 0 when nothing is held", () => {
    expect(contiguousHigh([])).toBe(0);
  });

  it("is the last seq when everything from the oldest held one is there", () => {
    expect(contiguousHigh([msg(1), msg(2), msg(3)])).toBe(3);
    // history starts at the newest page: what lies below the oldest held message doesn't matter
    expect(contiguousHigh([msg(31), msg(32), msg(33)])).toBe(33);
  });

  it("stops below the first gap: a live message that overtook a sync doesn't hide the gap", () => {
    expect(contiguousHigh([msg(1), msg(2), msg(5), msg(6)])).toBe(2);
    expect(contiguousHigh([msg(10), msg(12)])).toBe(10);
  });

  it("moves up once the gap is filled", () => {
    const held = mergeMessages([msg(1), msg(2), msg(5)], [msg(3), msg(4)]);
    expect(contiguousHigh(held)).toBe(5);
  });

  it("needsMoreSync: another round while the synced answer leaves us below its last seq", () => {
    expect(needsMoreSync([msg(1), msg(2)], 2)).toBe(false);
    expect(needsMoreSync([msg(1), msg(2), msg(4)], 4)).toBe(true);
    expect(needsMoreSync([], 0)).toBe(false);
  });
});

describe("settledClientIds: echoes matched by clientId", () => {
  it("takes only my own messages' clientIds", () => {
    const ids = settledClientIds([msg(1, "me", "a"), msg(2, "you", "b"), msg(3, "me", "c")], "me");
    expect([...ids].sort()).toEqual(["a", "c"]);
  });

  it("does not match another sender who happens to use the same clientId", () => {
    expect(settledClientIds([msg(1, "you", "same")], "me").has("same")).toBe(false);
  });

  it("leaves out system messages, which name me as their actor but never came from my outbox", () => {
    const invite: Message = { ...msg(2, "me", "sys"), kind: "system", body: "", event: { type: "invited", actorId: "me", userIds: ["you"] } };
    expect([...settledClientIds([msg(1, "me", "a"), invite], "me")]).toEqual(["a"]);
  });
});

describe("othersWroteBetween: does reading up to a seq need a receipt", () => {
  const system = (seq: number): Message => ({ ...msg(seq, "you"), kind: "system", body: "", event: { type: "left", actorId: "you" } });

  it("is true for someone else's message above my cursor", () => {
    expect(othersWroteBetween([msg(1, "me"), msg(2, "you"), msg(3, "me")], "me", 1, 3)).toBe(true);
  });

  it("is false when everything above my cursor is mine or a system line", () => {
    expect(othersWroteBetween([msg(1, "you"), msg(2, "me"), system(3), msg(4, "me")], "me", 1, 4)).toBe(false);
  });

  it("looks only between the two seqs", () => {
    const list = [msg(1, "you"), msg(2, "me"), msg(3, "you")];
    expect(othersWroteBetween(list, "me", 1, 2)).toBe(false);
    expect(othersWroteBetween(list, "me", 3, 3)).toBe(false);
    expect(othersWroteBetween(list, "me", 0, 1)).toBe(true);
    expect(othersWroteBetween([], "me", 0, 5)).toBe(false);
  });
});

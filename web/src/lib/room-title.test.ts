import { describe, expect, it } from "vitest";
import { collageOf, othersOf, roomTitle } from "./room-title";

const person = (id: string, displayName = id.toUpperCase()) => ({ id, displayName });
const me = person("me", "나");

describe("roomTitle", () => {
  it("names a 1:1 room after the friend", () => {
    expect(roomTitle({ kind: "direct", title: null, members: [me, person("b", "보람")] }, "me")).toBe("보람");
  });

  it("names a group by its own name when it has one", () => {
    const members = [me, person("b", "보람"), person("c", "찬미")];
    expect(roomTitle({ kind: "group", title: "저녁팟", members }, "me")).toBe("저녁팟");
  });

  it("joins the other members' names with ', ' when a group has no name (or an empty one)", () => {
    const members = [person("b", "보람"), me, person("c", "찬미"), person("d", "다인")];
    expect(roomTitle({ kind: "group", title: null, members }, "me")).toBe("보람, 찬미, 다인");
    expect(roomTitle({ kind: "group", title: "", members }, "me")).toBe("보람, 찬미, 다인");
  });

  it("ignores a title on a 1:1 room (the contract keeps it null)", () => {
    expect(roomTitle({ kind: "direct", title: "x", members: [me, person("b", "보람")] }, "me")).toBe("보람");
  });

  it("is null when nobody else is left, so the screen can say so", () => {
    expect(roomTitle({ kind: "group", title: null, members: [me] }, "me")).toBeNull();
  });

  it("takes fresher names from nameOf", () => {
    const members = [me, person("b", "보람"), person("c", "찬미")];
    expect(roomTitle({ kind: "group", title: null, members }, "me", (m) => (m.id === "b" ? "보람이" : m.displayName))).toBe("보람이, 찬미");
  });
});

describe("collageOf", () => {
  it("takes up to four members other than me, in order", () => {
    const members = [me, ...["a", "b", "c", "d", "e"].map((id) => person(id))];
    expect(collageOf({ members }, "me").map((m) => m.id)).toEqual(["a", "b", "c", "d"]);
    expect(collageOf({ members: [me, person("a"), person("b")] }, "me").map((m) => m.id)).toEqual(["a", "b"]);
  });

  it("shows me alone when nobody else is in the room", () => {
    expect(collageOf({ members: [me] }, "me")).toEqual([me]);
  });
});

describe("othersOf", () => {
  it("leaves me out", () => {
    expect(othersOf({ members: [person("a"), me, person("b")] }, "me").map((m) => m.id)).toEqual(["a", "b"]);
  });
});

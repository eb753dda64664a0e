import { describe, expect, it } from "vitest";
import { searchFriends } from "./friend-search";

const friend = (username: string, displayName: string) => ({ id: username, username, displayName });
const list = [friend("minji", "김민지"), friend("alex_k", "Alex Kim"), friend("haneul", "하늘 HANEUL")];
const names = (query: string) => searchFriends(list, query).map((f) => f.username);

describe("searchFriends", () => {
  it("finds Hangul names by any part", () => {
    expect(names("민지")).toEqual(["minji"]);
    expect(names("김")).toEqual(["minji"]);
  });

  it("matches a query typed as decomposed jamo (NFD) against a composed name, and back", () => {
    expect(names("민지".normalize("NFD"))).toEqual(["minji"]);
    expect(searchFriends([friend("x", "하늘".normalize("NFD"))], "하늘").map((f) => f.username)).toEqual(["x"]);
  });

  it("ignores case in Latin names and IDs, and takes an ID with its @", () => {
    expect(names("alex")).toEqual(["alex_k"]);
    expect(names("HANEUL")).toEqual(["haneul"]);
    expect(names("@ALEX_")).toEqual(["alex_k"]);
  });

  it("keeps everyone, in order, for an empty query, and no one for a miss", () => {
    expect(names("  ")).toEqual(["minji", "alex_k", "haneul"]);
    expect(names("zzz")).toEqual([]);
  });
});

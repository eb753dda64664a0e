/** 즐겨찾기 (docs/api.md, `PUT /api/friends/:id`): the caller's own mark, favourites first in `GET /api/friends`. */
import { describe, expect, it } from "vitest";
import type { Friend } from "../../worker/contract";
import { body, expectError, friendsOf } from "./contract-helpers";
import { befriend, befriendAll, register } from "./harness";
import { put } from "./list-control-helpers";


describe("PUT /api/friends/:id", () => {
  it("marks a friend 즐겨찾기 for the caller only; favourites come first, each part by name", async () => {
    const me = await register(undefined, "나");
    const [ga, na, da] = [await register(undefined, "가영"), await register(undefined, "나래"), await register(undefined, "다인")];
    await befriendAll(me, [ga!, na!, da!]);
    expect((await friendsOf(me)).map((f) => [f.displayName, f.favorite])).toEqual([["가영", false], ["나래", false], ["다인", false]]);
    const marked = await body<{ friend: Friend }>(await put(`/api/friends/${da!.user.id}`, me, { favorite: true }), 200);
    expect(marked.friend).toEqual({ ...da!.user, favorite: true });
    await put(`/api/friends/${na!.user.id}`, me, { favorite: true });
    expect((await friendsOf(me)).map((f) => [f.displayName, f.favorite])).toEqual([["나래", true], ["다인", true], ["가영", false]]);
    // The mark is mine: the other side's list (if they have me) is untouched.
    expect((await friendsOf(da!)).some((f) => f.favorite)).toBe(false);
    await put(`/api/friends/${da!.user.id}`, me, { favorite: false });
    expect((await friendsOf(me)).map((f) => f.displayName)).toEqual(["나래", "가영", "다인"]);
  });

  it("answers 400 invalid to a bad body, 404 for someone not in my friends, 401 without a session", async () => {
    const me = await register();
    const friend = await register();
    await befriend(me, friend);
    await expectError(await put(`/api/friends/${friend.user.id}`, me, {}), 400, "invalid", ["favorite"]);
    await expectError(await put(`/api/friends/${friend.user.id}`, me, { favorite: "yes" }), 400, "invalid", ["favorite"]);
    await expectError(await put(`/api/friends/${(await register()).user.id}`, me, { favorite: true }), 404, "user_not_found");
    await expectError(await put(`/api/friends/${crypto.randomUUID()}`, me, { favorite: true }), 404, "user_not_found");
    await expectError(await put(`/api/friends/${friend.user.id}`, null, { favorite: true }), 401, "unauthenticated");
    expect((await friendsOf(me))[0]?.favorite).toBe(false);
  });
});

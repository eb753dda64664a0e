import { describe, expect, it, vi } from "vitest";
import type { User } from "../../worker/contract";
import { call, register } from "./harness";
import { body, expectError, expectUser, friendsOf as friendsList, lazy } from "./contract-helpers";

// A ceiling, not a pace: sign-ups cost ~150 ms of scrypt each, and a loaded machine stretches that.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

/** A user whose every add below is refused: their list must stay empty. */
const loner = lazy(() => register());

/** The friends as users; none is a favourite here (friends-favorites.test.ts). */
const friendsOf = async (cookie: string): Promise<User[]> =>
  (await friendsList({ cookie })).map(({ favorite, ...user }) => (expect(favorite).toBe(false), user));
const add = (cookie: string, json: unknown) => call("/api/friends", { method: "POST", cookie, json });

describe("GET /api/friends", () => {
  it("starts empty", async () => {
    const a = await register();
    const res = await body<{ friends: User[] }>(await call("/api/friends", { cookie: a.cookie }), 200);
    expect(res).toEqual({ friends: [] });
  });

  it("lists friends ordered by displayName, not by when they were added or their username", async () => {
    const a = await register();
    // Usernames sort the other way round from display names.
    const c = await register(undefined, "Charlie");
    const alpha = await register(undefined, "Alpha");
    const b = await register(undefined, "Bravo");
    for (const f of [c, alpha, b]) expect((await add(a.cookie, { username: f.user.username })).status).toBe(201);
    const list = await friendsOf(a.cookie);
    expect(list.map((u) => u.displayName)).toEqual(["Alpha", "Bravo", "Charlie"]);
    expect(list).toEqual([alpha.user, b.user, c.user]);
    for (const u of list) expectUser(u);
  });

  it("orders Korean display names too", async () => {
    const a = await register();
    const da = await register(undefined, "다현");
    const ga = await register(undefined, "가은");
    const na = await register(undefined, "나래");
    for (const f of [da, ga, na]) expect((await add(a.cookie, { username: f.user.username })).status).toBe(201);
    expect((await friendsOf(a.cookie)).map((u) => u.displayName)).toEqual(["가은", "나래", "다현"]);
  });

  it("answers 401 unauthenticated without a session", async () => {
    await expectError(await call("/api/friends"), 401, "unauthenticated");
    await expectError(await call("/api/friends", { cookie: "session=garbage" }), 401, "unauthenticated");
  });
});

describe("POST /api/friends", () => {
  it("answers 201 {friend}; only the caller's list gains them (one way, as in KakaoTalk)", async () => {
    const a = await register(undefined, "에이");
    const b = await register(undefined, "비");
    const res = await body<{ friend: User }>(await add(a.cookie, { username: b.user.username }), 201);
    expect(Object.keys(res)).toEqual(["friend"]);
    expectUser(res.friend);
    expect(res.friend).toEqual(b.user);
    expect(await friendsOf(a.cookie)).toEqual([b.user]);
    expect(await friendsOf(b.cookie)).toEqual([]);
  });

  it("finds the user whatever the case of the username sent", async () => {
    const a = await register();
    const b = await register();
    const res = await body<{ friend: User }>(await add(a.cookie, { username: b.user.username.toUpperCase() }), 201);
    expect(res.friend).toEqual(b.user);
  });

  it("takes the ID as the app shows it, with one leading @ (and spaces around it)", async () => {
    const a = await register();
    const b = await register();
    const res = await body<{ friend: User }>(await add(a.cookie, { username: ` @${b.user.username.toUpperCase()} ` }), 201);
    expect(res.friend).toEqual(b.user);
    expect(await friendsOf(a.cookie)).toEqual([b.user]);
    await expectError(await add(a.cookie, { username: `@${a.user.username}` }), 400, "cannot_add_self");
  });

  it("answers 400 cannot_add_self for your own username, in any case", async () => {
    const a = await loner();
    await expectError(await add(a.cookie, { username: a.user.username }), 400, "cannot_add_self");
    await expectError(await add(a.cookie, { username: a.user.username.toUpperCase() }), 400, "cannot_add_self");
    expect(await friendsOf(a.cookie)).toEqual([]);
  });

  it("answers 404 user_not_found for a username nobody has", async () => {
    const a = await loner();
    await expectError(await add(a.cookie, { username: "nobody_has_this" }), 404, "user_not_found");
    expect(await friendsOf(a.cookie)).toEqual([]);
  });

  it("answers 409 already_friends for a repeat; the other adding back is their own add", async () => {
    const a = await register();
    const b = await register();
    expect((await add(b.cookie, { username: a.user.username })).status).toBe(201);
    expect((await add(a.cookie, { username: b.user.username })).status).toBe(201);
    await expectError(await add(a.cookie, { username: b.user.username }), 409, "already_friends");
    await expectError(await add(b.cookie, { username: a.user.username }), 409, "already_friends");
    expect(await friendsOf(a.cookie)).toEqual([b.user]);
    expect(await friendsOf(b.cookie)).toEqual([a.user]);
  });

  it("a pair adding each other at the same moment both succeed, each gaining the other", async () => {
    const a = await register();
    const b = await register();
    const [ra, rb] = await Promise.all([add(a.cookie, { username: b.user.username }), add(b.cookie, { username: a.user.username })]);
    expect([ra.status, rb.status]).toEqual([201, 201]);
    expect(await friendsOf(a.cookie)).toEqual([b.user]);
    expect(await friendsOf(b.cookie)).toEqual([a.user]);
  });

  it.each([
    ["missing username", {}],
    ["numeric username", { username: 42 }],
    ["too short a username", { username: "ab" }],
    ["a username with bad characters", { username: "no-way!" }],
    ["a 21-character username", { username: "a".repeat(21) }],
    ["an @ alone", { username: "@" }],
    ["two leading @", { username: "@@someone" }],
    ["an @ inside", { username: "some@one" }],
  ])("answers 400 invalid naming username for %s", async (_name, json) => {
    const a = await loner();
    await expectError(await add(a.cookie, json), 400, "invalid", ["username"]);
    expect(await friendsOf(a.cookie)).toEqual([]);
  });

  it("answers 400 invalid for malformed JSON", async () => {
    const a = await loner();
    const res = await call("/api/friends", { method: "POST", cookie: a.cookie, body: "{\"username\"", headers: { "content-type": "application/json" } });
    await expectError(res, 400, "invalid");
  });

  it("answers 401 unauthenticated without a session and adds no one", async () => {
    const b = await loner();
    await expectError(await call("/api/friends", { method: "POST", json: { username: b.user.username } }), 401, "unauthenticated");
    expect(await friendsOf(b.cookie)).toEqual([]);
  });
});

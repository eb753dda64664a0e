import { describe, expect, it } from "vitest";
import { failEntries, type OutboxEntry, parseOutbox, putEntry, reconcile, refuseEntries, removeEntries, sendOrder, serializeOutbox } from "./outbox";

const entry = (clientId: string, createdAt = 1, failed = false): OutboxEntry => ({ clientId, body: `body ${clientId}`, createdAt, failed });
const ids = (list: readonly OutboxEntry[]) => list.map((e) => e.clientId);

describe("parseOutbox / serializeOutbox", () => {
  it("round-trips", () => {
    const list = [entry("a", 1), entry("b", 2, true)];
    expect(parseOutbox(serializeOutbox(list))).toEqual(list);
  });

  it("treats missing, broken or foreign data as empty and skips bad entries", () => {
    expect(parseOutbox(null)).toEqual([]);
    expect(parseOutbox("{nope")).toEqual([]);
    expect(parseOutbox('{"a":1}')).toEqual([]);
    expect(parseOutbox(JSON.stringify([entry("a"), { clientId: 3 }, null, { clientId: "", body: "x", createdAt: 1 }]))).toEqual([entry("a")]);
  });

  it("reads entries written without `failed` as pending and drops a repeated clientId", () => {
    expect(parseOutbox(JSON.stringify([{ clientId: "a", body: "x", createdAt: 5 }, entry("a", 9)]))).toEqual([
      { clientId: "a", body: "x", createdAt: 5, failed: false },
    ]);
  });

  it("stores nothing for an empty outbox", () => {
    expect(serializeOutbox([])).toBeNull();
  });
});

describe("entry-by-entry changes", () => {
  it("putEntry adds one entry without touching the others, in the order written", () => {
    const shared = [entry("tab1", 1), entry("tab1b", 5)];
    expect(ids(putEntry(shared, entry("tab2", 3)))).toEqual(["tab1", "tab2", "tab1b"]);
  });

  it("putEntry replaces an entry with the same clientId", () => {
    const after = putEntry([entry("a", 1, true)], entry("a", 7, false));
    expect(after).toEqual([entry("a", 7, false)]);
  });

  it("removeEntries removes only the given clientIds and returns the same list when none matched", () => {
    const list = [entry("a"), entry("b"), entry("c")];
    expect(ids(removeEntries(list, new Set(["b", "x"])))).toEqual(["a", "c"]);
    expect(removeEntries(list, new Set(["x"]))).toBe(list);
  });

  it("failEntries marks only pending matches", () => {
    const list = [entry("old", 1), entry("new", 100), entry("gone", 1, true)];
    const after = failEntries(list, (e) => e.createdAt < 50);
    expect(after.map((e) => [e.clientId, e.failed])).toEqual([
      ["old", true],
      ["new", false],
      ["gone", true],
    ]);
    expect(failEntries(after, (e) => e.createdAt < 50)).toBe(after);
  });

  it("two tabs writing in turn keep both tabs' entries (the lost-outbox bug)", () => {
    // Tab 1 and tab 2 each read the shared list, add their own entry and write it back.
    let shared: OutboxEntry[] = [];
    shared = putEntry(parseOutbox(serializeOutbox(shared)), entry("from-tab-1", 1));
    shared = putEntry(parseOutbox(serializeOutbox(shared)), entry("from-tab-2", 2));
    // Tab 1 gets its ack and removes only its entry.
    shared = removeEntries(shared, new Set(["from-tab-1"]));
    expect(ids(shared)).toEqual(["from-tab-2"]);
  });
});

describe("reconcile: this tab's copy after another tab changed the shared list", () => {
  it("adopts entries the other tab added", () => {
    const local = [entry("mine", 1)];
    expect(ids(reconcile(local, [entry("mine", 1)], [entry("mine", 1), entry("theirs", 2)]))).toEqual(["mine", "theirs"]);
  });

  it("drops entries the other tab removed (acknowledged or discarded there)", () => {
    const local = [entry("a", 1), entry("b", 2)];
    expect(ids(reconcile(local, [entry("a", 1), entry("b", 2)], [entry("b", 2)]))).toEqual(["b"]);
  });

  it("keeps entries that were never in the shared list (storage full)", () => {
    const local = [entry("unsaved", 1)];
    expect(ids(reconcile(local, [], [entry("other", 2)]))).toEqual(["unsaved", "other"]);
  });

  it("takes the other tab's version of a shared entry when it was retried there", () => {
    const local = [entry("a", 1, true)];
    expect(reconcile(local, [entry("a", 1, true)], [entry("a", 9, false)])).toEqual([entry("a", 9, false)]);
  });

  it("returns the same list when nothing changed for this tab", () => {
    const local = [entry("a", 1)];
    expect(reconcile(local, [], [entry("a", 1)])).toBe(local);
  });

  it("the whole list cleared elsewhere (key removed) drops what was shared", () => {
    const local = [entry("a", 1), entry("b", 2)];
    expect(ids(reconcile(local, [entry("a", 1), entry("b", 2)], []))).toEqual([]);
  });
});

describe("sendOrder", () => {
  it("names the entry written before each one; the first names nothing", () => {
    const order = sendOrder([entry("a", 1), entry("b", 2), entry("c", 3)]);
    expect(order.map((s) => [s.entry.clientId, s.after])).toEqual([
      ["a", undefined],
      ["b", "a"],
      ["c", "b"],
    ]);
  });

  it("leaves a refused entry out, and the one after it names the one before it", () => {
    const list = refuseEntries([entry("a", 1), entry("b", 2), entry("c", 3)], new Set(["b"]));
    expect(list.find((e) => e.clientId === "b")).toMatchObject({ failed: true, refused: true });
    expect(sendOrder(list).map((s) => [s.entry.clientId, s.after])).toEqual([
      ["a", undefined],
      ["c", "a"],
    ]);
  });

  it("keeps a failed (unanswered) entry in the order: later ones wait for it", () => {
    expect(sendOrder([entry("a", 1, true), entry("b", 2)]).map((s) => s.after)).toEqual([undefined, "a"]);
  });

  it("a retried refused entry is written anew, last, and back in the order", () => {
    const refused = refuseEntries([entry("a", 1), entry("b", 2)], new Set(["a"]));
    const retried = putEntry(refused, entry("a", 9));
    expect(sendOrder(retried).map((s) => [s.entry.clientId, s.after])).toEqual([
      ["b", undefined],
      ["a", "b"],
    ]);
  });

  it("refused survives storage", () => {
    const list = refuseEntries([entry("a", 1)], new Set(["a"]));
    expect(parseOutbox(serializeOutbox(list))).toEqual(list);
  });
});

import { batch, createMemo, createSignal } from "solid-js";
import type { Member, Room, RoomKind } from "../../../worker/contract";
import { othersOf, roomTitle } from "../lib/room-title";
import { friendById } from "./friends";

/** What a room socket's `hello` and `room` frames and `GET /api/rooms/:id` say about the room itself. */
export interface RoomView {
  kind: RoomKind;
  title: string | null;
  members: readonly Member[];
  memberCount: number;
  version: number;
}

/**
 * One open room's members, kind and title, and the read cursors behind the numbers beside its
 * messages. Views of the room (HTTP, `hello`, `room` frames) replace it only when newer (the
 * server's version); `read` frames move one cursor forward. Names of people who have left are
 * remembered, so the lines saying they left still name them.
 */
export const createRoomMembers = (meId: string, initial: Room | undefined) => {
  const [view, setView] = createSignal<RoomView>(
    initial
      ? { kind: initial.kind, title: initial.title, members: initial.members, memberCount: initial.memberCount, version: -1 }
      : { kind: "direct", title: null, members: [], memberCount: 0, version: -1 },
  );
  /** How far I have read here: the server's cursor for me catches up a moment later. */
  const [readHere, setReadHere] = createSignal(0);
  const [known, setKnown] = createSignal<ReadonlyMap<string, string>>(new Map());

  const remember = (members: readonly Member[]) =>
    setKnown((map) => {
      if (members.every((m) => map.get(m.id) === m.displayName)) return map;
      const next = new Map(map);
      for (const m of members) next.set(m.id, m.displayName);
      return next;
    });

  /** A view of the room, unless an older one than held; a cursor never moves back. */
  const apply = (incoming: RoomView): void => {
    const current = view();
    if (incoming.version < current.version) return;
    const held = new Map(current.members.map((m) => [m.id, m.lastReadSeq]));
    const members = incoming.members.map((m) => {
      const cursor = held.get(m.id) ?? 0;
      return cursor > m.lastReadSeq ? { ...m, lastReadSeq: cursor } : m;
    });
    batch(() => {
      remember(members);
      setView({ ...incoming, members });
    });
  };

  const read = (userId: string, lastReadSeq: number): void => {
    setView((v) => ({ ...v, members: v.members.map((m) => (m.id === userId && m.lastReadSeq < lastReadSeq ? { ...m, lastReadSeq } : m)) }));
  };

  /** A friend's rename heard live wins over the name the room was loaded with. */
  const nameOf = (userId: string): string | undefined =>
    friendById(userId)?.displayName ?? view().members.find((m) => m.id === userId)?.displayName ?? known().get(userId);

  const members = createMemo(() => view().members);
  const others = createMemo(() => othersOf(view(), meId));
  const myReadSeq = createMemo(() => members().find((m) => m.id === meId)?.lastReadSeq ?? 0);
  /** The members as the numbers beside messages count them, my own reading here included. */
  const counted = createMemo(() => {
    const mine = readHere();
    return members().map((m) => (m.id === meId && m.lastReadSeq < mine ? { ...m, lastReadSeq: mine } : m));
  });
  const title = createMemo(() => roomTitle(view(), meId, (m) => nameOf(m.id) ?? m.displayName));

  return {
    apply,
    read,
    readHere: (seq: number) => setReadHere((held) => Math.max(held, seq)),
    nameOf,
    members,
    others,
    counted,
    myReadSeq,
    title,
    kind: () => view().kind,
    /** The group's own name (null when it has none), for the rename form. */
    ownTitle: () => view().title,
    memberCount: () => view().memberCount,
  };
};

export type RoomMembers = ReturnType<typeof createRoomMembers>;

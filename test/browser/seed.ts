import { type Browser, type BrowserContext, expect } from "@playwright/test";
import { PASSWORD, uniqueUsername } from "./helpers";

/**
 * Fast set-up through the HTTP API and raw sockets (no clicking): users, friendships, rooms and
 * messages, for tests that are about showing data rather than making it.
 */
export interface ApiUser {
  id: string;
  username: string;
  displayName: string;
  context: BrowserContext;
}

/**
 * Signs up a user through the API. `short` picks an ID that reads like a real one (`minji_0427`)
 * for screenshots, trying another number if it is taken.
 */
export const apiUser = async (browser: Browser, prefix: string, displayName: string, short = false): Promise<ApiUser> => {
  const context = await browser.newContext();
  for (let attempt = 0; ; attempt++) {
    const username = short ? `${prefix}_${String(Math.floor(Math.random() * 10_000)).padStart(4, "0")}` : uniqueUsername(prefix);
    const response = await context.request.post("/api/auth/register", { data: { username, password: PASSWORD, displayName } });
    if (short && response.status() === 409 && attempt < 5) continue;
    expect(response.status(), await response.text()).toBe(201);
    const { user } = (await response.json()) as { user: { id: string } };
    return { id: user.id, username, displayName, context };
  }
};

/** `a` adds `b`, one way: b's friends are unchanged. */
export const addAsFriend = async (a: ApiUser, b: ApiUser): Promise<void> => {
  const response = await a.context.request.post("/api/friends", { data: { username: b.username } });
  expect(response.status(), await response.text()).toBe(201);
};

/** Each adds the other (friendship is one way; most tests want both). */
export const befriend = async (a: ApiUser, b: ApiUser): Promise<void> => {
  await addAsFriend(a, b);
  await addAsFriend(b, a);
};

export const directRoom = async (a: ApiUser, b: ApiUser): Promise<string> => {
  const response = await a.context.request.post("/api/rooms/direct", { data: { userId: b.id } });
  expect(response.ok(), await response.text()).toBe(true);
  return ((await response.json()) as { room: { id: string } }).room.id;
};

/** `me` and `friend` add each other; their 1:1 room's id. */
export const roomWithFriend = async (me: ApiUser, friend: ApiUser): Promise<string> => {
  await befriend(me, friend);
  return directRoom(me, friend);
};

/**
 * Two people, each signed up in their own browser context as `[prefix, display name]`, who added
 * each other (or only `a` added `b`: `oneWay`), and their 1:1 room, still empty.
 */
export const twoPeople = async (
  browser: Browser,
  a: readonly [prefix: string, displayName: string],
  b: readonly [prefix: string, displayName: string],
  { oneWay = false } = {},
): Promise<{ a: ApiUser; b: ApiUser; roomId: string }> => {
  const first = await apiUser(browser, ...a);
  const second = await apiUser(browser, ...b);
  if (!oneWay) return { a: first, b: second, roomId: await roomWithFriend(first, second) };
  await addAsFriend(first, second);
  return { a: first, b: second, roomId: await directRoom(first, second) };
};

/** A group of `creator` and `members` (the creator's friends), optionally named; returns its id. */
export const groupRoom = async (creator: ApiUser, members: readonly ApiUser[], title?: string): Promise<string> => {
  const response = await creator.context.request.post("/api/rooms/group", { data: { memberIds: members.map((m) => m.id), ...(title ? { title } : {}) } });
  expect(response.status(), await response.text()).toBe(201);
  return ((await response.json()) as { room: { id: string } }).room.id;
};

/** Sends messages one after the other through the room socket, each acknowledged before the next. */
export const sendAs = (user: ApiUser, roomId: string, bodies: readonly string[]): Promise<void> =>
  sendInRooms(user, bodies.map((body) => ({ roomId, body })));

/**
 * Sends each message through its room's socket, in order, each acknowledged before the next, from
 * one page; then waits until D1's copy, which `GET /api/rooms` reads and which trails the rooms by
 * their write-behind (under a second), has them too, so a chat list loaded next shows them.
 */
export const sendInRooms = async (user: ApiUser, sends: readonly { roomId: string; body: string }[]): Promise<void> => {
  const page = await user.context.newPage();
  // a same-origin page (a static file: the API answers forbid scripts to connect), for the socket's Origin check
  await page.goto("/favicon.svg");
  await page.evaluate(async (sends) => {
    const sockets = new Map<string, Promise<WebSocket>>();
    const ackedSeq = new Map<string, number>();
    const open = (roomId: string) =>
      new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(`ws://${location.host}/api/rooms/${roomId}/ws`);
        ws.addEventListener("open", () => resolve(ws), { once: true });
        ws.addEventListener("error", reject, { once: true });
      });
    for (const [i, { roomId, body }] of sends.entries()) {
      if (!sockets.has(roomId)) sockets.set(roomId, open(roomId));
      const ws = await sockets.get(roomId)!;
      const clientId = `seed-${Date.now()}-${i}-${Math.random().toString(36).slice(2)}`;
      await new Promise<void>((resolve, reject) => {
        const onMessage = (e: MessageEvent) => {
          const frame = JSON.parse(String(e.data)) as { type: string; clientId?: string; code?: string; message?: { seq: number } };
          if (frame.clientId !== clientId) return;
          ws.removeEventListener("message", onMessage);
          if (frame.type !== "ack") return reject(new Error(`send refused: ${frame.code}`));
          ackedSeq.set(roomId, frame.message!.seq);
          resolve();
        };
        ws.addEventListener("message", onMessage);
        ws.send(JSON.stringify({ type: "send", clientId, body }));
      });
    }
    for (const ws of sockets.values()) (await ws).close();
    const behind = async () => {
      const { rooms } = (await (await fetch("/api/rooms")).json()) as { rooms: { id: string; lastSeq: number }[] };
      const listed = new Map(rooms.map((r) => [r.id, r.lastSeq]));
      return [...ackedSeq].filter(([roomId, seq]) => (listed.get(roomId) ?? 0) < seq);
    };
    for (const giveUp = Date.now() + 15_000; (await behind()).length > 0; ) {
      if (Date.now() > giveUp) throw new Error(`D1 did not catch up with rooms ${JSON.stringify(await behind())}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }, sends);
  await page.close();
};

/** A session cookie for `user` in another context (e.g. one with a given locale and viewport). */
export const logInContext = async (context: BrowserContext, user: ApiUser): Promise<void> => {
  const response = await context.request.post("/api/auth/login", { data: { username: user.username, password: PASSWORD } });
  expect(response.status(), await response.text()).toBe(200);
};

export interface Conversation {
  me: ApiUser;
  /** The friend whose room the screenshots show. */
  seojun: ApiUser;
  seojunRoom: string;
  friendCount: number;
  /** Chat-list rows, newest first, with their unread counts. */
  chats: { name: string; preview: string; unread: number }[];
  /** The room with 서준, in order; `mine` for 김민지's messages. */
  room: { mine: boolean; body: string }[];
  /** A named group of four (지우 made it), its messages in order with their senders' names. */
  group: { id: string; title: string; creator: string; invited: string[]; members: string[]; messages: { from: string; body: string }[] };
  close: () => Promise<void>;
}

/** Waits out a minute's last seconds, so messages sent right after share one minute. */
const clearOfMinuteEnd = async (): Promise<void> => {
  const second = new Date().getSeconds();
  if (second >= 55) await new Promise((resolve) => setTimeout(resolve, (60 - second) * 1000));
};

/** A realistic Korean day of chatting, for the screens' tests and screenshots. */
export const seedConversation = async (browser: Browser): Promise<Conversation> => {
  const me = await apiUser(browser, "minji", "김민지", true);
  const seojun = await apiUser(browser, "seojun", "이서준", true);
  const jiwoo = await apiUser(browser, "jiwoo", "박지우", true);
  const haeun = await apiUser(browser, "haeun", "최하은", true);
  const yerin = await apiUser(browser, "yerin", "강예린", true);
  const doyun = await apiUser(browser, "doyun", "정도윤", true);
  const everyone = [seojun, jiwoo, haeun, yerin, doyun];
  for (const friend of everyone) await befriend(me, friend);

  const yerinRoom = await directRoom(me, yerin);
  await sendAs(yerin, yerinRoom, ["어제 찍은 사진 보내줄 수 있어?"]);
  await sendAs(me, yerinRoom, ["방금 메일로 보냈어! 확인해 봐"]);
  await sendAs(yerin, yerinRoom, ["사진 고마워! 진짜 잘 나왔다 😊"]);

  const jiwooRoom = await directRoom(jiwoo, me);
  await sendAs(jiwoo, jiwooRoom, ["이번 주말 등산 가는 거 맞지? ⛰️"]);

  const haeunRoom = await directRoom(haeun, me);
  await sendAs(haeun, haeunRoom, ["민지야!", "다음 주 금요일 저녁에 시간 돼?", "수연이 생일 파티 하려고 🎂"]);

  const groupTitle = "주말 등산팟";
  // 지우 makes the group: only friends can be put in one
  for (const friend of [haeun, doyun]) await befriend(jiwoo, friend);
  const groupId = await groupRoom(jiwoo, [me, haeun, doyun], groupTitle);
  const groupMessages = [
    { from: jiwoo, body: "토요일 아침 7시에 출발 어때?" },
    { from: haeun, body: "좋아! 김밥은 내가 싸 갈게 🍙" },
    { from: doyun, body: "7시는 너무 이르다 ㅠㅠ 8시 어때?" },
    { from: me, body: "8시 좋아! 난 물이랑 간식 챙길게" },
  ];
  for (const m of groupMessages) await sendAs(m.from, groupId, [m.body]);

  const seojunRoom = await directRoom(me, seojun);
  const room: Conversation["room"] = [
    { mine: false, body: "민지야 내일 점심 같이 먹을래?" },
    { mine: false, body: "회사 앞에 새로 생긴 칼국수집 가 보고 싶어서" },
    { mine: true, body: "좋아! 나도 거기 궁금했어" },
    { mine: true, body: "몇 시에 볼까?" },
    { mine: false, body: "12시 반 어때? 11시 반부터 줄 선다더라 ㅋㅋ" },
    { mine: false, body: "후기 보니까 괜찮더라\nhttps://place.map.kakao.com/1234567890" },
    { mine: true, body: "👍" },
    { mine: true, body: "그럼 12시 20분에 1층 로비에서 만나자. 내일 비 온다니까 우산 꼭 챙겨 오고, 늦을 것 같으면 미리 연락 줘!" },
    { mine: true, body: "☔☔" },
  ];
  // Consecutive messages of one sender go out in one socket session, away from a minute's end, so a
  // run stays in one minute (the screen groups by sender and minute).
  for (let i = 0; i < room.length; ) {
    let j = i;
    while (j < room.length && room[j]!.mine === room[i]!.mine) j++;
    await clearOfMinuteEnd();
    await sendAs(room[i]!.mine ? me : seojun, seojunRoom, room.slice(i, j).map((m) => m.body));
    i = j;
  }

  return {
    me,
    seojun,
    seojunRoom,
    friendCount: everyone.length,
    chats: [
      { name: seojun.displayName, preview: "☔☔", unread: 0 },
      // the last message there is mine (so reading the room in one test changes nothing for the next)
      { name: groupTitle, preview: "8시 좋아! 난 물이랑 간식 챙길게", unread: 0 },
      { name: haeun.displayName, preview: "수연이 생일 파티 하려고 🎂", unread: 3 },
      { name: jiwoo.displayName, preview: "이번 주말 등산 가는 거 맞지? ⛰️", unread: 1 },
      { name: yerin.displayName, preview: "사진 고마워! 진짜 잘 나왔다 😊", unread: 1 },
    ],
    room,
    group: {
      id: groupId,
      title: groupTitle,
      creator: jiwoo.displayName,
      invited: [me, haeun, doyun].map((u) => u.displayName),
      members: [me, jiwoo, haeun, doyun].map((u) => u.displayName),
      messages: groupMessages.map((m) => ({ from: m.from.displayName, body: m.body })),
    },
    close: async () => {
      for (const user of [me, ...everyone]) await user.context.close();
    },
  };
};

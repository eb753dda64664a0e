import { expect, test } from "@playwright/test";
import { friendRow } from "./helpers";
import { sendAs, twoPeople } from "./seed";

test("a friend's new name reaches the friend list, the chat list and the open room's header without a reload", async ({ browser }) => {
  const { a, b, roomId } = await twoPeople(browser, ["renamea", "옛 이름"], ["renameb", "친구"]);
  await sendAs(a, roomId, ["안녕"]);

  // b has a's room, the friend list and the chat list open, each in its own tab.
  const room = await b.context.newPage();
  await room.goto(`/rooms/${roomId}`);
  const title = room.getByRole("banner").getByRole("heading", { level: 1 });
  await expect(title).toHaveText("옛 이름");
  const friends = await b.context.newPage();
  await friends.goto("/friends");
  await expect(friendRow(friends, "옛 이름")).toBeVisible();
  const chats = await b.context.newPage();
  await chats.goto("/chats");
  const chatList = chats.getByRole("list", { name: "채팅" });
  await expect(chatList).toContainText("옛 이름");

  const res = await a.context.request.patch("/api/me", { data: { displayName: "새 이름" } });
  expect(res.status(), await res.text()).toBe(200);

  await expect(title).toHaveText("새 이름");
  await expect(room.getByRole("banner").getByText(`@${a.username}`, { exact: true })).toBeVisible();
  await expect(friendRow(friends, "새 이름")).toBeVisible();
  await expect(friendRow(friends, "옛 이름")).toHaveCount(0);
  await expect(chatList).toContainText("새 이름");
  await expect(chatList).not.toContainText("옛 이름");
  await a.context.close();
  await b.context.close();
});

import { expect, test } from "@playwright/test";
import { addFriend, friendRow, newPerson } from "./helpers";
import { apiUser } from "./seed";

test("a friend can be added by the ID as the app shows it, with its @", async ({ browser }) => {
  const me = await newPerson(browser, "handleme", "나");
  const friend = await apiUser(browser, "handleyou", "골뱅이 친구");
  await addFriend(me.page, `@${friend.username}`, `${friend.displayName}님을 친구로 추가했습니다.`);
  await expect(friendRow(me.page, friend.displayName)).toBeVisible();
  await me.context.close();
  await friend.context.close();
});

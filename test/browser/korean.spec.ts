import { expect, type Page, test } from "@playwright/test";
import { befriendEachOther, composer, myStoredBubbles, newPerson, openChatWith, pendingRows, sendMessage, storedBubbles } from "./helpers";

/**
 * What Chromium does when Enter is pressed while a Hangul syllable is still being composed:
 * keydown Enter with isComposing (keyCode 229) first, then compositionend, then keyup.
 * `repeatEnter` adds the plain Enter keydown some browsers fire after compositionend.
 */
const enterWhileComposing = async (page: Page, text: string, repeatEnter: boolean) => {
  const box = composer(page);
  await box.fill(text);
  await box.evaluate(
    (el, { text, repeatEnter }) => {
      const key = (type: string, init: KeyboardEventInit) =>
        el.dispatchEvent(new KeyboardEvent(type, { key: "Enter", code: "Enter", bubbles: true, cancelable: true, ...init }));
      el.dispatchEvent(new CompositionEvent("compositionstart", { data: "", bubbles: true }));
      el.dispatchEvent(new CompositionEvent("compositionupdate", { data: text.slice(-1), bubbles: true }));
      key("keydown", { isComposing: true, keyCode: 229, which: 229 } as KeyboardEventInit);
      // The IME commits the last syllable now; if the page emptied the box on that keydown,
      // the syllable lands in the empty box (the classic "안녕하세요" then "요" bug).
      const box = el as HTMLTextAreaElement;
      if (box.value === "") {
        box.value = text.slice(-1);
        box.dispatchEvent(new InputEvent("input", { data: text.slice(-1), inputType: "insertCompositionText", bubbles: true }));
      }
      el.dispatchEvent(new CompositionEvent("compositionend", { data: text.slice(-1), bubbles: true }));
      if (repeatEnter) key("keydown", { isComposing: false, keyCode: 13, which: 13 } as KeyboardEventInit);
      key("keyup", { isComposing: false, keyCode: 13, which: 13 } as KeyboardEventInit);
    },
    { text, repeatEnter },
  );
};

test("one Enter while composing Hangul sends the full text exactly once", async ({ browser }) => {
  const a = await newPerson(browser, "hangul", "한글 보내는 사람");
  const b = await newPerson(browser, "hangulb", "한글 받는 사람");
  await befriendEachOther(a, b);
  await openChatWith(a.page, b.displayName);
  await b.page.reload();
  await openChatWith(b.page, a.displayName);

  await enterWhileComposing(a.page, "안녕하세요", false);
  await expect(composer(a.page)).toHaveValue("");
  await expect(myStoredBubbles(a.page)).toHaveText(["안녕하세요"]);
  await expect(storedBubbles(b.page)).toHaveText(["안녕하세요"]);

  // Safari-style repeated Enter after compositionend must not send anything more.
  await enterWhileComposing(a.page, "반갑습니다", true);
  await expect(myStoredBubbles(a.page)).toHaveText(["안녕하세요", "반갑습니다"]);

  // The next, real Enter still sends: the duplicate guard ends with the key's release.
  await sendMessage(a.page, "다음 메시지");
  await expect(myStoredBubbles(a.page)).toHaveText(["안녕하세요", "반갑습니다", "다음 메시지"]);
  await expect(pendingRows(a.page)).toHaveCount(0);

  // Nothing else ever arrived on the other side (no lone trailing syllable like "요" or "다").
  await expect(storedBubbles(b.page)).toHaveText(["안녕하세요", "반갑습니다", "다음 메시지"]);
  await a.page.reload();
  await expect(storedBubbles(a.page)).toHaveText(["안녕하세요", "반갑습니다", "다음 메시지"]);

  await a.context.close();
  await b.context.close();
});

import { describe, expect, it } from "vitest";
import { emojiOnlyCount } from "./emoji";

describe("emojiOnlyCount", () => {
  it("counts one to three emoji", () => {
    expect(emojiOnlyCount("😀")).toBe(1);
    expect(emojiOnlyCount("😀😂")).toBe(2);
    expect(emojiOnlyCount("👍 👍 👍")).toBe(3);
    expect(emojiOnlyCount("  🎉\n")).toBe(1);
  });

  it("treats what users see as one emoji as one", () => {
    expect(emojiOnlyCount("👩‍👩‍👧")).toBe(1); // ZWJ family
    expect(emojiOnlyCount("👍🏽")).toBe(1); // skin tone
    expect(emojiOnlyCount("🇰🇷")).toBe(1); // flag
    expect(emojiOnlyCount("❤️")).toBe(1); // variation selector
    expect(emojiOnlyCount("1️⃣")).toBe(1); // keycap
    expect(emojiOnlyCount("🏴󠁧󠁢󠁳󠁣󠁴󠁿")).toBe(1); // tag sequence
    expect(emojiOnlyCount("🧑‍🦰")).toBe(1);
    expect(emojiOnlyCount("❤️‍🔥🇰🇷👩‍👩‍👧")).toBe(3);
  });

  it("is 0 for text, more than three emoji, or symbols drawn as text", () => {
    expect(emojiOnlyCount("")).toBe(0);
    expect(emojiOnlyCount("   ")).toBe(0);
    expect(emojiOnlyCount("안녕 😀")).toBe(0);
    expect(emojiOnlyCount("😀!")).toBe(0);
    expect(emojiOnlyCount("😀😀😀😀")).toBe(0);
    expect(emojiOnlyCount("123")).toBe(0);
    expect(emojiOnlyCount("#")).toBe(0);
    expect(emojiOnlyCount("©")).toBe(0);
    expect(emojiOnlyCount("™")).toBe(0);
    expect(emojiOnlyCount("ㅋㅋㅋ")).toBe(0);
    expect(emojiOnlyCount("^^")).toBe(0);
  });
});

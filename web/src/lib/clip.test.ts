import { describe, expect, it } from "vitest";
import { codePoints } from "../../../worker/contract/limits";
import { clipText, PREVIEW_CODE_POINTS } from "./clip";

describe("clipText", () => {
  it("leaves a message that fits alone", () => {
    expect(clipText("가".repeat(PREVIEW_CODE_POINTS))).toBeNull();
    expect(clipText("짧은 메시지")).toBeNull();
  });

  it("cuts a long message at the limit, counted in code points", () => {
    const clipped = clipText("가".repeat(10_000))!;
    expect(clipped).toBe("가".repeat(PREVIEW_CODE_POINTS));
    const emoji = clipText("😀".repeat(600))!;
    expect(codePoints(emoji)).toBe(PREVIEW_CODE_POINTS);
    expect(emoji.length).toBe(PREVIEW_CODE_POINTS * 2);
  });

  it("never splits a surrogate pair, a conjoining-jamo syllable or an emoji sequence", () => {
    // one code unit, then pairs: the 500th code point would be half of a pair at a UTF-16 cut
    const astral = clipText(`a${"😀".repeat(600)}`)!;
    expect(astral).toBe(`a${"😀".repeat(PREVIEW_CODE_POINTS - 1)}`);
    // 한 spelled as three jamo (ᄒ ᅡ ᆫ): 499 + 3 crosses the limit, so the syllable goes whole to the rest
    const jamo = "\u1112\u1161\u11ab";
    const clipped = clipText(`${"a".repeat(PREVIEW_CODE_POINTS - 1)}${jamo}${"b".repeat(100)}`)!;
    expect(clipped).toBe("a".repeat(PREVIEW_CODE_POINTS - 1));
    const family = "👨‍👩‍👧";
    expect(clipText(`${"a".repeat(PREVIEW_CODE_POINTS - 2)}${family}${"b".repeat(100)}`)).toBe("a".repeat(PREVIEW_CODE_POINTS - 2));
  });

  it("keeps a link whole: stops before one it would split, or after one the message starts with", () => {
    const url = "https://example.com/a-rather-long-path";
    const before = clipText(`${"a".repeat(PREVIEW_CODE_POINTS - 10)} ${url} ${"b".repeat(600)}`)!;
    expect(before).toBe("a".repeat(PREVIEW_CODE_POINTS - 10));
    const long = `https://example.com/${"x".repeat(600)}`;
    expect(clipText(`${long} ${"b".repeat(600)}`)).toBe(long);
    const early = clipText(`see ${url} ${"b".repeat(1000)}`)!;
    expect(early.startsWith(`see ${url} b`)).toBe(true);
    expect(codePoints(early)).toBe(PREVIEW_CODE_POINTS);
  });
});

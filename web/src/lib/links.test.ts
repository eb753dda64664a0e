import { describe, expect, it } from "vitest";
import { splitLinks } from "./links";

describe("splitLinks: only http(s) URLs become links", () => {
  it("keeps text around a link and drops the sentence's punctuation from it", () => {
    expect(splitLinks("see https://example.com/a?q=1, then")).toEqual([
      { kind: "text", text: "see " },
      { kind: "link", text: "https://example.com/a?q=1", href: "https://example.com/a?q=1" },
      { kind: "text", text: ", then" },
    ]);
  });

  it("never links other schemes", () => {
    for (const body of ["javascript:alert(1)", "data:text/html,<b>x</b>", "file:///etc/passwd", "vbscript:msgbox"]) {
      expect(splitLinks(body).every((part) => part.kind === "text")).toBe(true);
    }
  });

  it("finds several links, including in Korean text and across lines", () => {
    const parts = splitLinks("여기 http://a.example/x 그리고\nhttps://b.example/y.");
    expect(parts.filter((p) => p.kind === "link").map((p) => p.text)).toEqual(["http://a.example/x", "https://b.example/y"]);
    expect(parts.map((p) => p.text).join("")).toBe("여기 http://a.example/x 그리고\nhttps://b.example/y.");
  });

  it("leaves plain text as one part and an empty body as none", () => {
    expect(splitLinks("안녕하세요")).toEqual([{ kind: "text", text: "안녕하세요" }]);
    expect(splitLinks("")).toEqual([]);
  });
});

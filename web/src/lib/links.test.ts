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

describe("a link's text shows where it goes", () => {
  const link = (body: string) => splitLinks(body).find((p) => p.kind === "link")!;

  it("keeps ordinary links as typed", () => {
    for (const url of ["https://example.com", "https://example.com/", "http://a.example:8080/x/y?q=1&r=2#top"]) {
      expect(link(url).text).toBe(url);
    }
  });

  it("keeps non-ASCII letters of a path readable while the href holds them encoded", () => {
    expect(link("https://ko.wikipedia.org/wiki/서울")).toEqual({
      kind: "link",
      text: "https://ko.wikipedia.org/wiki/서울",
      href: "https://ko.wikipedia.org/wiki/%EC%84%9C%EC%9A%B8",
    });
  });

  it("shows a right-to-left override escaped, so `…\\u202Egpj.exe` cannot read as `…exe.jpg`", () => {
    const part = link("https://evil.com/\u202Egpj.exe");
    expect(part.text).toBe("https://evil.com/%E2%80%AEgpj.exe");
    expect(part.href).toBe("https://evil.com/%E2%80%AEgpj.exe");
    expect(part.text).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u200B-\u200F]/);
  });

  it("escapes zero-width and other hidden characters and keeps encoded ASCII encoded", () => {
    expect(link("https://example.com/a\u200Bb%2Fc%20d").text).toBe("https://example.com/a%E2%80%8Bb%2Fc%20d");
  });

  it("drops the userinfo: `https://google.com@evil.com/` shows evil.com", () => {
    expect(link("https://google.com@evil.com/")).toEqual({ kind: "link", text: "https://evil.com/", href: "https://google.com@evil.com/" });
    expect(link("https://user:pass@example.com/x").text).toBe("https://example.com/x");
  });

  it("shows a look-alike or other non-ASCII host in punycode", () => {
    // "gооgle" with two Cyrillic о (U+043E)
    expect(link("https://g\u043e\u043egle.com/login").text).toBe("https://xn--ggle-55da.com/login");
    expect(link("https://한국.kr/").text).toBe("https://xn--3e0b707e.kr/");
  });
});

import { describe, expect, it } from "vitest";
import { formatMessage } from "./format";

const unread = "{n, plural, one {# unread message} other {# unread messages}}";

describe("formatMessage", () => {
  it("picks the English plural form by the count", () => {
    expect(formatMessage("en", unread, { n: 1 })).toBe("1 unread message");
    expect(formatMessage("en", unread, { n: 0 })).toBe("0 unread messages");
    expect(formatMessage("en", unread, { n: 2 })).toBe("2 unread messages");
    expect(formatMessage("en", unread, { n: 1234 })).toBe("1234 unread messages");
  });

  it("prefers an exact =N form, and falls back to other", () => {
    const text = "{n, plural, =0 {nothing} one {# thing} other {# things}}";
    expect(formatMessage("en", text, { n: 0 })).toBe("nothing");
    expect(formatMessage("ko", "{n, plural, one {# one} other {#개}}", { n: 1 })).toBe("1개");
  });

  it("fills plain values around a plural and leaves unknown names alone", () => {
    expect(formatMessage("en", "{name} has {n, plural, one {# friend} other {# friends}}", { name: "Minji", n: 1 })).toBe("Minji has 1 friend");
    expect(formatMessage("en", "Friends {n} {x}", { n: 3 })).toBe("Friends 3 {x}");
    expect(formatMessage("en", "{n, plural, one {#} other {#}}")).toBe("{n, plural, one {#} other {#}}");
  });
});

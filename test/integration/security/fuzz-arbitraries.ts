/**
 * fast-check arbitraries shared by the fuzz tests: hostile strings (lone surrogates, NUL, RTL and
 * zero-width marks, emoji, boundary lengths), arbitrary JSON values, and bodies that are not JSON.
 */
import fc from "fast-check";

/** Fixed seeds: a failure prints its seed and path and replays the same way. */
export const SEED = 20261124;

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));

/** Characters that break naive code: controls, direction marks, surrogates, markup, quotes. */
const nastyUnit = fc.oneof(
  fc.constantFrom(
    "\u0000", "\u0001", "\u001f", "\u007f", "\t", "\n", "\r", " ", "\u00a0", "\u2028", "\u2029",
    "\u202e", "\u202d", "\u200f", "\u200e", "\u200b", "\u200d", "\ufeff", "\ufffd", "\uffff",
    "😀", "👨‍👩‍👧‍👦", "🏳️‍🌈", "e\u0301", "한", "\u1100\u1161", "𝕏", "ﷺ", "İ", "ß",
    "<", ">", "&", '"', "'", "`", "\\", "/", "%", "%00", "%ZZ", "$", "{", "}", "[", "]", ":", ",", ";", "=",
    "a", "Z", "0", "_", ".", "-",
  ),
  loneSurrogate,
);

/** Strings at and around the contract's limits. */
const boundaryString = fc.constantFrom(
  "", " ", "   ", "\u3000", "a", "ab", "abc", "a".repeat(20), "a".repeat(21), "a".repeat(30), "a".repeat(31),
  "한".repeat(30), "한".repeat(31), "😀".repeat(30), "😀".repeat(31), "x".repeat(7), "x".repeat(8), "x".repeat(128),
  "x".repeat(129), "😀".repeat(128), "x".repeat(1024), "x".repeat(1025), "a".repeat(64), "a".repeat(65), "😀".repeat(64),
  "x".repeat(10_000), "x".repeat(10_001), "한".repeat(10_000), "😀".repeat(10_000), "😀".repeat(10_001),
  "null", "undefined", "true", "0", "-1", "1e999", "NaN", "__proto__", "constructor", "toString", "hasOwnProperty",
  "' OR 1=1 --", "\"; drop table users; --", "../../etc/passwd", "<script>alert(1)</script>",
);

/** Hostile strings up to a few hundred characters (for URLs, headers and query strings). */
export const nastyShortString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: nastyUnit, maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 40 }) },
  { weight: 2, arbitrary: boundaryString.filter((s) => s.length <= 300) },
  { weight: 2, arbitrary: fc.stringMatching(/^[ A-Za-z0-9_.]{0,24}$/) },
);

/** Hostile strings including huge ones (up to ~70k units) and every boundary length of the contract. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 9, arbitrary: nastyShortString },
  { weight: 2, arbitrary: boundaryString },
  { weight: 1, arbitrary: fc.tuple(fc.nat({ max: 70_000 }), nastyUnit).map(([n, u]) => u.repeat(Math.ceil(n / u.length))) },
);

export const anyNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, 1, -1, 0.5, 1.5, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e21, 1e308, -1e308, Number.MIN_VALUE, 999_999_999_999_999),
);

/** Any JSON-able value (NaN/Infinity become null when stringified), hostile strings included. */
export const anyValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    nastyString,
    anyNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(nastyString, tie("value"), { maxKeys: 4 }),
  ),
})).value;

/** An object with some of `fields` (each any value) and maybe extra keys. */
export const nearObject = (fields: Record<string, fc.Arbitrary<unknown>>) =>
  fc
    .tuple(
      fc.record(fields, { requiredKeys: [] }),
      fc.option(fc.dictionary(fc.oneof(nastyString, fc.constantFrom("__proto__", "constructor", "prototype", "id", "userId", "isAdmin")), anyValue, { maxKeys: 3 }), { nil: undefined }),
    )
    .map(([base, extra]) => ({ ...(extra ?? {}), ...base }));

/** A field value: usually plausible, often hostile, sometimes the wrong type entirely. */
export const fieldValue = (plausible: fc.Arbitrary<unknown>) => fc.oneof({ weight: 3, arbitrary: plausible }, { weight: 2, arbitrary: nastyString }, { weight: 1, arbitrary: anyValue });

export const deepNesting = (depth: number, open = "[", close = "]") => open.repeat(depth) + close.repeat(depth);

/** A request body: JSON of the value, or something that is not JSON at all. */
export const bodyFor = (value: fc.Arbitrary<unknown>): fc.Arbitrary<string | Uint8Array> =>
  fc.oneof(
    { weight: 8, arbitrary: value.map((v) => JSON.stringify(v)) },
    { weight: 2, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: value.map((v) => JSON.stringify(v)).chain((s) => fc.nat({ max: Math.max(0, s.length - 1) }).map((n) => s.slice(0, n))) },
    { weight: 1, arbitrary: fc.string({ unit: nastyUnit, maxLength: 60 }) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        "", "null", "[]", "{}", "0", '"string"', "true", "{", "}", '{"a":}', "{'a':1}", "\ufeff{}", "[1,]", '{"a":1,,}',
        deepNesting(5_000), deepNesting(5_000, '{"a":', "}"), "\u0000", "NaN", "Infinity", '{"__proto__":{"polluted":true}}',
        '{"constructor":{"prototype":{"polluted":true}}}',
      ),
    },
  );

export const contentType = fc.constantFrom(
  "application/json",
  "application/json",
  "application/json",
  "application/json; charset=utf-8",
  "application/json; charset=latin1",
  "APPLICATION/JSON",
  "text/plain",
  "text/html",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/json, text/html",
  "application/jsonp",
  "",
  undefined,
);

/** String.prototype.toWellFormed (ES2024): lone surrogates become U+FFFD. */
export const wellFormed = (s: string) => s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");

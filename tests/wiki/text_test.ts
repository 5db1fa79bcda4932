import assert from "node:assert/strict";
import { countWords, findCodeRanges, makeSnippet, splitLines, tokenize, utf8Bytes } from "../../lib/wiki/text.ts";

Deno.test("text - countWords counts runs with a letter or digit", () => {
  assert.equal(countWords(""), 0);
  assert.equal(countWords("  one  two\nthree\tfour "), 4);
  assert.equal(countWords("# Title\n\n- item 1\n---\n| a | b |"), 5);
  assert.equal(countWords("naïve café 日本語"), 3);
});

Deno.test("text - tokenize lowercases, NFCs and splits on non-letters", () => {
  assert.deepEqual(tokenize("Hello, Wörld-2!"), ["hello", "wörld", "2"]);
  assert.deepEqual(tokenize("Cafe\u0301"), ["caf\u00e9"]);
  assert.deepEqual(tokenize("snake_case and dot.ted"), ["snake", "case", "and", "dot", "ted"]);
  assert.deepEqual(tokenize("  ...  "), []);
  assert.deepEqual(tokenize("running runs"), ["running", "runs"]); // no stemming
  assert.deepEqual(tokenize("हिन्दी"), ["हिन्दी"]); // combining marks keep the word whole
});

Deno.test("text - utf8Bytes matches TextEncoder", () => {
  for (const s of ["", "abc", "é", "€", "😀", "a😀é€", "\ud800", "x\udc00y"]) {
    assert.equal(utf8Bytes(s), new TextEncoder().encode(s).length, JSON.stringify(s));
  }
});

Deno.test("text - makeSnippet returns short bodies whole, whitespace collapsed", () => {
  assert.equal(makeSnippet("  a\n\n b\tc  ", ["b"]), "a b c");
});

Deno.test("text - makeSnippet centres on the first match of any term", () => {
  const body = "alpha ".repeat(50) + "The NEEDLE is here " + "omega ".repeat(50);
  const s = makeSnippet(body, ["needle"]);
  assert.ok(s.startsWith("…") && s.endsWith("…"), s);
  assert.ok(s.includes("The NEEDLE is here"), s);
  assert.ok(s.length <= 152, `${s.length}`);
  assert.ok(s.length >= 120, `${s.length}`);
  const needleAt = s.indexOf("NEEDLE");
  assert.ok(needleAt > 40 && needleAt < 110, `${needleAt}`);
});

Deno.test("text - makeSnippet prefers a whole-word match over a substring", () => {
  const body = "concatenate ".repeat(30) + "a cat sat " + "x ".repeat(100);
  assert.match(makeSnippet(body, ["cat"]), /a cat sat/);
  assert.match(makeSnippet("x ".repeat(100) + "concatenate " + "y ".repeat(100), ["cat"]), /concatenate/);
});

Deno.test("text - makeSnippet without a match starts at the body start", () => {
  const body = "first words " + "filler ".repeat(60);
  const s = makeSnippet(body, ["absent"]);
  assert.ok(s.startsWith("first words"), s);
  assert.ok(s.endsWith("…"));
  assert.ok(!s.endsWith(" …") && !s.includes("fille…"), s); // cut between words
});

Deno.test("text - makeSnippet respects width", () => {
  const body = "word ".repeat(200);
  assert.ok(makeSnippet(body, ["word"], 40).length <= 42);
});

Deno.test("text - splitLines handles CRLF and offsets", () => {
  const lines = splitLines("a\r\nbc\n\nd");
  assert.deepEqual(lines.map((l) => l.text), ["a", "bc", "", "d"]);
  assert.deepEqual(lines.map((l) => [l.start, l.end, l.next]), [[0, 1, 3], [3, 5, 6], [6, 6, 7], [7, 8, 8]]);
});

Deno.test("text - findCodeRanges finds fences and spans", () => {
  const md = "a `x` b\n```\ncode\n```\nc ``y``";
  const ranges = findCodeRanges(md).map((r) => md.slice(r.start, r.end));
  assert.deepEqual(ranges, ["`x`", "```\ncode\n```", "``y``"]);
});

Deno.test("text - hostile 1 MB inputs take linear time", () => {
  const inputs = ["-".repeat(1_000_000), " ".repeat(1_000_000) + "x", "`".repeat(999) + "a".repeat(1_000_000)];
  for (const input of inputs) {
    const t = performance.now();
    countWords(input);
    tokenize(input);
    findCodeRanges(input);
    makeSnippet(input, ["x", "a"]);
    assert.ok(performance.now() - t < 5000, `${(performance.now() - t).toFixed(0)} ms`);
  }
});

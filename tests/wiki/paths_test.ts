import assert from "node:assert/strict";
import { canonicalPath, isCanonicalPath, MAX_PATH_BYTES, pageName, parentPath } from "../../lib/wiki/paths.ts";
import { InvalidInputError } from "../../lib/errors.ts";

/** Asserts that canonicalPath(input) throws InvalidInputError with exactly `message`. */
function assertInvalid(input: string, message: string): void {
  assert.throws(() => canonicalPath(input), (e: unknown) => {
    assert.ok(e instanceof InvalidInputError, `expected InvalidInputError, got ${e}`);
    assert.equal(e.message, message);
    assert.equal(e.status, 422);
    return true;
  });
}

Deno.test("paths - canonical paths are returned unchanged", () => {
  for (const p of ["Home", "Design/Auth", "Projects/Q3 Plan/Notes", "Café", "日本語/ページ", "a.b", "...", "v1.2"]) {
    assert.equal(canonicalPath(p), p);
    assert.equal(isCanonicalPath(p), true);
  }
});

Deno.test("paths - underscores become spaces", () => {
  assert.equal(canonicalPath("Design_Notes/Auth_Flow"), "Design Notes/Auth Flow");
  assert.equal(isCanonicalPath("Design_Notes"), false);
});

Deno.test("paths - runs of spaces, underscores and Unicode spaces become one space", () => {
  assert.equal(canonicalPath("A   B"), "A B");
  assert.equal(canonicalPath("A _ B"), "A B");
  assert.equal(canonicalPath("A__B"), "A B");
  assert.equal(canonicalPath("A\u00a0\u3000B"), "A B");
});

Deno.test("paths - each segment is trimmed", () => {
  assert.equal(canonicalPath("  Design / Auth  "), "Design/Auth");
  assert.equal(canonicalPath("_Design_/_Auth_"), "Design/Auth");
});

Deno.test("paths - NFD becomes NFC", () => {
  const nfd = "Cafe\u0301/Re\u0301sume\u0301";
  const out = canonicalPath(nfd);
  assert.equal(out, "Caf\u00e9/R\u00e9sum\u00e9");
  assert.equal(out.length, 11);
  assert.equal(isCanonicalPath(nfd), false);
});

Deno.test("paths - case is kept and significant", () => {
  assert.equal(canonicalPath("Design"), "Design");
  assert.equal(canonicalPath("design"), "design");
  assert.notEqual(canonicalPath("Design"), canonicalPath("design"));
});

Deno.test("paths - empty path is invalid", () => {
  const msg = (q: string) =>
    `Invalid page path ${q}: a page path cannot be empty; use a name such as "Home" or "Projects/Plan".`;
  assertInvalid("", msg('""'));
  assertInvalid("   ", msg('"   "'));
  assertInvalid("__", msg('"__"'));
  assertInvalid("/", msg('"/"'));
});

Deno.test("paths - leading slash is invalid, with the fix", () => {
  assertInvalid("/Foo", 'Invalid page path "/Foo": paths have no leading "/"; use "Foo".');
  assertInvalid("//Foo/Bar", 'Invalid page path "//Foo/Bar": paths have no leading "/"; use "Foo/Bar".');
  assertInvalid(" /Foo_Bar", 'Invalid page path " /Foo_Bar": paths have no leading "/"; use "Foo Bar".');
});

Deno.test("paths - trailing slash is invalid, with the fix", () => {
  assertInvalid("Foo/", 'Invalid page path "Foo/": paths have no trailing "/"; use "Foo".');
  assertInvalid("Foo/Bar/ ", 'Invalid page path "Foo/Bar/ ": paths have no trailing "/"; use "Foo/Bar".');
});

Deno.test("paths - empty segment is invalid, with the fix", () => {
  const msg = (q: string, fix: string) =>
    `Invalid page path "${q}": it has an empty segment ("//" or a blank segment); use "${fix}".`;
  assertInvalid("A//B", msg("A//B", "A/B"));
  assertInvalid("A/ /B", msg("A/ /B", "A/B"));
  assertInvalid("A/_/B", msg("A/_/B", "A/B"));
});

Deno.test("paths - dot segments are invalid", () => {
  const msg = (q: string, seg: string) =>
    `Invalid page path "${q}": "${seg}" is not allowed as a path segment (page paths are names, not relative ` +
    `file paths); write the full page path without it.`;
  assertInvalid(".", msg(".", "."));
  assertInvalid("..", msg("..", ".."));
  assertInvalid("A/./B", msg("A/./B", "."));
  assertInvalid("A/../B", msg("A/../B", ".."));
  assertInvalid("A/ .. ", msg("A/ .. ", ".."));
  assert.equal(canonicalPath("A/.../B"), "A/.../B");
  assert.equal(canonicalPath(".hidden/..x"), ".hidden/..x");
});

Deno.test("paths - control characters are invalid and escaped in the message", () => {
  const cases: [string, string, string][] = [
    ["A\u0000B", "A\\u0000B", "U+0000"],
    ["A\tB", "A\\u0009B", "U+0009"],
    ["A\nB", "A\\u000AB", "U+000A"],
    ["A\rB", "A\\u000DB", "U+000D"],
    ["A\u001fB", "A\\u001FB", "U+001F"],
    ["A\u007fB", "A\\u007FB", "U+007F"],
    ["A\u0085B", "A\\u0085B", "U+0085"],
    ["A\u009fB", "A\\u009FB", "U+009F"],
  ];
  for (const [input, shown, name] of cases) {
    assertInvalid(input, `Invalid page path "${shown}": it contains the control character ${name}; remove it.`);
  }
});

Deno.test("paths - each forbidden character is invalid", () => {
  for (const c of ["[", "]", "|", "#", "<", ">", "\\"]) {
    assertInvalid(
      `A${c}B`,
      `Invalid page path "A${c}B": "${c}" is not allowed in page paths (none of [ ] | # < > \\ are, they clash ` +
        `with WikiLink and URL syntax); remove or replace it.`,
    );
  }
});

Deno.test("paths - unpaired surrogates are invalid", () => {
  assertInvalid(
    "A\ud800B",
    'Invalid page path "A\\uD800B": it contains an unpaired UTF-16 surrogate (broken Unicode); send valid Unicode text.',
  );
});

Deno.test("paths - byte limit counts UTF-8 bytes of the canonical form", () => {
  assert.equal(MAX_PATH_BYTES, 512);
  const ok = "é".repeat(256); // 512 bytes
  assert.equal(canonicalPath(ok), ok);
  const tooLong = "é".repeat(200) + "€".repeat(38); // 400 + 114 = 514 bytes, 238 chars
  assertInvalid(
    tooLong,
    `Invalid page path "${"é".repeat(60)}…": it is 514 bytes long in UTF-8, over the limit of 512 bytes; ` +
      `use a shorter path.`,
  );
  // Counted after normalization: 600 bytes of spaces collapse away.
  assert.equal(canonicalPath("A" + " ".repeat(600) + "B"), "A B");
  // Emoji (4 bytes each): 128 fit, 129 do not.
  assert.equal(canonicalPath("😀".repeat(128)).length, 256);
  assert.throws(() => canonicalPath("😀".repeat(129)), /516 bytes long/);
});

Deno.test("paths - a non-string input is invalid", () => {
  assert.throws(
    () => canonicalPath(42 as unknown as string),
    (e: unknown) => e instanceof InvalidInputError && e.message === "Invalid page path: expected a string, got number.",
  );
});

Deno.test("paths - pageName and parentPath", () => {
  assert.equal(pageName("Design/Auth Flow"), "Auth Flow");
  assert.equal(pageName("Home"), "Home");
  assert.equal(parentPath("A/B/C"), "A/B");
  assert.equal(parentPath("Home"), null);
});

import assert from "node:assert/strict";
import { analyzeContent, parseFrontmatter, tagList } from "../../lib/wiki/frontmatter.ts";

Deno.test("frontmatter - parses a YAML mapping and returns the body", () => {
  const r = parseFrontmatter("---\ntitle: Plan\ntags: [a, b]\n---\n# Body\n");
  assert.deepEqual(r, { data: { title: "Plan", tags: ["a", "b"] }, body: "# Body\n", error: null });
});

Deno.test("frontmatter - no block", () => {
  assert.deepEqual(parseFrontmatter("# Hi\n---\nx: 1\n---\n"), {
    data: {},
    body: "# Hi\n---\nx: 1\n---\n",
    error: null,
  });
  // An opening line without a closing line is not a block.
  assert.deepEqual(parseFrontmatter("---\nx: 1\n"), { data: {}, body: "---\nx: 1\n", error: null });
  assert.deepEqual(parseFrontmatter(""), { data: {}, body: "", error: null });
});

Deno.test("frontmatter - empty block is valid", () => {
  assert.deepEqual(parseFrontmatter("---\n---\nbody"), { data: {}, body: "body", error: null });
});

Deno.test("frontmatter - CRLF, BOM and trailing spaces on delimiters", () => {
  assert.deepEqual(parseFrontmatter("\ufeff---  \r\nt: x\r\n---\t\r\nbody\r\n"), {
    data: { t: "x" },
    body: "body\r\n",
    error: null,
  });
});

Deno.test("frontmatter - invalid YAML gives empty data, the body and a located error", () => {
  assert.deepEqual(parseFrontmatter('---\ntitle: ok\nt: "open\n---\nbody'), {
    data: {},
    body: "body",
    error: 'Frontmatter is not valid YAML (line 4, column 1): Missing closing "quote. Fix the block between the ' +
      '"---" lines.',
  });
  assert.equal(
    parseFrontmatter("---\na: 1\na: 2\n---\n").error,
    'Frontmatter is not valid YAML (line 3, column 1): Map keys must be unique. Fix the block between the "---" lines.',
  );
  assert.equal(
    parseFrontmatter("---\nx: *nowhere\n---\n").error,
    "Frontmatter is not valid YAML: Unresolved alias (the anchor must be set before the alias): nowhere.",
  );
});

Deno.test("frontmatter - non-mapping YAML is an error", () => {
  assert.deepEqual(parseFrontmatter("---\n- a\n- b\n---\nbody"), {
    data: {},
    body: "body",
    error: 'Frontmatter must be a YAML mapping of "key: value" lines, not a list.',
  });
  assert.equal(
    parseFrontmatter("---\njust text\n---\n").error,
    'Frontmatter must be a YAML mapping of "key: value" lines, not a string.',
  );
});

Deno.test("frontmatter - alias bombs are refused", () => {
  const bomb = "---\na: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n" +
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n---\n";
  const r = parseFrontmatter(bomb);
  assert.deepEqual(r.data, {});
  assert.match(r.error ?? "", /^Frontmatter is not valid YAML: Excessive alias count/);
});

Deno.test("frontmatter - values are plain, structured-clone and JSON safe", () => {
  const r = parseFrontmatter(
    "---\nd: !!timestamp 2026-03-09\nb: !!binary aGk=\n? [k]\n: 1\n__proto__: {polluted: 1}\nn: {x: [1, null]}\n---\n",
  );
  assert.equal(r.error, null);
  assert.deepEqual(r.data, { d: "2026-03-09T00:00:00.000Z", b: "aGk=", '["k"]': 1, n: { x: [1, null] } });
  assert.equal(Object.getPrototypeOf(r.data), Object.prototype);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.deepEqual(structuredClone(r.data), r.data);
  assert.deepEqual(JSON.parse(JSON.stringify(r.data)), r.data);
  // Plain YAML 1.2 dates stay strings.
  assert.deepEqual(parseFrontmatter("---\nlast_updated: 2026-03-09\n---\n").data, { last_updated: "2026-03-09" });
});

Deno.test("frontmatter - tagList accepts a list or a comma string", () => {
  assert.deepEqual(tagList(["a", " b ", "", "a", 2, null, { x: 1 }]), ["a", "b", "2"]);
  assert.deepEqual(tagList("a, b ,,a, c"), ["a", "b", "c"]);
  assert.deepEqual(tagList(undefined), []);
  assert.deepEqual(tagList(5), []);
});

Deno.test("frontmatter - analyzeContent derives title, category, tags, words, links", () => {
  const content = '---\ntitle: "  The Plan "\ncategory: index\ntags: alpha, beta\n---\n# Heading\n\nSee [[Other]] ' +
    "and [[/Next|next]].\n";
  assert.deepEqual(analyzeContent("Projects/Plan", content), {
    title: "The Plan",
    category: "index",
    tags: ["alpha", "beta"],
    frontmatter: { title: "  The Plan ", category: "index", tags: "alpha, beta" },
    words: 5,
    links: ["Next", "Other"],
  });
});

Deno.test("frontmatter - analyzeContent falls back to the last path segment", () => {
  const a = analyzeContent("Projects/Q3 Plan", '---\ntitle: "  "\ncategory: [x]\n---\none two');
  assert.equal(a.title, "Q3 Plan");
  assert.equal(a.category, null);
  assert.deepEqual(a.tags, []);
  assert.equal(a.words, 2);
  assert.equal(analyzeContent("A/B", "no frontmatter").title, "B");
  assert.equal(analyzeContent("A/B", "---\ntitle: 1984\n---\n").title, "1984");
});

Deno.test("frontmatter - analyzeContent with broken YAML still counts the body", () => {
  const a = analyzeContent("P", "---\ntitle: [\n---\nthree body words [[L]]");
  assert.equal(a.title, "P");
  assert.deepEqual(a.frontmatter, {});
  assert.equal(a.words, 4);
  assert.deepEqual(a.links, ["L"]);
});

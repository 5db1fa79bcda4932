import assert from "node:assert/strict";
import { findSection, listSections } from "../../lib/wiki/sections.ts";

const PAGE = [
  "---",
  "title: Strategy notes",
  "# yaml comment, not a heading",
  "---",
  "# Intro",
  "intro text",
  "## Background",
  "bg text",
  "### Military Strategy",
  "ms text",
  "```",
  "## Not A Heading",
  "```",
  "~~~",
  "# Nor this",
  "~~~",
  "## Notes ##",
  "intro notes",
  "#hashtag is not a heading",
  "# Appendix",
  "## Notes",
  "appendix notes",
  "",
  "",
].join("\n");

Deno.test("sections - listSections nests headings, ignores code and frontmatter", () => {
  assert.deepEqual(listSections(PAGE), [
    "Intro",
    "Intro > Background",
    "Intro > Background > Military Strategy",
    "Intro > Notes",
    "Appendix",
    "Appendix > Notes",
  ]);
  assert.deepEqual(listSections("no headings"), []);
  assert.deepEqual(listSections("#\n# \n    # indented code\n"), []);
});

Deno.test("sections - a level jump still nests under the last shallower heading", () => {
  assert.deepEqual(listSections("# A\n### C\n## B\n# D"), ["A", "A > C", "A > B", "D"]);
});

Deno.test("sections - exact path", () => {
  assert.deepEqual(findSection(PAGE, "Intro > Background"), {
    ok: true,
    path: "Intro > Background",
    text: "## Background\nbg text\n### Military Strategy\nms text\n```\n## Not A Heading\n```\n~~~\n# Nor this\n~~~",
  });
});

Deno.test("sections - path suffix and re-spaced separators", () => {
  const want = {
    ok: true,
    path: "Intro > Background > Military Strategy",
    text: "### Military Strategy\nms text\n" +
      "```\n## Not A Heading\n```\n~~~\n# Nor this\n~~~",
  };
  assert.deepEqual(findSection(PAGE, "Background > Military Strategy"), want);
  assert.deepEqual(findSection(PAGE, "Background>Military Strategy"), want);
  assert.deepEqual(findSection(PAGE, "  Military Strategy "), want);
});

Deno.test("sections - title match is case-insensitive", () => {
  const r = findSection(PAGE, "military strategy");
  assert.equal(r.ok && r.path, "Intro > Background > Military Strategy");
  const a = findSection(PAGE, "APPENDIX");
  assert.deepEqual(a, { ok: true, path: "Appendix", text: "# Appendix\n## Notes\nappendix notes" });
});

Deno.test("sections - section ends at the next heading of the same or higher level", () => {
  assert.deepEqual(findSection(PAGE, "Intro > Notes"), {
    ok: true,
    path: "Intro > Notes",
    text: "## Notes ##\nintro notes\n#hashtag is not a heading",
  });
});

Deno.test("sections - ambiguous title lists the matching paths", () => {
  assert.deepEqual(findSection(PAGE, "Notes"), {
    ok: false,
    reason: "ambiguous",
    candidates: ["Intro > Notes", "Appendix > Notes"],
  });
  assert.deepEqual(findSection(PAGE, "notes"), {
    ok: false,
    reason: "ambiguous",
    candidates: ["Intro > Notes", "Appendix > Notes"],
  });
});

Deno.test("sections - an exact path beats suffix matches", () => {
  const page = "# Notes\ntop\n# Other\n## Notes\nsub";
  assert.deepEqual(findSection(page, "Notes"), { ok: true, path: "Notes", text: "# Notes\ntop" });
});

Deno.test("sections - a repeated path resolves to its first section", () => {
  const page = "# A\n## X\none\n## X\ntwo";
  assert.deepEqual(listSections(page), ["A", "A > X"]);
  assert.deepEqual(findSection(page, "X"), { ok: true, path: "A > X", text: "## X\none" });
});

Deno.test("sections - not found lists all sections", () => {
  assert.deepEqual(findSection(PAGE, "Missing"), { ok: false, reason: "not_found", candidates: listSections(PAGE) });
  assert.deepEqual(findSection(PAGE, "   "), { ok: false, reason: "not_found", candidates: listSections(PAGE) });
  assert.deepEqual(findSection("plain", "x"), { ok: false, reason: "not_found", candidates: [] });
  // A partial title is not a match.
  assert.equal(findSection(PAGE, "Strategy").ok, false);
});

Deno.test("sections - a title containing '>' is found as typed", () => {
  const page = "# Flow\n## A -> B\ntext";
  assert.deepEqual(findSection(page, "A -> B"), { ok: true, path: "Flow > A -> B", text: "## A -> B\ntext" });
});

Deno.test("sections - closing hashes and tabs", () => {
  assert.deepEqual(listSections("#\tTabbed\n## C#\n## Notes ##   \n### ###\n####### seven"), [
    "Tabbed",
    "Tabbed > C#",
    "Tabbed > Notes",
  ]);
});

Deno.test("sections - hostile long lines take linear time", () => {
  const page = "# a" + " ".repeat(500_000) + "x\n" + "## b" + "\t".repeat(300_000) + "#".repeat(100) + "y\n";
  const t = performance.now();
  assert.equal(listSections(page).length, 2);
  assert.equal(findSection(page, "zzz").ok, false);
  assert.ok(performance.now() - t < 1000, `${(performance.now() - t).toFixed(0)} ms`);
});

import assert from "node:assert/strict";
import { findSection, listSections, MAX_LISTED_PATH_CHARS, MAX_LISTED_SECTIONS } from "../../lib/wiki/sections.ts";

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
  assert.deepEqual(listSections(PAGE).paths, [
    "Intro",
    "Intro > Background",
    "Intro > Background > Military Strategy",
    "Intro > Notes",
    "Appendix",
    "Appendix > Notes",
  ]);
  assert.deepEqual(listSections("no headings").paths, []);
  assert.deepEqual(listSections("#\n# \n    # indented code\n").paths, []);
});

Deno.test("sections - a level jump still nests under the last shallower heading", () => {
  assert.deepEqual(listSections("# A\n### C\n## B\n# D").paths, ["A", "A > C", "A > B", "D"]);
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
    more: 0,
  });
  assert.deepEqual(findSection(PAGE, "notes"), {
    ok: false,
    reason: "ambiguous",
    candidates: ["Intro > Notes", "Appendix > Notes"],
    more: 0,
  });
});

Deno.test("sections - an exact path beats suffix matches", () => {
  const page = "# Notes\ntop\n# Other\n## Notes\nsub";
  assert.deepEqual(findSection(page, "Notes"), { ok: true, path: "Notes", text: "# Notes\ntop" });
});

Deno.test("sections - a repeated path resolves to its first section", () => {
  const page = "# A\n## X\none\n## X\ntwo";
  assert.deepEqual(listSections(page).paths, ["A", "A > X"]);
  assert.deepEqual(findSection(page, "X"), { ok: true, path: "A > X", text: "## X\none" });
});

Deno.test("sections - not found lists all sections", () => {
  assert.deepEqual(findSection(PAGE, "Missing"), {
    ok: false,
    reason: "not_found",
    candidates: listSections(PAGE).paths,
    more: 0,
  });
  assert.deepEqual(findSection(PAGE, "   "), {
    ok: false,
    reason: "not_found",
    candidates: listSections(PAGE).paths,
    more: 0,
  });
  assert.deepEqual(findSection("plain", "x"), { ok: false, reason: "not_found", candidates: [], more: 0 });
  // A partial title is not a match.
  assert.equal(findSection(PAGE, "Strategy").ok, false);
});

Deno.test("sections - a title containing '>' is found as typed", () => {
  const page = "# Flow\n## A -> B\ntext";
  assert.deepEqual(findSection(page, "A -> B"), { ok: true, path: "Flow > A -> B", text: "## A -> B\ntext" });
});

Deno.test("sections - closing hashes and tabs", () => {
  assert.deepEqual(listSections("#\tTabbed\n## C#\n## Notes ##   \n### ###\n####### seven").paths, [
    "Tabbed",
    "Tabbed > C#",
    "Tabbed > Notes",
  ]);
});

Deno.test("sections - hostile long lines take linear time", () => {
  const page = "# a" + " ".repeat(500_000) + "x\n" + "## b" + "\t".repeat(300_000) + "#".repeat(100) + "y\n";
  const t = performance.now();
  assert.equal(listSections(page).paths.length, 2);
  assert.equal(findSection(page, "zzz").ok, false);
  assert.ok(performance.now() - t < 5000, `${(performance.now() - t).toFixed(0)} ms`);
});

Deno.test("sections - a long title over 100,000 subheadings: lookups and listings stay bounded", () => {
  // Before: every heading carried its whole " > "-joined path (300 KB each here): out of memory.
  const title = "T".repeat(300_000);
  const page = `# ${title}\n` + "## sub\n".repeat(50_000) + "## other\n".repeat(50_000) + "## last\nbody\n";
  const t = performance.now();
  const found = findSection(page, "last");
  assert.ok(found.ok);
  assert.equal(found.path, `${title} > last`);
  assert.equal(found.text, "## last\nbody");
  const missing = findSection(page, "nothing");
  assert.ok(!missing.ok && missing.reason === "not_found");
  assert.equal(missing.candidates.length, 4);
  assert.equal(missing.more, 0);
  assert.ok(missing.candidates.every((c) => c.length <= MAX_LISTED_PATH_CHARS), "long paths are shortened");
  assert.ok(missing.candidates[1].startsWith("…") && missing.candidates[1].endsWith("T > sub"));
  const repeated = findSection(page, "sub");
  assert.ok(repeated.ok, "50,000 headings of one path are one section, however long their ancestors");
  assert.equal(repeated.text, "## sub");
  assert.ok(performance.now() - t < 5000, "hang guard");
});

Deno.test("sections - listings stop at MAX_LISTED_SECTIONS and count the rest", () => {
  const page = Array.from({ length: MAX_LISTED_SECTIONS + 7 }, (_, i) => `# H${i}`).join("\n");
  const list = listSections(page);
  assert.equal(list.paths.length, MAX_LISTED_SECTIONS);
  assert.equal(list.more, 7);
  const dup = findSection(page + "\n# H0\n## x\n# H0\n## x", "x");
  assert.ok(dup.ok, "a repeated path is one section");
  assert.equal(dup.ok && dup.path, "H0 > x");
});

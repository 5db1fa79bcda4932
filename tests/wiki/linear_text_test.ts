/**
 * Text operations on user input stay linear (issue 9 item 1): adversarial inputs near the 1 MB page limit are
 * handled in well under the hang guard. Before the fix, a page of 200,000 fence lines and no blank line took ~16 s
 * in `findCodeRanges` (run on every page write), and a 100,000-character attachment name over a minute.
 */
import { assertEquals, assertOk } from "../assert.ts";
import { findCodeRanges } from "../../lib/wiki/text.ts";
import { analyzeContent } from "../../lib/wiki/frontmatter.ts";
import { findWikiLinks, rewriteWikiLinks } from "../../lib/wiki/wikilinks.ts";
import { parseHeadings } from "../../lib/wiki/sections.ts";
import { plainSnippet } from "../../lib/wiki/plain_text.ts";
import { sanitizeFilename } from "../../lib/wiki/attachments.ts";

/** A hang guard, not a timing claim: linear work on these sizes takes milliseconds. */
const GUARD_MS = 2000;

function timed<T>(label: string, fn: () => T): T {
  const t = performance.now();
  const out = fn();
  const ms = performance.now() - t;
  assertOk(ms < GUARD_MS, `${label} took ${Math.round(ms)} ms`);
  return out;
}

const SIZE = 800_000;
const HOSTILE: Record<string, string> = {
  "fence lines, no blank line": "```\n".repeat(SIZE / 4),
  "open brackets": "[[".repeat(SIZE / 2),
  "unclosed links": "[[a|".repeat(SIZE / 4),
  "backtick runs": "`".repeat(SIZE / 2) + "x" + "``".repeat(SIZE / 4),
  "heading markers": "# ".repeat(SIZE / 2),
  "blank lines": "\n \n".repeat(SIZE / 3),
};

Deno.test("text - page analysis, links, headings and snippets are linear on hostile 800 KB pages", () => {
  for (const [name, text] of Object.entries(HOSTILE)) {
    timed(`findCodeRanges (${name})`, () => findCodeRanges(text));
    timed(`analyzeContent (${name})`, () => analyzeContent("Hostile", text));
    timed(`findWikiLinks (${name})`, () => findWikiLinks(text));
    timed(`rewriteWikiLinks (${name})`, () => rewriteWikiLinks(text, "a", "b"));
    timed(`parseHeadings (${name})`, () => parseHeadings(text));
    timed(`plainSnippet (${name})`, () => plainSnippet(text, ["x", "a"]));
  }
});

Deno.test("text - fenced blocks still hide their WikiLinks after the linear rewrite", () => {
  const text = "```\n[[Hidden]]\n```\n" + "```\n".repeat(1000) + "\n\n`[[Code]]` and [[Shown]]";
  const ranges = timed("findCodeRanges", () => findCodeRanges(text));
  assertOk(ranges.length > 0);
  assertEquals(findWikiLinks(text).map((l) => l.target), ["Shown"]);
});

Deno.test("text - a 1,000,000-character attachment name is cut in one pass", () => {
  const name = timed("sanitizeFilename", () => sanitizeFilename("é".repeat(1_000_000) + ".png"));
  assertOk(name.endsWith(".png") && new TextEncoder().encode(name).length <= 255, name.slice(-20));
});

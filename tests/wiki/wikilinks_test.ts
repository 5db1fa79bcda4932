import assert from "node:assert/strict";
import { findWikiLinks, linkTargets, rewriteWikiLinks } from "../../lib/wiki/wikilinks.ts";
import { InvalidInputError } from "../../lib/errors.ts";

Deno.test("wikilinks - bare link", () => {
  const md = "See [[Design Notes]].";
  assert.deepEqual(findWikiLinks(md), [
    { target: "Design Notes", anchor: null, text: null, start: 4, end: 20, raw: "[[Design Notes]]" },
  ]);
});

Deno.test("wikilinks - target is LEFT of the pipe", () => {
  const [link] = findWikiLinks("[[Projects/Plan|the plan]]");
  assert.equal(link.target, "Projects/Plan");
  assert.equal(link.text, "the plan");
  assert.equal(link.anchor, null);
});

Deno.test("wikilinks - anchors are split off the target", () => {
  const links = findWikiLinks("[[Page#Setup]] [[Page#Setup Steps|how to]] [[Page|see #3]] [[Page#]]");
  assert.deepEqual(links.map((l) => [l.target, l.anchor, l.text]), [
    ["Page", "Setup", null],
    ["Page", "Setup Steps", "how to"],
    ["Page", null, "see #3"],
    ["Page", null, null],
  ]);
});

Deno.test("wikilinks - targets are canonicalized, leading slash dropped", () => {
  assert.deepEqual(linkTargets("[[/Design_Notes]] [[ Design  Notes ]] [[Cafe\u0301]] [[//Sub/Page]]"), [
    "Café",
    "Design Notes",
    "Sub/Page",
  ]);
});

Deno.test("wikilinks - invalid targets are not links", () => {
  const md = "[[]] [[ ]] [[#Only anchor]] [[..]] [[A//B]] [[A/]] [[a<b]] [[x\\y]] [[|text]] [[Ok]]";
  assert.deepEqual(findWikiLinks(md).map((l) => l.target), ["Ok"]);
});

Deno.test("wikilinks - links do not span lines or nest brackets", () => {
  assert.deepEqual(linkTargets("[[Foo\nBar]] [[a[b]] [[[Inner]]]"), ["Inner"]);
});

Deno.test("wikilinks - case is significant", () => {
  assert.deepEqual(linkTargets("[[design]] [[Design]]"), ["Design", "design"]);
});

Deno.test("wikilinks - links in fenced code are ignored", () => {
  const md = [
    "[[Before]]",
    "```md",
    "[[InBackticks]]",
    "```",
    "~~~",
    "[[InTildes]]",
    "```",
    "[[StillInTildes]]",
    "~~~~",
    "[[After]]",
    "  > ```",
    "  > [[QuotedFence]]",
    "  > ```",
    "````",
    "```",
    "[[InLongFence]]",
    "````",
    "[[End]]",
  ].join("\n");
  assert.deepEqual(findWikiLinks(md).map((l) => l.target), ["Before", "After", "End"]);
});

Deno.test("wikilinks - an unclosed fence runs to the end", () => {
  assert.deepEqual(linkTargets("[[A]]\n```\n[[B]]\n[[C]]"), ["A"]);
});

Deno.test("wikilinks - links in inline code are ignored", () => {
  assert.deepEqual(linkTargets("`[[A]]` [[B]]"), ["B"]);
  // A double-backtick span contains single backticks.
  assert.deepEqual(linkTargets("``x [[C]] ` y`` [[D]]"), ["D"]);
  // An unmatched backtick run is literal text.
  assert.deepEqual(linkTargets("``unclosed [[E]] `"), ["E"]);
  // An escaped backtick does not open a span.
  assert.deepEqual(linkTargets("\\`[[F]]\\`"), ["F"]);
  // Backslash escapes do not work inside a span (CommonMark): "\\`" closes it.
  assert.deepEqual(linkTargets("`code \\`[[G]]`"), ["G"]);
  // A link straddling a span boundary is not a link.
  assert.deepEqual(linkTargets("[[H `x]]` y"), []);
});

Deno.test("wikilinks - an inline code span does not cross a blank line", () => {
  assert.deepEqual(linkTargets("a ` b\n\n[[X]] ` c"), ["X"]);
  assert.deepEqual(linkTargets("a ` b\n[[X]] ` c"), []);
});

Deno.test("wikilinks - linkTargets is sorted and unique", () => {
  assert.deepEqual(linkTargets("[[b]] [[a|x]] [[b#s]] [[C]]"), ["C", "a", "b"]);
  assert.deepEqual(linkTargets("no links"), []);
});

Deno.test("wikilinks - offsets and raw match the source", () => {
  const md = "é [[Ünï|cödé]] x";
  const [l] = findWikiLinks(md);
  assert.equal(md.slice(l.start, l.end), l.raw);
  assert.equal(l.raw, "[[Ünï|cödé]]");
});

Deno.test("wikilinks - rewrite keeps text, anchors and form", () => {
  const md = "[[Old]] [[Old|my text]] [[Old#Sec|t]] [[Old#Sec]] [[/Old]] [[Old_]] [[ Old |x]]";
  const out = rewriteWikiLinks(md, "Old", "New/Place");
  assert.equal(
    out.content,
    "[[New/Place]] [[New/Place|my text]] [[New/Place#Sec|t]] [[New/Place#Sec]] [[/New/Place]] [[New/Place]] " +
      "[[New/Place|x]]",
  );
  assert.equal(out.count, 7);
});

Deno.test("wikilinks - rewrite leaves code, other pages and subpages alone", () => {
  const md = "[[Old]] `[[Old]]`\n```\n[[Old]]\n```\n[[Old/Sub]] [[Older]] [[old]] [[Other|Old]] [[Old]]";
  const out = rewriteWikiLinks(md, "Old", "New");
  assert.equal(
    out.content,
    "[[New]] `[[Old]]`\n```\n[[Old]]\n```\n[[Old/Sub]] [[Older]] [[old]] [[Other|Old]] [[New]]",
  );
  assert.equal(out.count, 2);
});

Deno.test("wikilinks - rewrite with no match returns the content unchanged", () => {
  const md = "nothing [[Else]] here";
  assert.deepEqual(rewriteWikiLinks(md, "Old", "New"), { content: md, count: 0 });
});

Deno.test("wikilinks - rewrite canonicalizes from and to, and rejects invalid ones", () => {
  assert.deepEqual(rewriteWikiLinks("[[Old Page]]", "Old_Page", "New_Page"), { content: "[[New Page]]", count: 1 });
  assert.throws(() => rewriteWikiLinks("[[A]]", "A", "/B"), InvalidInputError);
});

Deno.test("wikilinks - rewritten content re-parses to the new target", () => {
  const md = "x [[Old#A|a]] y [[Old]] z";
  const out = rewriteWikiLinks(md, "Old", "New");
  assert.deepEqual(linkTargets(out.content), ["New"]);
  assert.deepEqual(findWikiLinks(out.content).map((l) => [l.anchor, l.text]), [["A", "a"], [null, null]]);
});

Deno.test("wikilinks - hostile 1 MB inputs take linear time", () => {
  for (const md of ["[[" + "a".repeat(1_000_000), "[[a".repeat(300_000), "`[[x]]".repeat(150_000)]) {
    const t = performance.now();
    findWikiLinks(md);
    assert.ok(performance.now() - t < 5000, `${(performance.now() - t).toFixed(0)} ms`);
  }
});

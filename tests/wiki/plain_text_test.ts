import { assertEquals, assertExcludes, assertIncludes, assertOk } from "../assert.ts";
import { markdownToPlainText, plainSnippet } from "../../lib/wiki/plain_text.ts";
import { SearchIndex } from "../../lib/wiki/search_index.ts";

Deno.test("plain text - Markdown syntax and frontmatter removed, text kept", () => {
  const md = [
    "---",
    "title: Launch",
    "tags: [a, b]",
    "---",
    "# Launch *plan* ##",
    "",
    "> Quoted **bold** and __also bold__ and _em_ but snake_case_name stays.",
    "",
    "- [ ] open task with [a link](https://example.com/x) and ![diagram](d.png)",
    "1. See [[Design/Auth|the auth page]] and [[Home]] and `code_span()`.",
    "",
    "| Col A | Col B |",
    "|-------|:-----:|",
    "| one | two |",
    "",
    "```ts",
    "const x = 1;",
    "```",
    "***",
    "Text with ~~old~~ new<br/> and <!-- hidden --> a footnote[^1] and <https://robot.wtf>.",
    "[ref]: https://example.com",
    "Escaped \\*star\\*.",
  ].join("\n");
  assertEquals(
    markdownToPlainText(md),
    "Launch plan Quoted bold and also bold and em but snake_case_name stays. open task with a link and diagram " +
      "See the auth page and Home and code_span(). Col A Col B one two const x = 1; Text with old new and a " +
      "footnote and https://robot.wtf. Escaped *star*.",
  );
});

Deno.test("plain text - text without Markdown is unchanged apart from whitespace", () => {
  assertEquals(
    markdownToPlainText("Just words,  here:\n a < b and 3 * 4 = 12."),
    "Just words, here: a < b and 3 * 4 = 12.",
  );
  assertEquals(markdownToPlainText(""), "");
});

Deno.test("plain text - snippet around the match, windowed on long pages, same text as the whole page", () => {
  const filler = Array.from({ length: 400 }, (_, i) => `## Section ${i}\n\nSome **filler** text number ${i}.`);
  const body = [...filler.slice(0, 200), "The [[Target|needle]] is *here* in `code`.", ...filler.slice(200)].join(
    "\n\n",
  );
  const s = plainSnippet(body, ["needle"]);
  assertIncludes(s, "The needle is here in code.");
  assertOk(s.startsWith("…") && s.endsWith("…"), s);
  for (const syntax of ["**", "##", "[[", "`"]) assertExcludes(s, syntax);
  assertOk(s.length <= 152, `${s.length}`);
  // A short page: no ellipsis where nothing was cut.
  assertEquals(plainSnippet("# Title\n\nA **short** page.", ["short"]), "Title A short page.");
  // No match: the start of the plain text.
  assertOk(plainSnippet(body, ["absent"]).startsWith("Section 0 Some filler text number 0."));
});

Deno.test("plain text - search hits carry plain snippets", () => {
  const index = new SearchIndex();
  index.upsert({
    path: "Notes",
    title: "Notes",
    body: "## Plan\n\n- Ship the **widget** via [the pipeline](https://ci.example.com) and [[Ops|operations]].",
  });
  const r = index.search("widget", 5);
  assertEquals(r.hits.map((h) => h.snippet), ["Plan Ship the widget via the pipeline and operations."]);
});

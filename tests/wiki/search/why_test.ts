import assert from "node:assert/strict";
import { matchLabels } from "../../../lib/wiki/search/why.ts";

Deno.test("why - exact words bare, forgiven words with a note naming the query's word", () => {
  assert.deepEqual(
    matchLabels([
      { query: "oil", word: "oil", kind: "exact" },
      { query: "handles", word: "handle", kind: "stem" },
      { query: "authentcation", word: "authentication", kind: "typo" },
      { query: "sourd", word: "sourdough", kind: "prefix" },
    ]),
    [
      { word: "oil", note: null },
      { word: "handle", note: "form of “handles”" },
      { word: "authentication", note: "for “authentcation”" },
      { word: "sourdough", note: "completes “sourd”" },
    ],
  );
  assert.deepEqual(matchLabels(undefined), []);
});

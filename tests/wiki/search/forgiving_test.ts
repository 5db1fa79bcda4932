/**
 * Forgiving lexical recall (issue 12 item 1): stems, typos and the last word's prefix match, exact matches still
 * rank first, `forgiving: false` turns it all off, and each hit says which words matched.
 */
import assert from "node:assert/strict";
import { SearchIndex } from "../../../lib/wiki/search_index.ts";

const FILLER = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor";

function indexOf(docs: [string, string][]): SearchIndex {
  const idx = new SearchIndex();
  for (const [path, body] of docs) idx.upsert({ path, title: path.split("/").pop()!, body: `${FILLER} ${body}` });
  return idx;
}

const ISSUE_PAGES: [string, string][] = [
  ["Garage/Automobile Maintenance", "Change the car oil every spring and rotate the tyres."],
  ["Kitchen/Sourdough", "Feed the starter, then bake bread on Sunday."],
  ["Security/Authentication", "People sign in with their handle."],
];

Deno.test("forgiving - a word matches other words of its stem", () => {
  const idx = indexOf([["Net", "connections between services"], ["Other", "unrelated text"]]);
  assert.deepEqual(idx.search("connecting").hits.map((h) => h.path), ["Net"]);
  assert.deepEqual(idx.search("baked").hits.map((h) => h.path), []);
  assert.deepEqual(indexOf(ISSUE_PAGES).search("baking").hits.map((h) => h.path), ["Kitchen/Sourdough"]);
});

Deno.test("forgiving - typos: one edit from 5 letters, two from 8", () => {
  const idx = indexOf(ISSUE_PAGES);
  assert.equal(idx.search("authentcation").hits[0]?.path, "Security/Authentication");
  assert.equal(idx.search("athentcation").hits[0]?.path, "Security/Authentication");
  assert.equal(idx.search("sourdogh").hits[0]?.path, "Kitchen/Sourdough");
  assert.equal(idx.search("hnadle").hits[0]?.path, "Security/Authentication"); // a swap is one edit
  // Too short to forgive, or too far.
  assert.equal(idx.search("brad").total, 0);
  assert.equal(idx.search("sxurdxxgh").total, 0); // three edits
});

Deno.test("forgiving - the last query word matches as a prefix, the others do not", () => {
  const idx = indexOf([["Ops", "the kubernetes cluster"], ["Misc", "a cluster of grapes"]]);
  assert.deepEqual(idx.search("kubern").hits.map((h) => h.path), ["Ops"]);
  assert.deepEqual(idx.search("cluster kube").hits.map((h) => h.path), ["Ops", "Misc"]);
  for (const h of idx.search("kube cluster").hits) assert.deepEqual(h.matched?.map((m) => m.word), ["cluster"]);
  assert.equal(idx.search("ku").total, 0);
});

Deno.test("forgiving - exact matches outrank stem, prefix and typo matches", () => {
  const stemmed = indexOf([["Exact", "we connect the pipes"], ["Stem", "we connected the pipes"]]);
  assert.deepEqual(stemmed.search("connect").hits.map((h) => h.path), ["Exact", "Stem"]);
  assert.deepEqual(stemmed.search("connected").hits.map((h) => h.path), ["Stem", "Exact"]);
  // A last word found as it is is taken as finished: no completions then.
  const prefixed = indexOf([["Carpet", "a red carpet"], ["Car", "a red car"]]);
  assert.deepEqual(prefixed.search("car").hits.map((h) => h.path), ["Car"]);
  assert.deepEqual(prefixed.search("red carp").hits.map((h) => h.path), ["Carpet", "Car"]);
  // Typos are forgiven only for words no page holds, so an exact word is never out-ranked by a near one.
  const typos = indexOf([["Exact", "the handel library"], ["Near", "the handle library"]]);
  assert.deepEqual(typos.search("handel").hits.map((h) => h.path), ["Exact"]);
});

Deno.test("forgiving - matching more query terms still ranks first", () => {
  const idx = indexOf([["Both", "baking bread"], ["One", "bread bread bread"]]);
  assert.equal(idx.search("bake bread").hits[0].path, "Both");
});

Deno.test("forgiving - forgiving: false matches exact terms only", () => {
  const idx = indexOf(ISSUE_PAGES);
  for (const q of ["authentcation", "baking", "sourd"]) {
    assert.equal(idx.search(q, 10, { forgiving: false }).total, 0, q);
    assert.ok(idx.search(q, 10).total > 0, q);
  }
  assert.equal(idx.search("sourdough", 10, { forgiving: false }).hits[0].path, "Kitchen/Sourdough");
});

Deno.test("forgiving - each hit says which words matched and how", () => {
  const idx = indexOf(ISSUE_PAGES);
  const hit = idx.search("authentcation handles").hits[0];
  assert.deepEqual(hit.matched, [
    { query: "authentcation", word: "authentication", kind: "typo" },
    { query: "handles", word: "handle", kind: "stem" },
  ]);
  const sour = idx.search("starter sourd").hits[0];
  assert.deepEqual(sour.matched, [
    { query: "starter", word: "starter", kind: "exact" },
    { query: "sourd", word: "sourdough", kind: "prefix" },
  ]);
  // The snippet is centred on the page's word, not the misspelt one.
  assert.match(idx.search("hnadle").hits[0].snippet, /handle/);
});

Deno.test("forgiving - the issue's typo'd query ranks its page first among the three", () => {
  const idx = indexOf(ISSUE_PAGES);
  assert.equal(idx.search("authentcation").hits[0].path, "Security/Authentication");
  assert.equal(idx.search("baking loaves").hits[0].path, "Kitchen/Sourdough");
});

/**
 * A query of thousands of words: it was matched as one exact phrase by a regular expression of every word, against
 * every candidate page, which took seconds (found by the fuzz battery, tests/app/fuzz_test.ts: a search page
 * answered in 9 s). The phrase bonus now applies to queries of at most MAX_PHRASE_TOKENS words.
 */
import assert from "node:assert/strict";
import { MAX_PHRASE_TOKENS, SearchIndex } from "../../lib/wiki/search_index.ts";

Deno.test("search - a 20,000-word query answers within the 5 s hang guard", () => {
  const idx = new SearchIndex();
  for (let i = 0; i < 20; i++) idx.upsert({ path: `P${i}`, title: `P${i}`, body: "a b ".repeat(20_000) + " end" });
  const q = "a b ".repeat(10_000);
  const t = performance.now();
  const r = idx.search(q, 50);
  const ms = performance.now() - t;
  assert.equal(r.total, 20);
  assert.ok(ms < 5_000, `search took ${Math.round(ms)} ms`);
});

Deno.test("search - the phrase bonus still applies up to MAX_PHRASE_TOKENS words", () => {
  const words = Array.from({ length: MAX_PHRASE_TOKENS }, (_, i) => `w${i}`);
  const idx = new SearchIndex();
  idx.upsert({ path: "Phrase", title: "Phrase", body: words.join(" ") });
  idx.upsert({ path: "Shuffled", title: "Shuffled", body: [...words].reverse().join(" ") });
  const r = idx.search(words.join(" "));
  assert.deepEqual(r.hits.map((h) => h.path), ["Phrase", "Shuffled"]);
  assert.ok(r.hits[0].score > r.hits[1].score);
});

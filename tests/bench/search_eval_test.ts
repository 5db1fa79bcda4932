/**
 * The search evaluation set (bench/search_eval/corpus.ts): big enough, deterministic, and fair: paraphrase
 * queries share no content word (after stop-word removal and stemming) with any of their relevant pages, typo'd
 * queries really are misspelt, and every judged page exists.
 */
import assert from "node:assert/strict";
import { contentStems, makeEvalSet, QUERY_KINDS } from "../../bench/search_eval/corpus.ts";
import { judge } from "../../bench/search_quality_bench.ts";
import { tokenize } from "../../lib/wiki/text.ts";

const SET = makeEvalSet();

Deno.test("eval set - at least 1,000 pages and 150 queries of the three kinds", () => {
  assert.ok(SET.pages.length >= 1000, `${SET.pages.length}`);
  assert.ok(SET.queries.length >= 150, `${SET.queries.length}`);
  for (const kind of QUERY_KINDS) assert.ok(SET.queries.filter((q) => q.kind === kind).length >= 40, kind);
  assert.equal(new Set(SET.pages.map((p) => p.path)).size, SET.pages.length);
});

Deno.test("eval set - the same seed gives the same set, another seed another", () => {
  assert.deepEqual(makeEvalSet(), SET);
  assert.notDeepEqual(makeEvalSet(1).queries, SET.queries);
});

Deno.test("eval set - every relevant page exists", () => {
  const paths = new Set(SET.pages.map((p) => p.path));
  for (const q of SET.queries) {
    assert.ok(q.relevant.length > 0, q.text);
    for (const r of q.relevant) assert.ok(paths.has(r), `${q.text}: ${r}`);
  }
});

Deno.test("eval set - paraphrases share no content word with their relevant pages", () => {
  const pages = new Map(SET.pages.map((p) => [p.path, contentStems(`${p.path} ${p.content}`)]));
  const paraphrases = SET.queries.filter((q) => q.kind === "paraphrase");
  for (const q of paraphrases) {
    const words = contentStems(q.text);
    assert.ok(words.size > 0, q.text);
    for (const r of q.relevant) {
      const shared = [...words].filter((w) => pages.get(r)!.has(w));
      assert.deepEqual(shared, [], `${q.text} / ${r}`);
    }
  }
});

Deno.test("eval set - typo'd queries hold a word found in no page", () => {
  const vocabulary = new Set(SET.pages.flatMap((p) => tokenize(`${p.path} ${p.content}`)));
  for (const q of SET.queries.filter((q) => q.kind === "typo")) {
    assert.ok(tokenize(q.text).some((w) => !vocabulary.has(w)), q.text);
  }
  for (const q of SET.queries.filter((q) => q.kind === "keyword")) {
    assert.ok(tokenize(q.text).every((w) => vocabulary.has(w)), q.text);
  }
});

Deno.test("eval set - recall@5 and MRR@10", () => {
  assert.deepEqual(judge(["a", "b", "c"], ["b"]), { recallAt5: 1, mrrAt10: 0.5 });
  assert.deepEqual(judge(["x", "y", "z", "w", "v", "a"], ["a"]), { recallAt5: 0, mrrAt10: 1 / 6 });
  assert.deepEqual(judge([], ["a"]), { recallAt5: 0, mrrAt10: 0 });
  const many = Array.from({ length: 25 }, (_, i) => `p${i}`);
  assert.deepEqual(judge(["p1", "q", "p2", "p3", "p4"], many), { recallAt5: 0.8, mrrAt10: 1 });
});

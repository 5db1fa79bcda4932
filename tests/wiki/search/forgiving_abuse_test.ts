/**
 * Forgiving search under abuse (issue 9): a vocabulary of 100,000 distinct terms, queries of 32 misspelt terms
 * (each would be matched with typos), very long terms. Expansion is capped per term and per query, and the typo
 * scan reads only the terms of nearby lengths, so these answer at once. The timings are hang guards, not claims.
 */
import assert from "node:assert/strict";
import { MAX_QUERY_TERMS, SearchIndex } from "../../../lib/wiki/search_index.ts";
import { MAX_TYPO_TERMS, MAX_VARIANTS, Vocabulary, type VocabularyTerm } from "../../../lib/wiki/search/vocabulary.ts";

/** 100,000 distinct pseudo-words of 5 to 14 letters (a seeded generator). */
function words(n: number): string[] {
  let seed = 9;
  const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
  const out = new Set<string>();
  while (out.size < n) {
    const len = 5 + Math.floor(random() * 10);
    let w = "";
    for (let i = 0; i < len; i++) w += "etaoinshrdlucmfw"[Math.floor(random() * 16)];
    out.add(w);
  }
  return [...out];
}

const VOCAB = words(100_000);

Deno.test("forgiving abuse - 100,000 terms, 32 misspelt query terms: capped expansion, quick answer", () => {
  const idx = new SearchIndex();
  for (let d = 0; d < 1000; d++) {
    idx.upsert({ path: `P${d}`, title: `T${d}`, body: VOCAB.slice(d * 100, d * 100 + 100).join(" ") });
  }
  assert.equal(idx.termCount, 100_000 + 2000); // and each page's title and path
  // Each query word is a vocabulary word with one letter swapped: near many others in this dense vocabulary.
  const misspelt = VOCAB.filter((w) => w.length >= 8).slice(0, 200).map((w) => w[0] + w[2] + w[1] + w.slice(3));
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const q = misspelt.slice(i * MAX_QUERY_TERMS, (i + 1) * MAX_QUERY_TERMS).join(" ");
    const t = performance.now();
    const r = idx.search(q, 50);
    times.push(performance.now() - t);
    assert.ok(r.total > 0);
    for (const h of r.hits) assert.ok(h.matched!.length <= MAX_QUERY_TERMS);
  }
  const worst = Math.max(...times);
  assert.ok(worst < 5_000, `worst ${worst.toFixed(0)} ms (${times.map((t) => t.toFixed(0)).join(", ")})`);
});

Deno.test("forgiving abuse - expansions are capped per term and typo matching per query", () => {
  const vocab = new Vocabulary<VocabularyTerm & { size: number }>();
  const map = new Map<string, VocabularyTerm & { size: number }>();
  for (const w of VOCAB) {
    const e = { term: w, size: 1, signature: 0, slot: -1 };
    map.set(w, e);
    vocab.add(e);
  }
  // A very common prefix and 32 misspelt terms.
  const terms = VOCAB.filter((w) => w.length >= 9).slice(0, 31).map((w) => w.slice(0, 4) + "q" + w.slice(5));
  terms.push("eta");
  const variants = vocab.expand(terms, "eta", (t) => map.get(t));
  assert.ok(variants.every((v) => v.length <= 3 * MAX_VARIANTS + 1));
  const typoTerms = variants.filter((v) => v.some((x) => x.kind === "typo")).length;
  assert.ok(typoTerms > 0 && typoTerms <= MAX_TYPO_TERMS, `${typoTerms}`);
  assert.equal(variants[31].filter((v) => v.kind === "prefix").length, MAX_VARIANTS);
  for (const w of VOCAB) vocab.delete(map.get(w)!);
  assert.deepEqual(vocab.expand(["eta"], "eta", () => undefined), [[]]);
});

Deno.test("forgiving abuse - very long terms are matched exactly only", () => {
  const idx = new SearchIndex();
  const long = "x".repeat(5000);
  idx.upsert({ path: "Long", title: "Long", body: `${long} ${long}y` });
  const t = performance.now();
  assert.deepEqual(idx.search(long + "z").hits, []);
  assert.deepEqual(idx.search(long.slice(0, 4000)).hits, []);
  assert.equal(idx.search(long).hits[0].path, "Long");
  assert.ok(performance.now() - t < 5_000);
});

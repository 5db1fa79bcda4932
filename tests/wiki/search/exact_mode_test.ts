/**
 * `forgiving: false` is the "current BM25" baseline of the search benchmark: it must rank exactly as the index did
 * before issue 12. The frozen copy of that index (bm25_reference.ts) and today's index answer the same queries on
 * the same fixed corpus (English-like words with inflections, so that forgiving would differ) with the same hits,
 * scores and snippets, also after pages are replaced and removed.
 */
import assert from "node:assert/strict";
import { SearchIndex } from "../../../lib/wiki/search_index.ts";
import { ReferenceSearchIndex } from "./bm25_reference.ts";

const WORDS = [
  "connect",
  "connected",
  "connection",
  "connections",
  "bake",
  "baking",
  "baked",
  "bread",
  "car",
  "cars",
  "carpet",
  "engine",
  "engines",
  "oil",
  "tyre",
  "tyres",
  "sign",
  "signing",
  "handle",
  "handles",
  "authentication",
  "release",
  "plan",
  "planning",
  "kubernetes",
  "cluster",
  "clusters",
  "note",
  "notes",
  "the",
  "a",
  "of",
];

function corpus(): { path: string; title: string; body: string }[] {
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const word = () => WORDS[Math.floor(random() ** 1.5 * WORDS.length)];
  return Array.from({ length: 300 }, (_, d) => ({
    path: `Folder ${d % 7}/Page ${d}`,
    title: `${word()} ${word()}`,
    body: Array.from({ length: 5 + (d % 40) }, word).join(d % 3 === 0 ? " " : ", "),
  }));
}

const QUERIES = [
  "connect",
  "connecting",
  "bake bread",
  "baking",
  "car",
  "cars engine",
  "authentcation",
  "handle",
  "kube",
  "release plan",
  "the notes",
  "tyres oil car",
  "signing in",
  "cluster kubernetes",
  "plan release notes",
  "zzz",
  "connections of the cluster",
  "CAR",
  "engine, oil & tyres",
];

Deno.test("exact mode - ranks exactly like the index before issue 12", () => {
  const docs = corpus();
  const now = new SearchIndex();
  const before = new ReferenceSearchIndex();
  for (const d of docs) now.upsert(d), before.upsert(d);
  const compare = (label: string) => {
    for (const q of QUERIES) {
      for (const limit of [1, 5, 20, 1000]) {
        assert.deepEqual(now.search(q, limit, { forgiving: false }), before.search(q, limit), `${label} ${q} ${limit}`);
      }
    }
  };
  compare("fresh");
  for (const d of docs.slice(0, 60)) {
    const changed = { ...d, body: `${d.body} connecting baked carpets` };
    now.upsert(changed), before.upsert(changed);
  }
  for (const d of docs.slice(100, 140)) now.remove(d.path), before.remove(d.path);
  compare("after edits");
  // Not vacuous: the forgiving default does answer differently on this corpus.
  assert.notDeepEqual(now.search("connecting"), before.search("connecting"));
});

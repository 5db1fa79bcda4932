/**
 * @module
 * The meaning layer's rankers in the shape of the search-quality benchmark's registry (issue 12 item 5): given a
 * wiki's page store, a function from a query and a depth to the ranked page paths. `vector` ranks by meaning only,
 * `hybrid` is what search_notes does by default (terms and meaning fused).
 */
import type { PageStore } from "../lib/wiki/store.ts";

/** A ranker: the best `limit` page paths for `query`, best first. */
export type Ranker = (query: string, limit: number) => Promise<string[]>;

/** Ranks by meaning only (cosine of static vectors). */
export function vectorRanker(wiki: Pick<PageStore, "search">): Ranker {
  return async (query, limit) => (await wiki.search(query, { limit, mode: "meaning" })).hits.map((h) => h.path);
}

/** Ranks by terms and meaning fused (the default of search_notes). */
export function hybridRanker(wiki: Pick<PageStore, "search">): Ranker {
  return async (query, limit) => (await wiki.search(query, { limit, mode: "hybrid" })).hits.map((h) => h.path);
}

/** Ranks by terms only (the forgiving lexical index: stems, typos, completions). */
export function lexicalRanker(wiki: Pick<PageStore, "search">): Ranker {
  return async (query, limit) => (await wiki.search(query, { limit, mode: "lexical" })).hits.map((h) => h.path);
}

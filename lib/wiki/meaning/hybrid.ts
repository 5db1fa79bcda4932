/**
 * @module
 * Search by terms, by meaning, or both (issue 12): the catalog's lexical ranking (lib/wiki/search_index.ts) and its
 * vector ranking (cosine between the query's and the pages' static vectors, lib/wiki/meaning/vector_index.ts) fused
 * by weighted reciprocal rank fusion: score(p) = Σ weight / (RRF_K + rank), over the lists that hold p. Each hit says
 * why it matched (`terms`, `meaning` or `both`) and, when a section's vector matched best, which section
 * (lib/wiki/meaning/section_vectors.ts). Also related pages: the pages nearest a page's vector (page vectors only).
 *
 * With a remote embedder (issue 12 item 4; `StoreDeps.remoteQueryVector`), the vector ranking asks it for the
 * query's vector first: when it answers, the pages with a vector of that model are ranked by it, and the pages
 * without one (not embedded yet, or loaded by this instance before they were) follow, ranked by their static
 * vectors; when it does not (unset, down, slow, breaker open), every page is ranked by its static vector. Section
 * vectors are static only: a page ranked by a remote vector names no section.
 */
import type { Catalog } from "../catalog.ts";
import type { SearchHit, SearchMatch, SearchMode, SearchOptions, TermMatch } from "../types.ts";
import { loadStaticEmbedder } from "./static_embedder.ts";
import type { VectorHit } from "./vector_index.ts";
import { meaningLayerOn } from "./switch.ts";
import { SECTION_SEPARATOR } from "../sections.ts";

export type { SearchMode };
/** The search modes, default first. */
export const SEARCH_MODES: readonly SearchMode[] = ["hybrid", "lexical", "meaning"];
/** The rank constant of reciprocal rank fusion (the usual 60). */
export const RRF_K = 60;
/** Weight of the lexical list in the fusion (ties go to terms). */
export const LEXICAL_WEIGHT = 1;
/** Weight of the vector list in the fusion. */
export const MEANING_WEIGHT = 0.9;
/** Hits of the vector list considered by the fusion, at least (more when more are asked for). */
export const FUSION_DEPTH = 50;
/** Hits of the lexical list considered by the fusion, at least (deeper costs phrase tests for little gain). */
export const LEXICAL_FUSION_DEPTH = 20;
/** Cosine below which a page does not match a query by meaning. */
export const MIN_SIMILARITY = 0.25;
/** Cosine below which a page is not listed as related. */
export const MIN_RELATED_SIMILARITY = 0.2;

/** A query's vector of a remote model, or null when the static layer must answer (see the module doc). */
export type RemoteQueryVector = (query: string) => Promise<{ model: string; vector: Float32Array } | null>;

/**
 * The pages nearest `query` by meaning, best first (empty when no query word has a vector): by the remote model's
 * vectors when `remote` answers (the pages without one follow, by their static vectors), else by the static ones.
 */
export async function meaningRanking(
  catalog: Catalog,
  query: string,
  depth: number,
  remote?: RemoteQueryVector,
): Promise<VectorHit[]> {
  const q = remote ? await remote(query).catch(() => null) : null;
  if (q === null || catalog.vectors.count(q.model) === 0) return await staticRanking(catalog, query, depth);
  const first = catalog.vectors.search(q.vector, depth, { model: q.model, minScore: MIN_SIMILARITY });
  if (catalog.vectors.count(q.model) >= catalog.pages().length) return first;
  let rest: VectorHit[] = [];
  try {
    const without = { has: (path: string) => catalog.vectors.has(path, q.model) };
    rest = await staticRanking(catalog, query, depth - first.length, without);
  } catch {
    // The word file cannot be read: the remote ranking alone.
  }
  return [...first, ...rest];
}

/** The pages nearest `query` by their static vectors, skipping `exclude`. */
async function staticRanking(
  catalog: Catalog,
  query: string,
  depth: number,
  exclude?: { has(path: string): boolean },
): Promise<VectorHit[]> {
  if (depth <= 0) return [];
  const embedder = await loadStaticEmbedder();
  await catalog.vectors.ready();
  const q = embedder.embedQuery(query);
  if (q.every((x) => x === 0)) return [];
  return catalog.vectors.search(q, depth, { minScore: MIN_SIMILARITY, ...(exclude ? { exclude } : {}) });
}

/** The meaning ranking, or an empty one when the word file cannot be read (search then works by terms only). */
async function meaningOrNothing(
  catalog: Catalog,
  query: string,
  depth: number,
  remote?: RemoteQueryVector,
): Promise<VectorHit[]> {
  if (!meaningLayerOn()) return [];
  try {
    return await meaningRanking(catalog, query, depth, remote);
  } catch {
    return [];
  }
}

/** Ranks the catalog's pages for `query` in `mode`: `total` matching pages, the best `limit` as hits. */
export async function rankPages(
  catalog: Catalog,
  query: string,
  limit: number,
  mode: SearchMode = "hybrid",
  opts: Pick<SearchOptions, "forgiving"> & { remote?: RemoteQueryVector } = {},
): Promise<{ total: number; hits: SearchHit[] }> {
  if (mode === "lexical" || (mode === "hybrid" && !meaningLayerOn())) {
    const r = catalog.index.search(query, limit, opts);
    return { total: r.total, hits: r.hits.map((h) => ({ ...h, match: "terms" })) };
  }
  const depth = Math.max(limit, FUSION_DEPTH);
  if (mode === "meaning") {
    const v = await meaningOrNothing(catalog, query, depth, opts.remote);
    return {
      total: v.length,
      hits: v.slice(0, limit).map((h) => hitOf(catalog, query, h.path, h.score, "meaning", undefined, h.section)),
    };
  }
  const lexical = catalog.index.rank(query, Math.max(limit, LEXICAL_FUSION_DEPTH), opts);
  const matchedOf = new Map(lexical.hits.map((h) => [h.path, h.matched]));
  const meaning = await meaningOrNothing(catalog, query, depth, opts.remote);
  const fused = new Map<string, { score: number; lexRank: number; match: SearchMatch; section?: string }>();
  lexical.hits.forEach((h, i) => {
    fused.set(h.path, { score: LEXICAL_WEIGHT / (RRF_K + i + 1), lexRank: i, match: "terms" });
  });
  let meaningOnly = 0;
  meaning.forEach((h, i) => {
    const f = fused.get(h.path);
    const add = MEANING_WEIGHT / (RRF_K + i + 1);
    if (f) {
      f.score += add;
      f.match = "both";
      f.section = h.section;
    } else {
      fused.set(h.path, { score: add, lexRank: Infinity, match: "meaning", section: h.section });
      meaningOnly++;
    }
  });
  const best = (LEXICAL_WEIGHT + MEANING_WEIGHT) / (RRF_K + 1);
  const ranked = [...fused].sort(([pa, a], [pb, b]) =>
    b.score - a.score || a.lexRank - b.lexRank || (pa < pb ? -1 : pa > pb ? 1 : 0)
  );
  const hits = ranked.slice(0, limit).map(([path, f]): SearchHit =>
    hitOf(catalog, query, path, Math.min(1, f.score / best), f.match, matchedOf.get(path), f.section)
  );
  return { total: lexical.total + meaningOnly, hits };
}

/**
 * A hit with its title and snippet: the text around a query term, else around the heading of the section that
 * matched by meaning, else the start of the text.
 */
function hitOf(
  catalog: Catalog,
  query: string,
  path: string,
  score: number,
  match: SearchMatch,
  matched?: TermMatch[],
  section?: string,
): SearchHit {
  const around = matched === undefined && section !== undefined ? section.split(SECTION_SEPARATOR).at(-1)! : query;
  const s = catalog.index.snippet(path, around, matched);
  const hit: SearchHit = {
    path,
    title: s?.title ?? path,
    score: Math.max(0, Math.min(1, score)),
    snippet: s?.snippet ?? "",
    match,
  };
  if (matched) hit.matched = matched;
  if (section !== undefined) hit.section = section;
  return hit;
}

/**
 * The `limit` pages nearest `path` by meaning, best first, without the page itself and the pages it links to or
 * that link to it; page vectors only (no section vectors). Empty when the page is not live. With `remoteModel` (the
 * remote embedder's model id) and a vector of that model for the page, the pages with one are compared by it first
 * and the others follow by their static vectors, as in {@link meaningRanking}.
 */
export async function relatedPages(
  catalog: Catalog,
  path: string,
  limit: number,
  remoteModel?: string,
): Promise<{ path: string; title: string; score: number }[]> {
  const meta = catalog.get(path);
  if (!meta || !meaningLayerOn()) return [];
  const exclude = new Set([path, ...meta.links, ...catalog.backlinksOf(path)]);
  const remote = remoteModel === undefined ? undefined : catalog.vectors.vectorOf(path, remoteModel);
  let hits: VectorHit[] = [];
  if (remote && remote.some((x) => x !== 0)) {
    hits = catalog.vectors.search(remote, limit, { model: remoteModel, minScore: MIN_RELATED_SIMILARITY, exclude });
    const withRemote = (p: string) => exclude.has(p) || catalog.vectors.has(p, remoteModel);
    if (hits.length < limit) hits.push(...await staticRelated(catalog, path, limit - hits.length, { has: withRemote }));
  } else {
    hits = await staticRelated(catalog, path, limit, exclude);
  }
  return hits.map((h) => ({ path: h.path, title: catalog.get(h.path)?.title ?? h.path, score: h.score }));
}

/** The `limit` pages nearest `path` by their static vectors, skipping `exclude` (empty without the word file). */
async function staticRelated(
  catalog: Catalog,
  path: string,
  limit: number,
  exclude: { has(path: string): boolean },
): Promise<VectorHit[]> {
  try {
    await catalog.vectors.ready();
  } catch {
    return [];
  }
  const v = catalog.vectors.vectorOf(path);
  if (!v || v.every((x) => x === 0)) return [];
  return catalog.vectors.search(v, limit, { minScore: MIN_RELATED_SIMILARITY, exclude, sections: false });
}

/**
 * @module
 * FROZEN COPY of lib/wiki/search_index.ts as it was before issue 12 (exact BM25 only), kept as the reference that
 * the index's `forgiving: false` mode must rank exactly like (tests/wiki/search/exact_mode_test.ts). Never edit it.
 *
 * In-memory full-text index of a wiki's pages: an inverted index (term -> postings) with BM25 ranking, title
 * matches weighted x3 (the title field also holds the path's segments), an exact-phrase bonus and coordination
 * (pages matching more query terms always rank higher). Scores are normalized to 0..1; docs/wiki.md gives the
 * formula. The index holds each page's body for snippets and nothing per term beyond the postings.
 */
import { escapeRegExp, TOKEN_GAP_SOURCE, tokenize } from "../../../lib/wiki/text.ts";
import { plainSnippet } from "../../../lib/wiki/plain_text.ts";
import { EMPTY_FILTER, hashToken, mayHavePairs, pairFilter, pairHash } from "../../../lib/wiki/pair_filter.ts";

/** A page as indexed. */
export interface IndexedDoc {
  path: string;
  title: string;
  /** Page body (frontmatter excluded), used for ranking and snippets. */
  body: string;
}

/** One ranked search result. */
export interface SearchIndexHit {
  path: string;
  title: string;
  /** 0..1, higher is better. */
  score: number;
  snippet: string;
}

/** Results of a search: how many pages matched, and the best `limit` of them. */
export interface SearchIndexResult {
  total: number;
  hits: SearchIndexHit[];
}

/** BM25 term-frequency saturation. */
export const BM25_K1 = 1.2;
/** BM25 length normalization. */
export const BM25_B = 0.75;
/** Weight of a title (or path segment) match relative to a body match. */
export const TITLE_WEIGHT = 3;
/** Share of a band's width earned by the exact-phrase bonus (multi-term queries). */
export const PHRASE_SHARE = 0.3;
/** Default number of hits. */
export const DEFAULT_SEARCH_LIMIT = 20;
/** Distinct query terms considered; the rest are ignored. */
export const MAX_QUERY_TERMS = 32;
/** Longest query (in tokens) matched as an exact phrase; a longer one gets no phrase bonus (its regex would be huge). */
export const MAX_PHRASE_TOKENS = 64;

const TOKEN_CHAR = "[\\p{L}\\p{N}\\p{M}]";
/** Up to this many hits, the selection threshold is found by insertion rather than by sorting every score. */
const SMALL_SELECTION = 256;
/** Body frequencies are capped here when packed (far past BM25 saturation). */
const MAX_COUNTED_FREQUENCY = 1 << 29;

/** A stored document. */
interface Entry {
  num: number;
  path: string;
  title: string;
  body: string;
  bodyLen: number;
  titleLen: number;
  /** Bloom filter of adjacent token pairs of title and body: rules out most phrase tests without a regex scan. */
  pairs: Uint32Array;
}

/** A matching document during ranking. */
interface Candidate {
  entry: Entry;
  /** Score without the phrase bonus. */
  base: number;
  /** Highest score reachable with the phrase bonus. */
  upper: number;
}

/** Per-query data shared by the ranking steps. */
interface Query {
  terms: string[];
  phrase: RegExp | null;
  /** Hashes of the query's adjacent token pairs (for the pair filter). */
  pairHashes: number[];
}

/**
 * The postings of one term: parallel growable arrays of document numbers and packed frequencies (body frequency
 * * 2, + 1 when the term is in the title field). Compact (8 bytes a posting) and fast to scan.
 */
class Posting {
  nums = new Int32Array(4);
  packed = new Int32Array(4);
  size = 0;

  /** Appends a document (the caller guarantees it is not present). */
  add(num: number, packed: number): void {
    if (this.size === this.nums.length) {
      this.nums = grow(this.nums);
      this.packed = grow(this.packed);
    }
    this.nums[this.size] = num;
    this.packed[this.size] = packed;
    this.size++;
  }

  /** Removes a document by swapping the last posting into its place. */
  delete(num: number): void {
    const i = this.nums.subarray(0, this.size).indexOf(num);
    if (i < 0) return;
    this.size--;
    this.nums[i] = this.nums[this.size];
    this.packed[i] = this.packed[this.size];
  }
}

/** Body and title term frequencies of one document. */
type TermStats = Map<string, { body: number; title: boolean }>;

/** In-memory inverted index with BM25 ranking; see the module doc. */
export class ReferenceSearchIndex {
  #docs = new Map<string, Entry>();
  #byNum: (Entry | undefined)[] = [];
  #freeNums: number[] = [];
  #postings = new Map<string, Posting>();
  #totalBodyLen = 0;
  #totalTitleLen = 0;

  /** Adds a page, or replaces the page with the same path (its old postings are removed first). */
  upsert(doc: IndexedDoc): void {
    this.remove(doc.path);
    const entry: Entry = {
      num: this.#freeNums.pop() ?? this.#byNum.length,
      path: doc.path,
      title: doc.title,
      body: doc.body.normalize("NFC"),
      bodyLen: 0,
      titleLen: 0,
      pairs: EMPTY_FILTER,
    };
    const bodyTokens = tokenize(entry.body);
    entry.pairs = pairFilter([tokenize(entry.title), bodyTokens]);
    for (const [term, s] of termStats(entry, bodyTokens)) {
      if (s.title) entry.titleLen++;
      entry.bodyLen += s.body;
      let posting = this.#postings.get(term);
      if (!posting) this.#postings.set(term, posting = new Posting());
      posting.add(entry.num, Math.min(s.body, MAX_COUNTED_FREQUENCY) * 2 + (s.title ? 1 : 0));
    }
    this.#docs.set(entry.path, entry);
    this.#byNum[entry.num] = entry;
    this.#totalBodyLen += entry.bodyLen;
    this.#totalTitleLen += entry.titleLen;
  }

  /** Removes a page; no-op when absent. */
  remove(path: string): void {
    const entry = this.#docs.get(path);
    if (!entry) return;
    for (const term of termStats(entry, tokenize(entry.body)).keys()) {
      const posting = this.#postings.get(term);
      posting?.delete(entry.num);
      if (posting?.size === 0) this.#postings.delete(term);
    }
    this.#docs.delete(path);
    this.#byNum[entry.num] = undefined;
    this.#freeNums.push(entry.num);
    this.#totalBodyLen -= entry.bodyLen;
    this.#totalTitleLen -= entry.titleLen;
  }

  /** True when a page with this path is indexed. */
  has(path: string): boolean {
    return this.#docs.has(path);
  }

  /** Number of indexed pages. */
  get size(): number {
    return this.#docs.size;
  }

  /** Number of distinct indexed terms (0 once every page is removed: no stale postings). */
  get termCount(): number {
    return this.#postings.size;
  }

  /**
   * Ranks pages matching any query term (OR), best first, ties by path. `total` counts every matching page;
   * `hits` holds at most `limit` (default 20). An empty or separator-only query matches nothing.
   */
  search(query: string, limit: number = DEFAULT_SEARCH_LIMIT): SearchIndexResult {
    const q = parseQuery(query);
    if (q.terms.length === 0 || this.#docs.size === 0) return { total: 0, hits: [] };
    const candidates = this.#score(q);
    const top = selectTop(candidates, q, Number.isNaN(limit) ? DEFAULT_SEARCH_LIMIT : Math.max(0, Math.floor(limit)));
    return {
      total: candidates.length,
      hits: top.map(({ entry, score }) => ({
        path: entry.path,
        title: entry.title,
        score,
        snippet: plainSnippet(entry.body, q.terms),
      })),
    };
  }

  /** Scores every document matching at least one term (without the phrase bonus). */
  #score(q: Query): Candidate[] {
    const n = this.#docs.size;
    const avgBody = this.#totalBodyLen / n || 1;
    const avgTitle = this.#totalTitleLen / n || 1;
    const raw = new Float64Array(this.#byNum.length);
    const matched = new Uint8Array(this.#byNum.length);
    const touched: number[] = [];
    const idfs: number[] = [];
    for (const term of q.terms) {
      const posting = this.#postings.get(term);
      const idf = inverseDocumentFrequency(n, posting?.size ?? 0);
      idfs.push(idf);
      const count = posting?.size ?? 0;
      for (let i = 0; i < count; i++) {
        const num = posting!.nums[i];
        const packed = posting!.packed[i];
        const e = this.#byNum[num]!;
        const body = packed >> 1;
        const tfScore = (body > 0 ? saturate(body, e.bodyLen / avgBody) : 0) +
          ((packed & 1) === 1 ? TITLE_WEIGHT * saturate(1, e.titleLen / avgTitle) : 0);
        if (matched[num] === 0) touched.push(num);
        matched[num]++;
        raw[num] += idf * tfScore;
      }
    }
    const bestIdfSums = prefixSums(idfs.sort((a, b) => b - a));
    const terms = q.terms.length;
    const relWeight = q.phrase ? 1 - PHRASE_SHARE : 1;
    return touched.map((num) => {
      const k = matched[num];
      const rel = raw[num] / (bestIdfSums[k] * (1 + TITLE_WEIGHT) * (BM25_K1 + 1));
      const base = (k - 1 + relWeight * rel) / terms;
      const upper = q.phrase && k === terms ? base + PHRASE_SHARE / terms : base;
      return { entry: this.#byNum[num]!, base, upper };
    });
  }
}

/** Body frequencies and title presence of each term of a document (title field = title + path segments). */
function termStats(entry: Entry, bodyTokens: string[]): TermStats {
  const stats: TermStats = new Map();
  for (const t of tokenize(entry.title + " " + entry.path.replaceAll("/", " "))) stats.set(t, { body: 0, title: true });
  for (const t of bodyTokens) {
    const s = stats.get(t);
    if (s) s.body++;
    else stats.set(t, { body: 1, title: false });
  }
  return stats;
}

/** Distinct query terms (capped) and, for 2+ distinct terms, the exact-phrase matcher and its token pairs. */
function parseQuery(query: string): Query {
  const tokens = tokenize(query);
  const terms = [...new Set(tokens)].slice(0, MAX_QUERY_TERMS);
  if (terms.length < 2 || tokens.length > MAX_PHRASE_TOKENS) return { terms, phrase: null, pairHashes: [] };
  const source = `(?<!${TOKEN_CHAR})${tokens.map(escapeRegExp).join(TOKEN_GAP_SOURCE)}(?!${TOKEN_CHAR})`;
  const hashes = tokens.map(hashToken);
  const pairHashes = hashes.slice(1).map((h, i) => pairHash(hashes[i], h));
  return { terms, phrase: new RegExp(source, "iu"), pairHashes };
}

/** BM25 inverse document frequency (always positive). */
function inverseDocumentFrequency(docs: number, docFreq: number): number {
  return Math.log(1 + (docs - docFreq + 0.5) / (docFreq + 0.5));
}

/** BM25 saturation of a term frequency in a field of relative length `lengthRatio`; below K1 + 1. */
function saturate(tf: number, lengthRatio: number): number {
  return (tf * (BM25_K1 + 1)) / (tf + BM25_K1 * (1 - BM25_B + BM25_B * lengthRatio));
}

/** `[0, a0, a0+a1, ...]`. */
function prefixSums(values: number[]): number[] {
  const sums = [0];
  for (const v of values) sums.push(sums[sums.length - 1] + v);
  return sums;
}

/**
 * The best `limit` candidates with final scores. Final scores are at least `base`, so a candidate whose `upper`
 * is below the `limit`-th best base can never make the cut and is dropped. The pair filter settles most phrase
 * bonuses without a regex; the rest are tested in `upper` order, only while they can still change the result.
 */
function selectTop(candidates: Candidate[], q: Query, limit: number): { entry: Entry; score: number }[] {
  if (limit === 0) return [];
  const threshold = nthLargestBase(candidates, limit);
  const live: Candidate[] = [];
  for (const c of candidates) {
    if (c.upper > c.base && c.upper >= threshold && !mayHavePairs(c.entry.pairs, q.pairHashes)) c.upper = c.base;
    if (c.upper >= threshold) live.push(c);
  }
  live.sort((a, b) => b.upper - a.upper || comparePaths(a.entry.path, b.entry.path));
  const top: { entry: Entry; score: number }[] = [];
  for (const c of live) {
    if (top.length === limit && c.upper < top[limit - 1].score) break;
    const score = c.upper > c.base && hasPhrase(c.entry, q) ? c.upper : c.base;
    insertRanked(top, { entry: c.entry, score }, limit);
  }
  return top;
}

/** The `n`-th largest base score, or -Infinity when there are `n` candidates or fewer. */
function nthLargestBase(candidates: Candidate[], n: number): number {
  if (candidates.length <= n) return -Infinity;
  if (n > SMALL_SELECTION) return Float64Array.from(candidates, (c) => c.base).sort()[candidates.length - n];
  const best = new Float64Array(n).fill(-Infinity); // ascending: best[0] is the n-th largest so far
  for (const c of candidates) {
    if (c.base <= best[0]) continue;
    let i = 0;
    for (; i + 1 < n && best[i + 1] < c.base; i++) best[i] = best[i + 1];
    best[i] = c.base;
  }
  return best[0];
}

/** True when the title or the body contains the query's tokens consecutively (pair filter already passed). */
function hasPhrase(entry: Entry, q: Query): boolean {
  return q.phrase!.test(entry.title) || q.phrase!.test(entry.body);
}

/** Inserts into a list sorted by score desc then path, keeping at most `limit` items. */
function insertRanked(top: { entry: Entry; score: number }[], item: { entry: Entry; score: number }, limit: number) {
  let i = top.length;
  while (i > 0 && ranksBefore(item, top[i - 1])) i--;
  if (i >= limit) return;
  top.splice(i, 0, item);
  if (top.length > limit) top.pop();
}

/** Ranking order: higher score first, then path. */
function ranksBefore(a: { entry: Entry; score: number }, b: { entry: Entry; score: number }): boolean {
  return a.score > b.score || (a.score === b.score && comparePaths(a.entry.path, b.entry.path) < 0);
}

/** Compares paths by UTF-16 code units. */
function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A copy of `a` with twice the capacity. */
function grow(a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(a.length * 2);
  bigger.set(a);
  return bigger;
}

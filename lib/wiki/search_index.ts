/**
 * @module
 * In-memory full-text index of a wiki's pages: an inverted index (term -> postings) with BM25 ranking, title
 * matches weighted x3 (the title field also holds the path's segments), an exact-phrase bonus and coordination
 * (pages matching more query terms always rank higher). Scores are normalized to 0..1; docs/wiki.md gives the
 * formula. The index holds each page's body for snippets and nothing per term beyond the postings.
 *
 * Search forgives by default (issue 12): a query term also matches, with a lower weight, other words of its stem,
 * words an edit or two away when it is found nowhere, and (the last query word) the words it begins
 * (lib/wiki/search/vocabulary.ts). A page then matches the term through its best-scoring variant, so an exact match
 * outranks a forgiven one at equal frequency. With `forgiving: false` the ranking is the exact BM25 of before.
 */
import { escapeRegExp, TOKEN_GAP_SOURCE, tokenize } from "./text.ts";
import { plainSnippet } from "./plain_text.ts";
import { EMPTY_FILTER, hashToken, mayHavePairs, pairFilter, pairHash } from "./pair_filter.ts";
import { type Candidate, selectTop } from "./search/select.ts";
import { type Variant, Vocabulary } from "./search/vocabulary.ts";
import { Posting } from "./search/postings.ts";
import type { SearchOptions, TermMatch } from "./types.ts";

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
  /** Why the page matched, one entry a matched query term (forgiving searches only). */
  matched?: TermMatch[];
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
/** Removed documents' numbers tolerated before renumbering (at least; or a quarter of the live documents). */
const MIN_HOLES = 256;
/** Body frequencies are capped here when packed (far past BM25 saturation). */
const MAX_COUNTED_FREQUENCY = 1 << 29;

/** A stored document. */
interface Entry {
  num: number;
  path: string;
  title: string;
  /** The body (NFC) as UTF-8: outside the JS heap, so a large wiki's text does not grow the collected heap. */
  body: Uint8Array;
  bodyLen: number;
  titleLen: number;
  /** Bloom filter of adjacent token pairs of title and body: rules out most phrase tests without a regex scan. */
  pairs: Uint32Array;
}

/** Per-query data shared by the ranking steps. */
interface Query {
  terms: string[];
  /** The query's last token (the one prefix-matched). */
  last: string | null;
  phrase: RegExp | null;
  /** Hashes of the query's adjacent token pairs (for the pair filter). */
  pairHashes: number[];
}

const UTF8 = new TextEncoder();
const UTF8_TEXT = new TextDecoder();

/** A document's body as a string. */
function bodyText(entry: Entry): string {
  return UTF8_TEXT.decode(entry.body);
}

/** Body and title term frequencies of one document. */
type TermStats = Map<string, number>;

/** In-memory inverted index with BM25 ranking; see the module doc. */
export class SearchIndex {
  #docs = new Map<string, Entry>();
  /** Documents by number; numbers are never reused (postings stay ascending) until {@link #renumber}. */
  #byNum: (Entry | undefined)[] = [];
  /** Numbers of removed documents not yet renumbered away. */
  #holes = 0;
  #postings = new Map<string, Posting>();
  #vocabulary = new Vocabulary<Posting>();
  #totalBodyLen = 0;
  #totalTitleLen = 0;

  /** Adds a page, or replaces the page with the same path (its old postings are removed first). */
  upsert(doc: IndexedDoc): void {
    this.remove(doc.path);
    const body = doc.body.normalize("NFC");
    const entry: Entry = {
      num: this.#byNum.length,
      path: doc.path,
      title: doc.title,
      body: UTF8.encode(body),
      bodyLen: 0,
      titleLen: 0,
      pairs: EMPTY_FILTER,
    };
    const bodyTokens = tokenize(body);
    entry.pairs = pairFilter([tokenize(entry.title), bodyTokens]);
    for (const [term, stat] of termStats(entry, bodyTokens)) {
      const body = Math.floor(stat / 2);
      if ((stat & 1) === 1) entry.titleLen++;
      entry.bodyLen += body;
      let posting = this.#postings.get(term);
      if (!posting) {
        this.#postings.set(term, posting = new Posting(term));
        this.#vocabulary.add(posting);
      }
      posting.add(entry.num, Math.min(body, MAX_COUNTED_FREQUENCY) * 2 + (stat & 1));
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
    for (const term of termStats(entry, tokenize(bodyText(entry))).keys()) {
      const posting = this.#postings.get(term);
      posting?.delete(entry.num);
      if (posting?.size === 0) {
        this.#postings.delete(term);
        this.#vocabulary.delete(posting);
      }
    }
    this.#docs.delete(path);
    this.#byNum[entry.num] = undefined;
    if (++this.#holes > Math.max(MIN_HOLES, this.#docs.size / 4)) this.#renumber();
    this.#totalBodyLen -= entry.bodyLen;
    this.#totalTitleLen -= entry.titleLen;
  }

  /**
   * Numbers the documents 0..n-1 again, in their order (per-search arrays are as long as the numbers reach): one pass
   * over the postings once removed documents' numbers outnumber a quarter of the live ones.
   */
  #renumber(): void {
    const map = new Int32Array(this.#byNum.length).fill(-1);
    const live: Entry[] = [];
    this.#byNum.forEach((e, num) => {
      if (e === undefined) return;
      map[num] = e.num = live.length;
      live.push(e);
    });
    for (const posting of this.#postings.values()) posting.renumber(map);
    this.#byNum = live;
    this.#holes = 0;
  }

  /** Releases the spare capacity of the postings (after a bulk build; later additions grow them again). */
  compact(): void {
    for (const posting of this.#postings.values()) posting.compact();
  }

  /** True when a page with this path is indexed. */
  has(path: string): boolean {
    return this.#docs.has(path);
  }

  /** A snippet of an indexed page for `query` (its start when no query term occurs), or null when absent. */
  snippet(path: string, query: string, matched?: TermMatch[]): { title: string; snippet: string } | null {
    const e = this.#docs.get(path);
    return e
      ? { title: e.title, snippet: plainSnippet(bodyText(e), snippetWords(tokenize(query), { matched })) }
      : null;
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
   * `hits` holds at most `limit` (default 20). An empty or separator-only query matches nothing. Forgiving (the
   * default) also matches stems, typos and the last word's completions, and says in `matched` what matched.
   */
  search(
    query: string,
    limit: number = DEFAULT_SEARCH_LIMIT,
    opts: Pick<SearchOptions, "forgiving"> = {},
  ): SearchIndexResult {
    const r = this.rank(query, limit, opts);
    const terms = parseQuery(query).terms;
    return {
      total: r.total,
      hits: r.hits.map((h) => ({
        ...h,
        snippet: plainSnippet(bodyText(this.#docs.get(h.path)!), snippetWords(terms, h)),
      })),
    };
  }

  /** The ranking of {@link search} without snippets (hybrid search makes snippets for its final hits only). */
  rank(
    query: string,
    limit: number = DEFAULT_SEARCH_LIMIT,
    opts: Pick<SearchOptions, "forgiving"> = {},
  ): { total: number; hits: Omit<SearchIndexHit, "snippet">[] } {
    const q = parseQuery(query);
    if (q.terms.length === 0 || this.#docs.size === 0) return { total: 0, hits: [] };
    const forgiving = opts.forgiving ?? true;
    const variants = forgiving
      ? this.#vocabulary.expand(q.terms, q.last, (t) => this.#postings.get(t))
      : q.terms.map((t) => exactOnly(this.#postings.get(t)));
    const { candidates, matches } = this.#score(q, variants, forgiving);
    const top = selectTop(
      candidates,
      Number.isNaN(limit) ? DEFAULT_SEARCH_LIMIT : Math.max(0, Math.floor(limit)),
      (e) => mayHavePairs(e.pairs, q.pairHashes),
      (e) => q.phrase!.test(e.title) || q.phrase!.test(bodyText(e)),
    );
    return {
      total: candidates.length,
      hits: top.map(({ entry, score }) =>
        matches
          ? { path: entry.path, title: entry.title, score, matched: whyMatched(q.terms, variants, matches, entry.num) }
          : { path: entry.path, title: entry.title, score }
      ),
    };
  }

  /**
   * Scores every document matching at least one term (without the phrase bonus). A document matches a term
   * through its best-scoring variant. With `explain`, the result also says which variant that was (see Matches).
   */
  #score(
    q: Query,
    variants: Variant<Posting>[][],
    explain: boolean,
  ): { candidates: Candidate<Entry>[]; matches: Matches | null } {
    const n = this.#docs.size;
    const avgBody = this.#totalBodyLen / n || 1;
    const avgTitle = this.#totalTitleLen / n || 1;
    const size = this.#byNum.length;
    const raw = new Float64Array(size);
    const matched = new Uint8Array(size);
    const touched: number[] = [];
    const idfs: number[] = [];
    const matches: Matches | null = explain ? { bits: new Int32Array(size), chosen: [] } : null;
    let best: Float64Array | null = null;
    variants.forEach((vs, t) => {
      let ceiling = 0;
      const single = vs.length <= 1;
      const chosen = single ? null : new Uint8Array(size);
      if (!single) best ??= new Float64Array(size);
      if (matches) matches.chosen[t] = chosen;
      const termTouched: number[] = [];
      vs.forEach((v, j) => {
        const posting = v.entry;
        const idf = v.weight * inverseDocumentFrequency(n, posting.size);
        ceiling = Math.max(ceiling, idf);
        for (let i = 0; i < posting.size; i++) {
          const num = posting.nums[i];
          const packed = posting.packed[i];
          const e = this.#byNum[num]!;
          const body = packed >> 1;
          const tfScore = (body > 0 ? saturate(body, e.bodyLen / avgBody) : 0) +
            ((packed & 1) === 1 ? TITLE_WEIGHT * saturate(1, e.titleLen / avgTitle) : 0);
          if (single) {
            if (matched[num] === 0) touched.push(num);
            matched[num]++;
            raw[num] += idf * tfScore;
            if (matches) matches.bits[num] |= 1 << t;
          } else if (idf * tfScore > best![num]) {
            if (best![num] === 0) termTouched.push(num);
            best![num] = idf * tfScore;
            chosen![num] = j + 1;
          }
        }
      });
      idfs.push(ceiling > 0 ? ceiling : inverseDocumentFrequency(n, 0));
      for (const num of termTouched) {
        if (matched[num] === 0) touched.push(num);
        matched[num]++;
        raw[num] += best![num];
        best![num] = 0;
      }
    });
    const bestIdfSums = prefixSums(idfs.sort((a, b) => b - a));
    const terms = q.terms.length;
    const relWeight = q.phrase ? 1 - PHRASE_SHARE : 1;
    const candidates = touched.map((num) => {
      const k = matched[num];
      const rel = raw[num] / (bestIdfSums[k] * (1 + TITLE_WEIGHT) * (BM25_K1 + 1));
      const base = (k - 1 + relWeight * rel) / terms;
      const upper = q.phrase && k === terms ? base + PHRASE_SHARE / terms : base;
      return { entry: this.#byNum[num]!, base, upper };
    });
    return { candidates, matches };
  }
}

/** The exact variant of a term alone (none when no page holds it). */
function exactOnly(posting: Posting | undefined): Variant<Posting>[] {
  return posting ? [{ entry: posting, weight: 1, kind: "exact" }] : [];
}

/**
 * Which variant each document matched each query term through: for a term of one variant, bit t of `bits[num]`;
 * for a term of several, `chosen[t][num]` is the variant's index + 1 (0: none).
 */
interface Matches {
  bits: Int32Array;
  chosen: (Uint8Array | null)[];
}

/** The query terms document `num` matched and the word each matched through. */
function whyMatched(terms: string[], variants: Variant<Posting>[][], m: Matches, num: number): TermMatch[] {
  const out: TermMatch[] = [];
  terms.forEach((query, t) => {
    const j = m.chosen[t] ? m.chosen[t]![num] : (m.bits[num] >>> t) & 1;
    if (j > 0) out.push({ query, word: variants[t][j - 1].entry.term, kind: variants[t][j - 1].kind });
  });
  return out;
}

/**
 * Body frequency and title presence of each term of a document (title field = title + path segments), packed as
 * frequency * 2 + 1 when in the title (a number a term: no object a term while a large wiki is indexed).
 */
function termStats(entry: Entry, bodyTokens: string[]): TermStats {
  const stats: TermStats = new Map();
  for (const t of tokenize(entry.title + " " + entry.path.replaceAll("/", " "))) stats.set(t, 1);
  for (const t of bodyTokens) stats.set(t, (stats.get(t) ?? 0) + 2);
  return stats;
}

/** Distinct query terms (capped) and, for 2+ distinct terms, the exact-phrase matcher and its token pairs. */
function parseQuery(query: string): Query {
  const tokens = tokenize(query);
  const terms = [...new Set(tokens)].slice(0, MAX_QUERY_TERMS);
  const last = tokens.length > 0 ? tokens[tokens.length - 1] : null;
  if (terms.length < 2 || tokens.length > MAX_PHRASE_TOKENS) return { terms, last, phrase: null, pairHashes: [] };
  const source = `(?<!${TOKEN_CHAR})${tokens.map(escapeRegExp).join(TOKEN_GAP_SOURCE)}(?!${TOKEN_CHAR})`;
  const hashes = tokens.map(hashToken);
  const pairHashes = hashes.slice(1).map((h, i) => pairHash(hashes[i], h));
  return { terms, last, phrase: new RegExp(source, "iu"), pairHashes };
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

/** The words a snippet centres on: the page's words that matched (forgiving searches), then the query's terms. */
function snippetWords(terms: string[], hit: { matched?: TermMatch[] }): string[] {
  return hit.matched ? [...new Set([...hit.matched.map((m) => m.word), ...terms])] : terms;
}

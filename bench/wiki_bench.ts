/**
 * @module
 * Wiki store benchmark on the default file KV: a wiki of 10,000 generated pages (~300 words each, frontmatter
 * category and tags, WikiLinks), then
 * - write latency: sequential updates of existing pages with their current revision (`PageStore.write`);
 * - search latency: queries of 1-3 vocabulary words (`PageStore.search`, forgiving), after one warm-up query;
 * - the same queries with `forgiving: false` (exact BM25, the ranking before issue 12): the cost of forgiveness;
 * and, in the same run on the same machine, two baselines:
 * - raw `kv.set` of a value of the same size on the same KV file (the floor for a durable write);
 * - a naive linear scan of the same 10,000 texts in memory with `String.includes` (what search is compared to).
 *
 * Targets: search p50 < 50 ms, write p50 < 5 ms. Everything is generated from a fixed-seed PRNG, no network.
 */
import { DEFAULT_LIMITS } from "../lib/config.ts";
import { createWikis } from "../lib/wiki/wikis.ts";
import type { Actor } from "../lib/wiki/types.ts";
import {
  fmtMs,
  LATENCY_HEADER,
  latencyRow,
  type LatencySummary,
  seededRandom,
  summarize,
  table,
  timeEach,
} from "./stats.ts";
import { FOREIGN_WIKI_DATA } from "../lib/platform/wiki_lifecycle.ts";

/** Options of a run (defaults are the benchmark's; tests may shrink them). */
export interface WikiBenchOptions {
  pages?: number;
  wordsPerPage?: number;
  writes?: number;
  searches?: number;
  seed?: number;
  log?: (line: string) => void;
}

/** Numbers of a run. */
export interface WikiBenchResult {
  pages: number;
  generateMs: number;
  write: LatencySummary;
  rawKvSet: LatencySummary;
  search: LatencySummary;
  /** The same queries with `forgiving: false`. */
  searchExact: LatencySummary;
  firstSearchMs: number;
  linearScan: LatencySummary;
  meanHits: number;
  targets: { searchP50Under50ms: boolean; writeP50Under5ms: boolean };
}

const ACTOR: Actor = { id: "local:bench", name: "bench", client: "cli" };
const CATEGORIES = ["project", "notes", "decision", "meeting", "research", "howto", "person", "log"];
const FOLDERS = 20;

/** Deterministic corpus: a vocabulary and word sampler with a skewed (Zipf-like) distribution. */
export function corpus(seed: number) {
  const rand = seededRandom(seed);
  const syllables = ["ka", "lo", "mi", "ren", "tas", "vo", "zu", "pel", "dra", "qui", "sen", "tor", "ba", "nex", "fi"];
  const vocab = new Set<string>();
  for (let guard = 0; vocab.size < 3000 && guard < 100_000; guard++) {
    const n = 2 + Math.floor(rand() * 3);
    let w = "";
    for (let i = 0; i < n; i++) w += syllables[Math.floor(rand() * syllables.length)];
    vocab.add(w);
  }
  const words = [...vocab];
  return { rand, words, word: skewedPicker(words, rand) };
}

/** `words` words drawn from `word`, as paragraphs of 60 words (each a line ending in "." and a blank line). */
export function paragraphs(word: () => string, words: number): string[] {
  const lines: string[] = [];
  for (let w = 0; w < words; w += 60) {
    const para = Array.from({ length: Math.min(60, words - w) }, () => word());
    lines.push(para.join(" ") + ".", "");
  }
  return lines;
}

/** Draws from `words` with rank r weighted ~1/(r+10), like word frequencies in prose. */
export function skewedPicker(words: readonly string[], rand: () => number): () => string {
  const cumulative: number[] = [];
  let sum = 0;
  for (let r = 0; r < words.length; r++) cumulative.push(sum += 1 / (r + 10));
  return () => {
    const x = rand() * sum;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return words[lo];
  };
}

/** The path of generated page `i` (20 folders). */
export function pagePath(i: number): string {
  return `Area ${i % FOLDERS}/Topic ${i}`;
}

/** One page's content: frontmatter, a heading, paragraphs of sampled words, two or three WikiLinks. */
export function pageContent(c: ReturnType<typeof corpus>, i: number, pages: number, words: number, edit = 0): string {
  const tags = [c.word(), c.word()].filter((t, k, a) => a.indexOf(t) === k);
  const lines = [
    "---",
    `category: ${CATEGORIES[i % CATEGORIES.length]}`,
    `tags: [${tags.join(", ")}]`,
    "---",
    `# Topic ${i}${edit ? ` (edit ${edit})` : ""}`,
    "",
  ];
  lines.push(...paragraphs(c.word, words));
  const links = 2 + Math.floor(c.rand() * 2);
  for (let l = 0; l < links; l++) {
    const target = Math.floor(c.rand() * pages);
    lines.push(l === 0 ? `See [[${pagePath(target)}]].` : `Also [[${pagePath(target)}|topic ${target}]].`);
  }
  return lines.join("\n") + "\n";
}

/** Runs the wiki benchmark on a fresh temp KV file (deleted afterwards); prints a table and returns the numbers. */
export async function runWikiBench(opts: WikiBenchOptions = {}): Promise<WikiBenchResult> {
  const pages = opts.pages ?? 10_000;
  const wordsPerPage = opts.wordsPerPage ?? 300;
  const writes = opts.writes ?? 300;
  const searches = opts.searches ?? 200;
  const log = opts.log ?? console.log;
  const c = corpus(opts.seed ?? 20261126);

  const dir = await Deno.makeTempDir({ prefix: "wiki-bench-" });
  const kv = await Deno.openKv(`${dir}/bench.kv`);
  try {
    const limits = { ...DEFAULT_LIMITS, quotaPages: pages + 1000, quotaBytes: 2 * 1024 * 1024 * 1024 };
    const wikis = createWikis({ kv, limits }, FOREIGN_WIKI_DATA);
    const wiki = await wikis.create({ slug: "bench", ownerDid: "local:bench", seed: false }, ACTOR);
    const store = wikis.pages(wiki);

    // ---- generate
    log(`wiki bench: generating ${pages} pages of ~${wordsPerPage} words on a file KV (${dir}) ...`);
    const texts: string[] = [];
    const revisions: string[] = [];
    const genStart = performance.now();
    for (let i = 0; i < pages; i++) {
      const text = pageContent(c, i, pages, wordsPerPage);
      texts.push(text);
      revisions.push((await store.write(pagePath(i), text, {}, ACTOR)).revision);
      if ((i + 1) % 2000 === 0) log(`  ${i + 1} pages, ${((performance.now() - genStart) / 1000).toFixed(1)} s`);
    }
    const generateMs = performance.now() - genStart;

    // ---- writes: updates of existing pages with their current revision
    const targets = Array.from({ length: writes }, () => Math.floor(c.rand() * pages));
    const updates = targets.map((i, k) => ({ i, text: pageContent(c, i, pages, wordsPerPage, k + 1) }));
    const writeMs = await timeEach(updates, async ({ i, text }) => {
      const res = await store.write(pagePath(i), text, { revision: revisions[i] }, ACTOR);
      revisions[i] = res.revision;
      texts[i] = text;
    });

    // ---- baseline: raw kv.set of a value of the same size, same file
    const sample = updates.map((u) => u.text);
    const rawMs = await timeEach(sample, (text, k) => kv.set(["bench_raw", k], text));

    // ---- search
    const queries = Array.from({ length: searches }, () => {
      const n = 1 + Math.floor(c.rand() * 3);
      return Array.from({ length: n }, () => c.words[Math.floor(c.rand() * 400)]).join(" ");
    });
    const firstStart = performance.now();
    await store.search(queries[0], { limit: 20, mode: "lexical" });
    const firstSearchMs = performance.now() - firstStart;
    let hits = 0;
    // Forgiving and exact searches interleaved, each first every other query, so that warm-up, caches and machine
    // load weigh on both alike. Terms only: the meaning section compares hybrid search with these.
    await store.search(queries[1], { limit: 20, mode: "lexical", forgiving: false });
    const both = queries.flatMap((q, i) => [{ q, forgiving: i % 2 === 0 }, { q, forgiving: i % 2 === 1 }]);
    const bothMs = await timeEach(both, async ({ q, forgiving }) => {
      const r = await store.search(q, { limit: 20, mode: "lexical", forgiving });
      if (forgiving) hits += r.total;
    });
    const searchMs = bothMs.filter((_, i) => both[i].forgiving);
    const searchExactMs = bothMs.filter((_, i) => !both[i].forgiving);

    // ---- baseline: naive linear scan of the texts in memory (every query word must occur)
    const lower = texts.map((t) => t.toLowerCase());
    let scanned = 0;
    const scanMs = await timeEach(queries, (q) => {
      const terms = q.toLowerCase().split(" ");
      let n = 0;
      for (const t of lower) if (terms.every((w) => t.includes(w))) n++;
      scanned += n;
      return Promise.resolve(n);
    });

    const result: WikiBenchResult = {
      pages,
      generateMs,
      write: summarize(writeMs),
      rawKvSet: summarize(rawMs),
      search: summarize(searchMs),
      searchExact: summarize(searchExactMs),
      firstSearchMs,
      linearScan: summarize(scanMs),
      meanHits: hits / searches,
      targets: { searchP50Under50ms: false, writeP50Under5ms: false },
    };
    result.targets.searchP50Under50ms = result.search.p50 < 50;
    result.targets.writeP50Under5ms = result.write.p50 < 5;

    const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(1) + "x" : "n/a");
    log("");
    log(
      `Wiki store, ${pages} pages (${(texts.reduce((s, t) => s + t.length, 0) / 1e6).toFixed(1)} MB), file KV; ` +
        `generated in ${(generateMs / 1000).toFixed(1)} s (${(pages / (generateMs / 1000)).toFixed(0)} writes/s)`,
    );
    log(table(LATENCY_HEADER, [
      latencyRow("write (PageStore.write, update)", result.write),
      latencyRow("  baseline: raw kv.set, same size", result.rawKvSet),
      latencyRow("search (PageStore.search)", result.search),
      latencyRow("  same, forgiving: false (exact)", result.searchExact),
      latencyRow("  baseline: linear scan, includes", result.linearScan),
    ]));
    log(
      `first search (builds the in-process index) ${fmtMs(firstSearchMs)} ms; mean hits per query: ours ` +
        `${result.meanHits.toFixed(1)}, linear scan (all words) ${(scanned / searches).toFixed(1)}`,
    );
    log(
      `ratios ours/baseline p50: write ${ratio(result.write.p50, result.rawKvSet.p50)}, search ` +
        `${ratio(result.search.p50, result.linearScan.p50)}, forgiving/exact search ` +
        `${ratio(result.search.p50, result.searchExact.p50)}`,
    );
    log(
      `${result.targets.searchP50Under50ms ? "PASS" : "FAIL"} search p50 ${fmtMs(result.search.p50)} ms (target < 50)`,
    );
    log(`${result.targets.writeP50Under5ms ? "PASS" : "FAIL"} write p50 ${fmtMs(result.write.p50)} ms (target < 5)`);
    return result;
  } finally {
    kv.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  const pages = Number(Deno.args[0] ?? 10_000);
  await runWikiBench({ pages });
}

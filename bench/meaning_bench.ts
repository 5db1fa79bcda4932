/**
 * @module
 * Cost of the meaning layer (issue 12 item 6), `deno task bench meaning`: a wiki of 10,000 generated pages of
 * English words (drawn, Zipf-skewed, from the shipped word file's vocabulary, so that page and query vectors are
 * real) on a file KV, then, in the same run:
 * - write p50 (`PageStore.write` with the page vector stored in the commit) against raw `kv.set` of the same size,
 *   interleaved;
 * - hybrid search p50 (the default) against lexical-only p50 (`mode: "lexical"`) of the same queries, interleaved,
 *   and against a naive linear scan of the texts in memory;
 * - start-up to the first served request (`GET /healthz`) of `main.ts` on that KV, layer on against
 *   `MEANING_LAYER=false`, alternating runs (the median of each); also the first search of the 10,000-page wiki;
 * - RSS of the app (`main.ts`, layer on; off for comparison) after its first search of the 10,000-page wiki has
 *   loaded the catalog (index and vectors) and the word file.
 *
 * Targets: hybrid p50 <= 3x lexical p50 and below the linear scan; write / kv.set p50 <= 5; start-up on / off <= 1.10;
 * RSS < 300 MB.
 */
import { DEFAULT_LIMITS } from "../lib/config.ts";
import { createWikis } from "../lib/wiki/wikis.ts";
import type { Actor } from "../lib/wiki/types.ts";
import { FOREIGN_WIKI_DATA } from "../lib/platform/wiki_lifecycle.ts";
import { decodeWordFile } from "../lib/wiki/meaning/word_file.ts";
import { WORD_FILE_URL } from "../lib/wiki/meaning/static_embedder.ts";
import { paragraphs, skewedPicker } from "./wiki_bench.ts";
import { fmtMs, LATENCY_HEADER, latencyRow, percentile, seededRandom, summarize, table, timeEach } from "./stats.ts";
import { SERVER_V8_FLAGS } from "./stats.ts";

/** Options of a run (defaults are the benchmark's; smaller while developing). */
export interface MeaningBenchOptions {
  pages?: number;
  wordsPerPage?: number;
  writes?: number;
  searches?: number;
  /** Start-up runs per mode (0 skips the start-up measurement). */
  startups?: number;
  log?: (line: string) => void;
}

/** Named targets: true = met. */
export interface MeaningBenchTargets {
  hybridAtMost3xLexical: boolean;
  hybridBelowLinearScan: boolean;
  writeAtMost5xKvSet: boolean;
  startupGrowthAtMost10Percent: boolean | null;
  rssUnder300MB: boolean | null;
}

const ACTOR: Actor = { id: "local:bench", name: "bench", client: "cli" };
const ROOT = new URL("../", import.meta.url);

/** A Zipf-skewed sampler over real English words (ranks 100-12,100 of the word file). */
async function englishCorpus(seed: number) {
  const file = decodeWordFile(await Deno.readFile(WORD_FILE_URL));
  const words = file.words.slice(100, 12_100);
  const rand = seededRandom(seed);
  return { rand, words, word: skewedPicker(words, rand) };
}

type Corpus = Awaited<ReturnType<typeof englishCorpus>>;

function pageTitle(c: Corpus, i: number): string {
  return `${c.words[(i * 7919) % 3000]} ${c.words[(i * 104729) % 6000]} ${i}`;
}

function pagePath(c: Corpus, i: number): string {
  return `Area ${i % 20}/${pageTitle(c, i)}`;
}

function pageContent(c: Corpus, i: number, words: number): string {
  return [`# ${pageTitle(c, i)}`, "", ...paragraphs(c.word, words)].join("\n");
}

/** A free loopback port. */
function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Resident set size of a process in MB (Linux /proc), or NaN where unavailable. */
function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(Deno.readTextFileSync(`/proc/${pid}/status`));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/**
 * Starts main.ts on `kvPath`; returns ms to the first 200 of /healthz and of a search of the bench wiki, and the
 * app's RSS (MB) once that search has loaded the wiki's catalog (index, and vectors when the layer is on).
 */
async function startOnce(
  kvPath: string,
  layer: boolean,
  query: string,
): Promise<{ healthz: number; search: number; rssMB: number }> {
  const port = freePort();
  const start = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", SERVER_V8_FLAGS, "main.ts"],
    cwd: ROOT.pathname,
    env: { KV_PATH: kvPath, PORT: String(port), SEED_DEMO: "false", MEANING_LAYER: String(layer) },
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    let healthz = -1;
    for (let i = 0; i < 3000 && healthz < 0; i++) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/healthz`);
        await res.body?.cancel();
        if (res.ok) healthz = performance.now() - start;
      } catch {
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    if (healthz < 0) throw new Error("the app did not start within the bound");
    const res = await fetch(`http://127.0.0.1:${port}/w/bench/-/search?q=${encodeURIComponent(query)}`);
    await res.body?.cancel();
    if (!res.ok) throw new Error(`search answered ${res.status}`);
    const search = performance.now() - start;
    return { healthz, search, rssMB: rssOf(child.pid) };
  } finally {
    child.kill("SIGTERM");
    await child.status;
  }
}

/** Runs the benchmark on a fresh temp KV file (deleted afterwards); prints a table and returns the targets. */
export async function runMeaningBench(opts: MeaningBenchOptions = {}): Promise<{ targets: MeaningBenchTargets }> {
  const pages = opts.pages ?? 10_000;
  const wordsPerPage = opts.wordsPerPage ?? 300;
  const writes = opts.writes ?? 300;
  const searches = opts.searches ?? 200;
  const startups = opts.startups ?? 9;
  const log = opts.log ?? console.log;
  const c = await englishCorpus(20261205);
  const dir = await Deno.makeTempDir({ prefix: "meaning-bench-" });
  const kvPath = `${dir}/bench.kv`;
  let kv: Deno.Kv | null = await Deno.openKv(kvPath);
  try {
    const limits = { ...DEFAULT_LIMITS, quotaPages: pages + 1000, quotaBytes: 2 * 1024 * 1024 * 1024 };
    const wikis = createWikis({ kv, limits }, FOREIGN_WIKI_DATA);
    const wiki = await wikis.create(
      { slug: "bench", ownerDid: "local:bench", visibility: "public", seed: false },
      ACTOR,
    );
    const store = wikis.pages(wiki);
    log(`meaning bench: generating ${pages} pages of ~${wordsPerPage} English words on a file KV (${dir}) ...`);
    const texts: string[] = [];
    const revisions: string[] = [];
    const genStart = performance.now();
    for (let i = 0; i < pages; i++) {
      texts.push(pageContent(c, i, wordsPerPage));
      revisions.push((await store.write(pagePath(c, i), texts[i], {}, ACTOR)).revision);
      if ((i + 1) % 2000 === 0) log(`  ${i + 1} pages, ${((performance.now() - genStart) / 1000).toFixed(1)} s`);
    }

    // ---- writes (vector computed and stored in the commit) against raw kv.set of the same size
    const targets = Array.from({ length: writes }, () => Math.floor(c.rand() * pages));
    const updates = targets.map((i) => ({ i, text: pageContent(c, i, wordsPerPage) }));
    // Interleaved (which goes first alternating), so that neither pays more for the garbage the generation (or the
    // other) left behind: timed one after the other, the writes paid for it and the ratio moved by ~20% between runs.
    const writeMs: number[] = [];
    const rawMs: number[] = [];
    const timedWrite = async ({ i, text }: { i: number; text: string }) => {
      const t = performance.now();
      revisions[i] = (await store.write(pagePath(c, i), text, { revision: revisions[i] }, ACTOR)).revision;
      writeMs.push(performance.now() - t);
      texts[i] = text;
    };
    const timedSet = async (text: string, k: number) => {
      const t = performance.now();
      await kv!.set(["bench_raw", k], text);
      rawMs.push(performance.now() - t);
    };
    for (const [k, u] of updates.entries()) {
      if (k % 2 === 0) await timedWrite(u).then(() => timedSet(u.text, k));
      else await timedSet(u.text, k).then(() => timedWrite(u));
    }

    // ---- searches: lexical and hybrid interleaved, same queries; a linear scan baseline
    const queries = Array.from({ length: searches }, () => {
      const n = 1 + Math.floor(c.rand() * 3);
      return Array.from({ length: n }, () => c.words[Math.floor(c.rand() * 2000)]).join(" ");
    });
    await store.search(queries[0], { mode: "hybrid" }); // warm-up: catalog and word file
    const lexicalMs: number[] = [];
    const hybridMs: number[] = [];
    const timed = async (q: string, mode: "lexical" | "hybrid", into: number[]) => {
      const t = performance.now();
      await store.search(q, { limit: 20, mode });
      into.push(performance.now() - t);
    };
    for (const [k, q] of queries.entries()) {
      // Alternating which goes first, so that neither pays more for what the other left in the caches.
      if (k % 2 === 0) await timed(q, "lexical", lexicalMs).then(() => timed(q, "hybrid", hybridMs));
      else await timed(q, "hybrid", hybridMs).then(() => timed(q, "lexical", lexicalMs));
    }
    const lower = texts.map((t) => t.toLowerCase());
    const scanMs = await timeEach(queries, (q) => {
      const terms = q.toLowerCase().split(" ");
      let n = 0;
      for (const t of lower) if (terms.every((w) => t.includes(w))) n++;
      return Promise.resolve(n);
    });
    const benchRssMB = Deno.memoryUsage().rss / 1024 / 1024;
    kv.close();
    kv = null;

    // ---- start-up: layer on vs off, alternating (one discarded warm-up run each)
    const startup = {
      on: [] as number[],
      off: [] as number[],
      onSearch: [] as number[],
      offSearch: [] as number[],
      onRss: [] as number[],
      offRss: [] as number[],
    };
    if (startups > 0) {
      await startOnce(kvPath, true, queries[1]);
      await startOnce(kvPath, false, queries[1]);
      for (let r = 0; r < startups; r++) {
        for (const layer of r % 2 === 0 ? [true, false] : [false, true]) {
          const s = await startOnce(kvPath, layer, queries[1]);
          startup[layer ? "on" : "off"].push(s.healthz);
          startup[layer ? "onSearch" : "offSearch"].push(s.search);
          startup[layer ? "onRss" : "offRss"].push(s.rssMB);
        }
      }
    }

    const write = summarize(writeMs);
    const raw = summarize(rawMs);
    const lexical = summarize(lexicalMs);
    const hybrid = summarize(hybridMs);
    const scan = summarize(scanMs);
    const med = (v: number[]) => percentile(v, 50);
    const startupRatio = startups > 0 ? med(startup.on) / med(startup.off) : null;
    const rssMB = startups > 0 ? med(startup.onRss) : NaN;
    const result: MeaningBenchTargets = {
      hybridAtMost3xLexical: hybrid.p50 <= 3 * lexical.p50,
      hybridBelowLinearScan: hybrid.p50 < scan.p50,
      writeAtMost5xKvSet: write.p50 / raw.p50 <= 5,
      startupGrowthAtMost10Percent: startupRatio === null ? null : startupRatio <= 1.1,
      rssUnder300MB: Number.isNaN(rssMB) ? null : rssMB < 300,
    };
    log("");
    log(`Meaning layer, ${pages} pages, file KV, same run`);
    log(table(LATENCY_HEADER, [
      latencyRow("write (vector stored in the commit)", write),
      latencyRow("  baseline: raw kv.set, same size", raw),
      latencyRow("search, hybrid (default)", hybrid),
      latencyRow("  baseline: search, lexical only", lexical),
      latencyRow("  baseline: linear scan, includes", scan),
    ]));
    log(
      `ratios p50: write/kv.set ${(write.p50 / raw.p50).toFixed(2)}, hybrid/lexical ${
        (hybrid.p50 / lexical.p50).toFixed(2)
      }, hybrid/linear scan ${(hybrid.p50 / scan.p50).toFixed(2)}`,
    );
    if (startupRatio !== null) {
      log(
        `start-up to first /healthz (median of ${startups}): on ${fmtMs(med(startup.on))} ms, off ${
          fmtMs(med(startup.off))
        } ms, on/off ${startupRatio.toFixed(3)} (fastest runs: on ${fmtMs(Math.min(...startup.on))} ms, off ${
          fmtMs(Math.min(...startup.off))
        } ms, on/off ${
          (Math.min(...startup.on) / Math.min(...startup.off)).toFixed(3)
        }); to the first search of the wiki: on ${fmtMs(med(startup.onSearch))} ms, off ${
          fmtMs(med(startup.offSearch))
        } ms, on/off ${(med(startup.onSearch) / med(startup.offSearch)).toFixed(3)}`,
      );
    }
    log(
      `app RSS after its first search of the ${pages}-page wiki (median): layer on ${rssMB.toFixed(0)} MB, off ${
        med(startup.offRss).toFixed(0)
      } MB; this bench process (holds the generator's texts too): ${benchRssMB.toFixed(0)} MB`,
    );
    for (const [name, ok] of Object.entries(result)) log(`${ok === null ? "n/a " : ok ? "PASS" : "FAIL"} ${name}`);
    return { targets: result };
  } finally {
    kv?.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  await runMeaningBench({ pages: Number(Deno.args[0] ?? 10_000), startups: Number(Deno.args[1] ?? 5) });
}

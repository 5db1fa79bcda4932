/**
 * @module
 * Export benchmark (issue 13): the 10,000-page bench wiki (bench/wiki_bench.ts's generator) on a file KV, then in the
 * same run
 * - baseline: reading every page through the page store (`PageStore.read`, one after another);
 * - export: the whole wiki as a zip (lib/archive/export.ts), streamed to a file in the same temp folder;
 * reported as time ratio export / baseline, with the process's peak RSS sampled during the export (target < 300 MB)
 * and the zip's size. Sequential, fixed-seed, no network.
 */
import { DEFAULT_LIMITS } from "../lib/config.ts";
import { createWikis } from "../lib/wiki/wikis.ts";
import type { Actor } from "../lib/wiki/types.ts";
import { FOREIGN_WIKI_DATA } from "../lib/platform/wiki_lifecycle.ts";
import { exportWikiZip } from "../lib/archive/export.ts";
import { corpus, pageContent, pagePath } from "./wiki_bench.ts";

/** Numbers of a run. */
export interface ExportBenchResult {
  pages: number;
  readMs: number;
  exportMs: number;
  ratio: number;
  zipBytes: number;
  files: number;
  rssBeforeMb: number;
  peakRssMb: number;
  targets: { exportPeakRssUnder300MB: boolean };
}

const ACTOR: Actor = { id: "local:bench", name: "bench", client: "cli" };
const MB = 1024 * 1024;

/** Runs the export benchmark on a fresh temp KV file (deleted afterwards). */
export async function runExportBench(
  opts: { pages?: number; wordsPerPage?: number; log?: (line: string) => void } = {},
): Promise<ExportBenchResult> {
  const pages = opts.pages ?? 10_000;
  const words = opts.wordsPerPage ?? 300;
  const log = opts.log ?? console.log;
  const c = corpus(20261126);
  const dir = await Deno.makeTempDir({ prefix: "export-bench-" });
  const kv = await Deno.openKv(`${dir}/bench.kv`);
  try {
    const limits = { ...DEFAULT_LIMITS, quotaPages: pages + 1000, quotaBytes: 2 * 1024 * MB };
    const wikis = createWikis({ kv, limits }, FOREIGN_WIKI_DATA);
    const wiki = await wikis.create({ slug: "bench", ownerDid: "local:bench", seed: false }, ACTOR);
    const store = wikis.pages(wiki);
    log(`export bench: generating ${pages} pages of ~${words} words on a file KV (${dir}) ...`);
    for (let i = 0; i < pages; i++) {
      await store.write(pagePath(i), pageContent(c, i, pages, words), {}, ACTOR);
      if ((i + 1) % 2000 === 0) log(`  ${i + 1} pages`);
    }

    const readStart = performance.now();
    let chars = 0;
    for (let i = 0; i < pages; i++) chars += (await store.read(pagePath(i))).content.length;
    const readMs = performance.now() - readStart;

    const rssBefore = Deno.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, Deno.memoryUsage().rss)), 20);
    let files = 0;
    const exportStart = performance.now();
    const file = await Deno.open(`${dir}/export.zip`, { write: true, create: true });
    try {
      await exportWikiZip(kv, wiki, { onFile: (n) => (files = n) }).pipeTo(file.writable);
    } finally {
      clearInterval(sampler);
    }
    const exportMs = performance.now() - exportStart;
    peak = Math.max(peak, Deno.memoryUsage().rss);
    const zipBytes = (await Deno.stat(`${dir}/export.zip`)).size;

    const result: ExportBenchResult = {
      pages,
      readMs,
      exportMs,
      ratio: exportMs / readMs,
      zipBytes,
      files,
      rssBeforeMb: rssBefore / MB,
      peakRssMb: peak / MB,
      targets: { exportPeakRssUnder300MB: peak / MB < 300 },
    };
    log("");
    log(`Export of ${pages} pages (${(chars / 1e6).toFixed(1)} M chars), file KV, same run:`);
    log(`  baseline: read every page (PageStore.read)  ${(readMs / 1000).toFixed(2)} s`);
    log(`  export to zip (${files} files, ${(zipBytes / MB).toFixed(1)} MB)   ${(exportMs / 1000).toFixed(2)} s`);
    log(`  ratio export / read: ${result.ratio.toFixed(2)}x`);
    log(
      `  RSS before export ${result.rssBeforeMb.toFixed(0)} MB, peak during export ${result.peakRssMb.toFixed(0)} MB`,
    );
    log(
      `${result.targets.exportPeakRssUnder300MB ? "PASS" : "FAIL"} export peak RSS ${
        result.peakRssMb.toFixed(0)
      } MB (target < 300)`,
    );
    return result;
  } finally {
    kv.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  await runExportBench({ pages: Number(Deno.args[0] ?? 10_000) });
}

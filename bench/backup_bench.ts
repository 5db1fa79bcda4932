/**
 * @module
 * Service backup benchmark (issue 13 item 5): a file KV holding one wiki of 10,000 generated pages (~300 words
 * each, a second revision on every tenth page, a 200 KB attachment on every 500th), then, in the same run:
 * - baseline: read every page through the page store (`PageStore.read`, one after another);
 * - `writeBackup` of the whole store to a gzip file (lib/kv/backup/backup.ts);
 * - `restoreBackup` of that file into a fresh file KV (lib/kv/backup/restore.ts).
 * Reported: times as ratios against the baseline, the file size, and the process's peak RSS during each phase
 * (sampled every 20 ms). Target: RSS under 300 MB during the backup (bounded memory). Fixed-seed PRNG, no network.
 */
import { DEFAULT_LIMITS } from "../lib/config.ts";
import { createWikis } from "../lib/wiki/wikis.ts";
import type { Actor } from "../lib/wiki/types.ts";
import { FOREIGN_WIKI_DATA } from "../lib/platform/wiki_lifecycle.ts";
import { writeBackup } from "../lib/kv/backup/backup.ts";
import { restoreBackup } from "../lib/kv/backup/restore.ts";
import { backupRuleOf } from "../lib/platform/key_registry.ts";
import { seededRandom, table } from "./stats.ts";

const ACTOR: Actor = { id: "local:bench", name: "bench", client: "cli" };
const MB = 1024 * 1024;

/** Options of a run. */
export interface BackupBenchOptions {
  pages?: number;
  log?: (line: string) => void;
}

/** Numbers of a run. */
export interface BackupBenchResult {
  pages: number;
  records: number;
  fileBytes: number;
  readAllMs: number;
  backupMs: number;
  restoreMs: number;
  peakRssMb: { before: number; readAll: number; backup: number; restore: number };
  targets: { backupRssUnder300MB: boolean };
}

/** Runs `fn` while sampling RSS; returns its duration and the peak RSS in MB. */
async function measured(fn: () => Promise<unknown>): Promise<{ ms: number; peakMb: number }> {
  let peak = Deno.memoryUsage().rss;
  const timer = setInterval(() => peak = Math.max(peak, Deno.memoryUsage().rss), 20);
  const start = performance.now();
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  const ms = performance.now() - start;
  return { ms, peakMb: Math.max(peak, Deno.memoryUsage().rss) / MB };
}

/** Runs the backup benchmark on temp KV files (deleted afterwards); prints a table and returns the numbers. */
export async function runBackupBench(opts: BackupBenchOptions = {}): Promise<BackupBenchResult> {
  const pages = opts.pages ?? 10_000;
  const log = opts.log ?? console.log;
  const rand = seededRandom(20261205);
  const words = Array.from({ length: 2000 }, (_, i) => `w${i.toString(36)}${"aeiou"[i % 5]}`);
  const text = (i: number, edit: number) =>
    `---\ncategory: c${i % 8}\n---\n# Topic ${i} ${edit}\n\n` +
    Array.from({ length: 300 }, () => words[Math.floor(rand() * words.length)]).join(" ") +
    `\n\nSee [[Area ${(i + 1) % 20}/Topic ${(i + 1) % pages}]].\n`;
  const dir = await Deno.makeTempDir({ prefix: "backup-bench-" });
  const kv = await Deno.openKv(`${dir}/source.kv`);
  const target = await Deno.openKv(`${dir}/target.kv`);
  try {
    const limits = { ...DEFAULT_LIMITS, quotaPages: pages + 1000, quotaBytes: 4 * 1024 * MB };
    const wikis = createWikis({ kv, limits }, FOREIGN_WIKI_DATA);
    const wiki = await wikis.create({ slug: "bench", ownerDid: "local:bench", seed: false }, ACTOR);
    const store = wikis.pages(wiki);
    log(`backup bench: generating ${pages} pages on a file KV (${dir}) ...`);
    const paths: string[] = [];
    for (let i = 0; i < pages; i++) {
      const path = `Area ${i % 20}/Topic ${i}`;
      paths.push(path);
      const r = await store.write(path, text(i, 0), {}, ACTOR);
      if (i % 10 === 0) await store.write(path, text(i, 1), { revision: r.revision }, ACTOR);
      if (i % 500 === 0) {
        const data = new Uint8Array(200_000).map(() => Math.floor(rand() * 256));
        await store.putAttachment(path, "data.bin", data, {}, ACTOR);
      }
    }
    const before = Deno.memoryUsage().rss / MB;
    let read = 0;
    const readAll = await measured(async () => {
      for (const p of paths) read += (await store.read(p)).content.length;
    });
    const file = `${dir}/backup.jsonl.gz`;
    let records = 0;
    const backup = await measured(async () => {
      records = (await writeBackup(kv, (await Deno.create(file)).writable, backupRuleOf)).records;
    });
    const fileBytes = (await Deno.stat(file)).size;
    const restore = await measured(() => restoreBackup(target, async () => (await Deno.open(file)).readable));
    const result: BackupBenchResult = {
      pages,
      records,
      fileBytes,
      readAllMs: readAll.ms,
      backupMs: backup.ms,
      restoreMs: restore.ms,
      peakRssMb: { before, readAll: readAll.peakMb, backup: backup.peakMb, restore: restore.peakMb },
      targets: { backupRssUnder300MB: backup.peakMb < 300 },
    };
    const ratio = (ms: number) => (ms / readAll.ms).toFixed(1) + "x";
    log("");
    log(`Service backup, ${pages} pages (${(read / MB).toFixed(1)} MB of text), ${records} records, file KV`);
    log(table(["phase", "time", "vs read-all", "peak RSS"], [
      [
        "read every page (PageStore.read)",
        `${(readAll.ms / 1000).toFixed(2)} s`,
        "1.0x",
        `${readAll.peakMb.toFixed(0)} MB`,
      ],
      [
        "backup (gzip JSON lines)",
        `${(backup.ms / 1000).toFixed(2)} s`,
        ratio(backup.ms),
        `${backup.peakMb.toFixed(0)} MB`,
      ],
      [
        "restore into an empty file KV",
        `${(restore.ms / 1000).toFixed(2)} s`,
        ratio(restore.ms),
        `${restore.peakMb.toFixed(0)} MB`,
      ],
    ]));
    log(`backup file ${(fileBytes / MB).toFixed(1)} MB; RSS before the phases ${before.toFixed(0)} MB`);
    log(
      `${result.targets.backupRssUnder300MB ? "PASS" : "FAIL"} backup peak RSS ${
        backup.peakMb.toFixed(0)
      } MB (target < 300)`,
    );
    return result;
  } finally {
    kv.close();
    target.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  await runBackupBench({ pages: Number(Deno.args[0] ?? 10_000) });
}

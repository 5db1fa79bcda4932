/**
 * @module
 * Service restore for the operator (README.md "Backup and restore"):
 *
 *   deno task restore <file> [--kv <path or KV Connect URL>]
 *
 * Loads a backup written by `deno task backup` into an EMPTY KV store (the app's `KV_PATH` by default): the whole
 * file is checked first (version, every line, count, checksum), so a bad file writes nothing; then the records go
 * in atomic batches under a restore marker that is removed last (lib/kv/backup/restore.ts). Start the app only
 * after it says "Restored".
 */
import { openKv } from "../lib/kv/open.ts";
import { BackupFormatError } from "../lib/kv/backup/format.ts";
import { restoreBackup, RestoreRefusedError } from "../lib/kv/backup/restore.ts";
import { fileCommandArgs, kvLocation, kvName } from "./backup.ts";

const USAGE = "usage: deno task restore <file> [--kv <path or KV Connect URL>]";

/** Runs the restore command line; returns the exit code. */
export async function main(argv: string[], log: (line: string) => void = console.log): Promise<number> {
  const args = fileCommandArgs(argv, USAGE, log);
  if (args === null) return 2;
  const { file, values } = args;
  try {
    await Deno.stat(file);
  } catch {
    log(`No backup file at ${file}.`);
    return 1;
  }
  const path = kvLocation(values.kv);
  const kv = await openKv(path);
  try {
    const started = performance.now();
    const r = await restoreBackup(kv, async () => (await Deno.open(file)).readable);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    log(
      `Restored ${r.written} records (backup of ${r.header.createdAt}) into ${kvName(path)} in ${r.commits} ` +
        `commits, ${seconds} s; ${r.expired} had expired and were left out.`,
    );
    return 0;
  } catch (err) {
    if (err instanceof BackupFormatError) {
      log(`Not restored: ${file} is not a valid backup: ${err.message}. Nothing was written.`);
    } else if (err instanceof RestoreRefusedError) {
      log(`Not restored: ${err.message}.`);
    } else {
      log(`Restore failed: ${err instanceof Error ? err.message : err}. The store is partial (restore marker set).`);
    }
    return 1;
  } finally {
    kv.close();
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));

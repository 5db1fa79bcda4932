/**
 * @module
 * Service backup for the operator (README.md "Backup and restore"):
 *
 *   deno task backup <file> [--kv <path or KV Connect URL>] [--force]
 *
 * Writes every record of the KV store (the app's `KV_PATH` by default) that the key registry keeps
 * (lib/platform/key_registry.ts `BACKUP_RULES`) to `<file>`, gzip-compressed JSON lines (lib/kv/backup/format.ts).
 * Refuses while an app process that is not in maintenance mode is running on the store (lib/platform/heartbeat.ts),
 * unless `--force`. The file appears only when complete (written as `<file>.partial`, then renamed).
 */
import { parseArgs } from "node:util";
import { loadConfig } from "../lib/config.ts";
import { KV_CONNECT_URL, openKv } from "../lib/kv/open.ts";
import { writeBackup } from "../lib/kv/backup/backup.ts";
import { backupRuleOf, checkBackupRules } from "../lib/platform/key_registry.ts";
import { liveHeartbeats, writersRunning } from "../lib/platform/heartbeat.ts";

const USAGE = "usage: deno task backup <file> [--kv <path or KV Connect URL>] [--force]";

/** The KV location a script uses: `--kv`, else the app's configured `KV_PATH` (null: the platform's own KV). */
export function kvLocation(flag: string | undefined): string | null {
  return flag ?? loadConfig().kvPath;
}

/** A readable name of a KV location, for messages (a URL without its query). */
export function kvName(path: string | null): string {
  if (path === null) return "the platform's KV";
  return KV_CONNECT_URL.test(path) ? path.replace(/[?#].*$/, "") : path;
}

/**
 * The arguments of a command taking one file and `--kv` (plus `extra` options): the file and the option values, or
 * null after logging the usage (a parse error, `--help`, not exactly one file).
 */
export function fileCommandArgs(
  argv: string[],
  usage: string,
  log: (line: string) => void,
  extra: Record<string, { type: "boolean" }> = {},
): { file: string; values: { kv?: string; force?: boolean } } | null {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { kv: { type: "string" }, help: { type: "boolean", short: "h" }, ...extra },
    });
    if (values.help || positionals.length !== 1) {
      log(usage);
      return null;
    }
    return { file: positionals[0], values: values as { kv?: string; force?: boolean } };
  } catch (err) {
    log(`${err instanceof Error ? err.message : err}\n${usage}`);
    return null;
  }
}

/** Runs the backup command line; returns the exit code. */
export async function main(argv: string[], log: (line: string) => void = console.log): Promise<number> {
  const args = fileCommandArgs(argv, USAGE, log, { force: { type: "boolean" } });
  if (args === null) return 2;
  const { file, values } = args;
  checkBackupRules();
  const path = kvLocation(values.kv);
  if (path !== null && path !== ":memory:" && !KV_CONNECT_URL.test(path) && !(await exists(path))) {
    log(`No KV store at ${path}: nothing to back up (pass --kv <path>).`);
    return 1;
  }
  const kv = await openKv(path);
  const partial = `${file}.partial`;
  try {
    const busy = await writersRunning(kv);
    if (busy !== null && !values.force) {
      log(`Refusing to back up ${kvName(path)}: ${busy}.`);
      return 1;
    }
    if (busy !== null) log(`Warning: ${busy}. Backing up anyway (--force).`);
    const quiet = (await liveHeartbeats(kv)).length;
    if (quiet > 0 && busy === null) log(`${quiet} app process(es) in maintenance mode: writes are refused.`);
    const started = performance.now();
    const out = await Deno.open(partial, { write: true, create: true, truncate: true });
    const result = await writeBackup(kv, out.writable, backupRuleOf);
    const appeared = await writersRunning(kv);
    if (appeared !== null && busy === null && !values.force) {
      await Deno.remove(partial);
      log(`Backup discarded: an app process started while it ran, so it may be inconsistent: ${appeared}.`);
      return 1;
    }
    await Deno.rename(partial, file);
    const size = (await Deno.stat(file)).size;
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    log(`Backed up ${result.records} records of ${kvName(path)} to ${file} (${size} bytes, ${seconds} s).`);
    const skipped = Object.entries(result.skipped).map(([t, n]) => `${t} ${n}`).join(", ");
    if (skipped) log(`Skipped (not backed up by design): ${skipped}.`);
    const unknown = Object.entries(result.unregistered).map(([t, n]) => `${t} ${n}`).join(", ");
    if (unknown) log(`Warning: records of unregistered types, kept without expiry: ${unknown}.`);
    return 0;
  } catch (err) {
    await Deno.remove(partial).catch(() => {});
    log(`Backup failed: ${err instanceof Error ? err.message : err}`);
    return 1;
  } finally {
    kv.close();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));

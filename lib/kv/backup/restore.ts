/**
 * @module
 * Restoring a service backup (lib/kv/backup/format.ts) into an EMPTY KV store.
 *
 * 1. The target must hold no key at all (a restore merges nothing); a leftover restore marker says an earlier
 *    restore was interrupted.
 * 2. The whole file is read and checked first (format, version, every line, record count, checksum) without
 *    writing anything: a truncated, corrupted or foreign file leaves the target empty.
 * 3. A marker `["restore_marker"]` is written, then the records in atomic commits of bounded size (at most 500
 *    mutations and about 600 KB each, under KV's 1000 and 800 KB); a record that expires is written with
 *    `expireIn` = its expiry - now, and one whose expiry has passed is not written. The file is checked again as it
 *    is read (it could change between the passes). The marker is deleted last: a KV still holding it is partial
 *    (`main.ts` refuses to start on it; wipe the store and restore again).
 */
import { type KeyPrefix, parseKeyPrefixes } from "../keys.ts";
import { type BackupHeader, type BackupRecord, type BackupSummary, readBackup } from "./format.ts";

/** KV key of the restore marker. */
export const RestoreKeys = {
  /** Present while a restore runs (and after one that failed): the store is partial. */
  marker: () => ["restore_marker"] as const,
} as const;

/** The restore marker's prefix (registered in lib/platform/key_registry.ts). */
export const RESTORE_PREFIXES: readonly KeyPrefix[] = parseKeyPrefixes(`
  global restore_marker  a restore in progress or interrupted: the store is partial
`);

/** The restore marker's value. */
export interface RestoreMarker {
  startedAt: number;
  /** The backup's creation time (its header). */
  backupCreatedAt: string;
  records: number;
}

/** A restore refused before anything was written (target not empty) or interrupted (marker left). */
export class RestoreRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RestoreRefusedError";
  }
}

/** Opens the backup file anew (restore reads it twice). */
export type OpenBackup = () => Promise<ReadableStream<Uint8Array<ArrayBuffer>>>;

/** What a restore did. */
export interface RestoreResult {
  header: BackupHeader;
  summary: BackupSummary;
  /** Records written. */
  written: number;
  /** Records not written because their expiry had passed. */
  expired: number;
  /** Atomic commits made. */
  commits: number;
}

/** Mutations per commit at most (KV allows 1000). */
const MAX_MUTATIONS = 500;
/** Estimated bytes per commit at most (KV allows 819,200). */
const MAX_COMMIT_BYTES = 600_000;

/** Throws RestoreRefusedError unless `kv` holds no key (naming the marker of an interrupted restore). */
export async function assertEmpty(kv: Deno.Kv): Promise<void> {
  const marker = await kv.get<RestoreMarker>(RestoreKeys.marker());
  if (marker.value !== null) {
    throw new RestoreRefusedError(
      `this KV holds an interrupted restore (started ${new Date(marker.value.startedAt).toISOString()}): ` +
        "it is partial; delete it (or its file) and restore into an empty one",
    );
  }
  for await (const e of kv.list({ prefix: [] }, { limit: 1 })) {
    throw new RestoreRefusedError(
      `the target KV is not empty (it holds ${JSON.stringify(e.key[0])} records, at least): ` +
        "restore only into an empty store",
    );
  }
}

/** Reads and checks a whole backup without writing; returns its header and trailer. Throws BackupFormatError. */
export async function verifyBackup(open: OpenBackup): Promise<{ header: BackupHeader; summary: BackupSummary }> {
  let header: BackupHeader | null = null;
  let summary: BackupSummary | null = null;
  for await (const item of readBackup(await open())) {
    if ("header" in item) header = item.header;
    else if ("summary" in item) summary = item.summary;
  }
  return { header: header!, summary: summary! };
}

/** Restores the backup `open` reads into the empty `kv` (see the module doc). */
export async function restoreBackup(kv: Deno.Kv, open: OpenBackup, now = () => Date.now()): Promise<RestoreResult> {
  await assertEmpty(kv);
  const checked = await verifyBackup(open);
  const marker: RestoreMarker = {
    startedAt: now(),
    backupCreatedAt: checked.header.createdAt,
    records: checked.summary.records,
  };
  const claimed = await kv.atomic().check({ key: RestoreKeys.marker(), versionstamp: null })
    .set(RestoreKeys.marker(), marker).commit();
  if (!claimed.ok) throw new RestoreRefusedError("another restore into this KV started at the same time");
  const result: RestoreResult = { ...checked, written: 0, expired: 0, commits: 0 };
  let batch: BackupRecord[] = [];
  let bytes = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const op = kv.atomic();
    const t = now();
    for (const r of batch) {
      if (r.expiresAt === undefined) op.set(r.key, r.value);
      else op.set(r.key, r.value, { expireIn: Math.max(1, r.expiresAt - t) });
    }
    const res = await op.commit();
    if (!res.ok) throw new Error("a restore commit failed");
    result.commits++;
    result.written += batch.length;
    batch = [];
    bytes = 0;
  };
  try {
    for await (const item of readBackup(await open())) {
      if (!("record" in item)) continue;
      const r = item.record;
      if (r.expiresAt !== undefined && r.expiresAt <= now() + 1000) {
        result.expired++;
        continue;
      }
      const size = 2 * r.lineLength + 64;
      if (batch.length >= MAX_MUTATIONS || (batch.length > 0 && bytes + size > MAX_COMMIT_BYTES)) await flush();
      batch.push(r);
      bytes += size;
    }
    await flush();
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`${why} (after ${result.written} records were written: the store is partial)`, { cause: err });
  }
  await kv.delete(RestoreKeys.marker());
  return result;
}

/**
 * @module
 * Periodic maintenance of the wiki store: sweeping staged blobs that were never published (a write that crashed
 * between staging its chunks and its final commit; docs/kv-schema.md "Write protocol").
 *
 * A staging marker carries `expiresAt` (staging time + STAGING_TTL_MS) and is also written with `expireIn` of the
 * same length, so Deno KV may drop the marker itself soon after `expiresAt`, leaving its chunks with nothing that
 * names them. The sweeper therefore does not wait for `expiresAt`: a marker staged more than `minAgeMs` ago (20
 * minutes by default; a write commits seconds after staging) is dead, and its blob is deleted while the marker is
 * still there to name it.
 *
 * The same timer finishes wiki purges (lib/wiki/wiki_purge.ts): deletions a failure interrupted, and seeded wikis
 * whose creation never published. Run both every few minutes: `startMaintenance(kv, FOREIGN_WIKI_DATA)` in the app's entry point.
 */
import { BlobKeys, deleteBlob, STAGING_TTL_MS } from "../kv/blobs.ts";
import { finishWikiPurges, type WikiScopedData } from "./wiki_purge.ts";
import type { BlobId, WikiId } from "../kv/keys.ts";

/** Age after which a staged, unpublished blob is garbage (far beyond any write's staging-to-commit time). */
export const STAGED_BLOB_MIN_AGE_MS = 20 * 60 * 1000;
/** How often the sweeper runs: several times within STAGING_TTL_MS - STAGED_BLOB_MIN_AGE_MS. */
export const SWEEP_INTERVAL_MS = 5 * 60 * 1000;
/** Markers examined per run (the rest wait for the next run). */
export const SWEEP_MAX_MARKERS = 1000;

/** Options of a sweep. */
export interface SweepOptions {
  /** Clock (epoch ms). */
  now?: number;
  /** Minimum age of a staged blob before it is deleted. Default STAGED_BLOB_MIN_AGE_MS. */
  minAgeMs?: number;
  /** Markers examined at most. Default SWEEP_MAX_MARKERS. */
  maxMarkers?: number;
}

/**
 * Deletes the staged blobs of every wiki that were staged at least `minAgeMs` ago and never published (their
 * staging marker is still there). Returns how many blobs were deleted.
 */
export async function sweepAllStagedBlobs(kv: Deno.Kv, opts: SweepOptions = {}): Promise<number> {
  const now = opts.now ?? Date.now();
  const minAge = opts.minAgeMs ?? STAGED_BLOB_MIN_AGE_MS;
  const doomed: { wikiId: WikiId; blob: BlobId }[] = [];
  const iter = kv.list<{ expiresAt?: number }>({ prefix: BlobKeys.wikiStaging() }, {
    limit: opts.maxMarkers ?? SWEEP_MAX_MARKERS,
  });
  for await (const e of iter) {
    const expiresAt = typeof e.value?.expiresAt === "number" ? e.value.expiresAt : 0;
    const stagedAt = expiresAt - STAGING_TTL_MS;
    if (stagedAt + minAge <= now) doomed.push({ wikiId: e.key[1] as WikiId, blob: e.key[2] as BlobId });
  }
  for (const d of doomed) await deleteBlob(kv, d.wikiId, d.blob);
  return doomed.length;
}

/** A running sweeper. */
export interface Sweeper {
  /**
   * Stops it (idempotent): no run starts afterwards. Resolves once the run in flight at the call, if any, has
   * finished (so the caller may then close the store it sweeps).
   */
  stop(): Promise<void>;
}

/** Options of a periodic sweeper. */
export interface SweeperOptions {
  intervalMs?: number;
  log?: (msg: string) => void;
}

/**
 * Runs {@link sweepAllStagedBlobs} every `intervalMs` on an unref'd timer (it never keeps the process alive), one
 * run at a time; failures are logged and the next run tries again.
 */
export function startStagedBlobSweeper(kv: Deno.Kv, opts: SweeperOptions = {}): Sweeper {
  return startSweeper(sweepBlobs(kv), opts);
}

/** Runs the staged-blob sweep and {@link finishWikiPurges} on one timer, as {@link startStagedBlobSweeper} does. */
export function startMaintenance(
  kv: Deno.Kv,
  foreign: readonly WikiScopedData[],
  opts: SweeperOptions = {},
): Sweeper {
  const blobs = sweepBlobs(kv);
  return startSweeper(async () => {
    const messages = await blobs();
    try {
      const n = await finishWikiPurges(kv, foreign);
      if (n > 0) messages.push(`maintenance: finished removing ${n} deleted or abandoned wiki(s)`);
    } catch (err) {
      messages.push(`maintenance: wiki purge failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    return messages;
  }, opts);
}

/** One staged-blob sweep, reporting what it did as log lines. */
function sweepBlobs(kv: Deno.Kv): () => Promise<string[]> {
  return async () => {
    try {
      const n = await sweepAllStagedBlobs(kv);
      return n > 0 ? [`maintenance: deleted ${n} staged blob(s) of writes that never committed`] : [];
    } catch (err) {
      return [`maintenance: staged blob sweep failed: ${err instanceof Error ? err.message : String(err)}`];
    }
  };
}

function startSweeper(sweep: () => Promise<string[]>, opts: SweeperOptions): Sweeper {
  const log = opts.log ?? ((msg) => console.error(msg));
  let inFlight: Promise<void> | null = null;
  const run = () => {
    if (inFlight) return;
    inFlight = (async () => {
      try {
        for (const m of await sweep()) log(m);
      } finally {
        inFlight = null;
      }
    })();
  };
  const id = setInterval(run, opts.intervalMs ?? SWEEP_INTERVAL_MS);
  Deno.unrefTimer(id);
  let stopped: Promise<void> | null = null;
  return {
    stop() {
      if (stopped) return stopped;
      clearInterval(id);
      // A failed run was already reported where it happened; stopping only waits for it to end.
      stopped = (inFlight ?? Promise.resolve()).catch(() => {});
      return stopped;
    },
  };
}

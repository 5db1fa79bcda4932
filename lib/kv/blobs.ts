/**
 * @module
 * Chunked blobs: content larger than one KV value (64 KiB) or than one atomic commit (~800 KB).
 *
 * Write path ("stage, then publish"): `stageBlob` writes the chunks under a fresh blob id in as many commits as
 * needed, plus a staging marker that expires. Nothing references the blob yet, so it is invisible. The caller's
 * final atomic commit stores a `BlobRef` in the visible record and calls `publishBlob` on the same atomic operation,
 * which deletes the marker. A crash before that commit leaves only unreferenced chunks and an expiring marker,
 * which `sweepStagedBlobs` removes.
 */
import { type BlobId, type KeyPrefix, parseKeyPrefixes, type WikiId } from "./keys.ts";
import { randomBase32 } from "../ids.ts";

/** KV keys of blobs (wiki-scoped: deleted with their wiki by lib/wiki/wiki_purge.ts). */
export const BlobKeys = {
  /** Chunk `i` of a blob. Invisible until a record that references the blob is committed. */
  blobChunk: (wikiId: WikiId, blobId: BlobId, i: number) => ["blob", wikiId, blobId, i] as const,
  /** Prefix of a blob's chunks. */
  blobChunks: (wikiId: WikiId, blobId: BlobId) => ["blob", wikiId, blobId] as const,
  /** Prefix of every blob of a wiki. */
  wikiBlobs: (wikiId: WikiId) => ["blob", wikiId] as const,
  /** Staging marker of a blob being written; removed by the commit that publishes it. Expires: garbage. */
  blobStaging: (wikiId: WikiId, blobId: BlobId) => ["blob_staging", wikiId, blobId] as const,
  /** Prefix of a wiki's staging markers (`wikiId` omitted: every wiki's, for the maintenance sweep). */
  wikiStaging: (wikiId?: WikiId): Deno.KvKey => (wikiId === undefined ? ["blob_staging"] : ["blob_staging", wikiId]),
} as const;

/** The blob key prefixes. */
export const BLOB_PREFIXES: readonly KeyPrefix[] = parseKeyPrefixes(`
  wiki   blob          one chunk of a blob (large content)
  wiki   blob_staging  a blob being written, not yet published
`);

/** Bytes per chunk: below the 64 KiB value limit with room for the structured-clone envelope. */
export const CHUNK_BYTES = 60 * 1024;
/** Chunks written per staging commit: keeps each commit under Deno KV's 800 KB total mutation size. */
const CHUNKS_PER_COMMIT = 12;
/** How long a staging marker lives; an unpublished blob older than this is garbage. */
export const STAGING_TTL_MS = 60 * 60 * 1000;

/** Reference to a published blob, stored inside the record that owns it. */
export interface BlobRef {
  blob: BlobId;
  /** Total size in bytes. */
  size: number;
  /** Number of chunks. */
  chunks: number;
}

/** Staging marker value. */
interface StagingMarker {
  expiresAt: number;
  chunks: number;
}

/** Writes `data` as chunks under a new blob id; returns its reference. The blob stays invisible until published. */
export async function stageBlob(kv: Deno.Kv, wikiId: WikiId, data: Uint8Array, now = Date.now()): Promise<BlobRef> {
  const blob = "b_" + randomBase32(20);
  const chunks = Math.max(1, Math.ceil(data.length / CHUNK_BYTES));
  const marker: StagingMarker = { expiresAt: now + STAGING_TTL_MS, chunks };
  // KV may drop the marker once `expireIn` passes; keep it a day past `expiresAt` so the sweeper
  // (lib/wiki/maintenance.ts) still finds the chunks it names.
  await kv.set(BlobKeys.blobStaging(wikiId, blob), marker, { expireIn: STAGING_TTL_MS + 24 * 60 * 60 * 1000 });
  for (let start = 0; start < chunks; start += CHUNKS_PER_COMMIT) {
    const op = kv.atomic();
    for (let i = start; i < Math.min(chunks, start + CHUNKS_PER_COMMIT); i++) {
      op.set(BlobKeys.blobChunk(wikiId, blob, i), data.subarray(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES));
    }
    const res = await op.commit();
    if (!res.ok) throw new Error("blob staging commit failed");
  }
  return { blob, size: data.length, chunks };
}

/** Adds to `op` the mutation that publishes a staged blob (removes its staging marker). */
export function publishBlob(op: Deno.AtomicOperation, wikiId: WikiId, ref: BlobRef): Deno.AtomicOperation {
  return op.delete(BlobKeys.blobStaging(wikiId, ref.blob));
}

/** Reads a whole blob. Throws if a chunk is missing (a reference to a blob that was never fully staged). */
export async function readBlob(kv: Deno.Kv, wikiId: WikiId, ref: BlobRef): Promise<Uint8Array> {
  const out = new Uint8Array(ref.size);
  let offset = 0;
  let expected = 0;
  for await (const entry of kv.list<Uint8Array>({ prefix: BlobKeys.blobChunks(wikiId, ref.blob) })) {
    if (entry.key[3] !== expected) throw new Error(`blob ${ref.blob} is missing chunk ${expected}`);
    out.set(entry.value, offset);
    offset += entry.value.length;
    expected++;
  }
  if (expected !== ref.chunks || offset !== ref.size) throw new Error(`blob ${ref.blob} is incomplete`);
  return out;
}

/** Deletes a blob's chunks (after the record that referenced it is gone), in commits of bounded size. */
export async function deleteBlob(kv: Deno.Kv, wikiId: WikiId, blob: BlobId): Promise<void> {
  let op = kv.atomic();
  let n = 0;
  for await (const entry of kv.list({ prefix: BlobKeys.blobChunks(wikiId, blob) }, { batchSize: 500 })) {
    op.delete(entry.key);
    if (++n % 500 === 0) {
      await op.commit();
      op = kv.atomic();
    }
  }
  op.delete(BlobKeys.blobStaging(wikiId, blob));
  await op.commit();
}

/** Deletes blobs whose staging marker has expired (writes that crashed before publishing). Returns how many. */
export async function sweepStagedBlobs(kv: Deno.Kv, wikiId: WikiId, now = Date.now()): Promise<number> {
  let swept = 0;
  for await (const entry of kv.list<StagingMarker>({ prefix: BlobKeys.wikiStaging(wikiId) })) {
    if (entry.value.expiresAt <= now) {
      await deleteBlob(kv, wikiId, entry.key[2] as BlobId);
      swept++;
    }
  }
  return swept;
}

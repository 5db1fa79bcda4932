/**
 * @module
 * Uploaded archives staged in KV until the person confirms the import (or they expire): the browser's upload streams
 * into 60 KiB chunks (never the whole file in memory), the plan and the import then read it back as a random-access
 * zip source. Keys: `["import_upload", wikiId, "m", uploadId]` (who uploaded it, its size, when it expires) and
 * `["import_upload", wikiId, "c", uploadId, i]` (chunk `i`), all written with `expireIn` one hour; deleted by the
 * import, by the Cancel button, with the wiki (UPLOAD_STORE.forgetWiki) and with the uploader's account (forgetUser).
 * A wiki holds at most {@link MAX_STAGED_UPLOADS} staged uploads at once.
 */
import { type KeyPrefix, parseKeyPrefixes, type StorePart, type WikiId } from "../kv/keys.ts";
import { deletePrefix } from "../kv/purge.ts";
import { newId } from "../ids.ts";
import { ConflictError, NotFoundError, TooLargeError } from "../errors.ts";
import { wikiIdsOfUser } from "../wiki/keys.ts";
import { formatLimit } from "../wiki/commit.ts";
import type { ZipSource } from "./zip_read.ts";

/** How long a staged upload lives. */
export const UPLOAD_TTL_MS = 60 * 60 * 1000;
/** Bytes per stored chunk (under the 64 KiB value limit). */
const CHUNK = 60 * 1024;
/** Chunks per commit (under the 800 KB commit limit). */
const CHUNKS_PER_COMMIT = 12;

/** Staged uploads a wiki may hold at once (each up to its upload limit, for an hour). */
export const MAX_STAGED_UPLOADS = 3;

/** Keys of staged uploads. */
export const UploadKeys = {
  /** An upload's metadata. */
  meta: (wikiId: WikiId, id: string) => ["import_upload", wikiId, "m", id] as const,
  /** Prefix of a wiki's upload metadata. */
  metas: (wikiId: WikiId) => ["import_upload", wikiId, "m"] as const,
  /** Chunk `i` of an upload. */
  chunk: (wikiId: WikiId, id: string, i: number) => ["import_upload", wikiId, "c", id, i] as const,
  /** Prefix of an upload's chunks. */
  chunks: (wikiId: WikiId, id: string) => ["import_upload", wikiId, "c", id] as const,
  /** Every upload of a wiki. */
  wiki: (wikiId: WikiId) => ["import_upload", wikiId] as const,
} as const;

/** The prefix of staged uploads. */
export const UPLOAD_PREFIXES: readonly KeyPrefix[] = parseKeyPrefixes(`
  wiki   import_upload  an uploaded archive staged until its import is confirmed (1 hour)
`);

/** A staged upload's metadata. */
export interface UploadMeta {
  id: string;
  /** Who uploaded it: only they may plan or import it. */
  by: string;
  filename: string;
  size: number;
  chunks: number;
  expiresAt: number;
}

/**
 * Streams `body` into a new staged upload, refusing (and deleting what was written) once it passes `maxBytes`.
 * Returns its metadata.
 */
export async function stageUpload(
  kv: Deno.Kv,
  wikiId: WikiId,
  body: AsyncIterable<Uint8Array>,
  info: { by: string; filename: string; maxBytes: number; now: number },
): Promise<UploadMeta> {
  let live = 0;
  for await (const e of kv.list<UploadMeta>({ prefix: UploadKeys.metas(wikiId) })) {
    if (e.value.expiresAt <= info.now) await dropUpload(kv, wikiId, e.value.id);
    else live++;
  }
  if (live >= MAX_STAGED_UPLOADS) {
    throw new ConflictError(
      `This wiki already has ${live} uploads waiting to be imported. Import or cancel one (or wait an hour), then ` +
        `upload again.`,
      null,
    );
  }
  const id = newId("u");
  const expireIn = UPLOAD_TTL_MS;
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let size = 0;
  let chunks = 0;
  let op = kv.atomic();
  let inOp = 0;
  const flushChunk = async (data: Uint8Array) => {
    op.set(UploadKeys.chunk(wikiId, id, chunks++), data, { expireIn });
    if (++inOp >= CHUNKS_PER_COMMIT) {
      await op.commit();
      op = kv.atomic();
      inOp = 0;
    }
  };
  try {
    for await (const part of body) {
      size += part.length;
      if (size > info.maxBytes) {
        throw new TooLargeError(
          `The archive is larger than this wiki can take in (${formatLimit(info.maxBytes)}). Nothing was imported.`,
        );
      }
      pending.push(part);
      pendingBytes += part.length;
      while (pendingBytes >= CHUNK) {
        const joined = join(pending, pendingBytes);
        await flushChunk(joined.subarray(0, CHUNK).slice());
        pending = [joined.subarray(CHUNK)];
        pendingBytes -= CHUNK;
      }
    }
    if (pendingBytes > 0) await flushChunk(join(pending, pendingBytes));
    const meta: UploadMeta = {
      id,
      by: info.by,
      filename: info.filename,
      size,
      chunks,
      expiresAt: info.now + UPLOAD_TTL_MS,
    };
    op.set(UploadKeys.meta(wikiId, id), meta, { expireIn });
    await op.commit();
    return meta;
  } catch (err) {
    await dropUpload(kv, wikiId, id).catch(() => {});
    throw err;
  }
}

function join(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A staged upload of `by` that has not expired, or null. */
export async function findUpload(
  kv: Deno.Kv,
  wikiId: WikiId,
  id: string,
  by: string,
  now: number,
): Promise<UploadMeta | null> {
  if (!/^u_[a-z2-7]{20}$/.test(id)) return null;
  const meta = (await kv.get<UploadMeta>(UploadKeys.meta(wikiId, id))).value;
  return meta && meta.by === by && meta.expiresAt > now ? meta : null;
}

/** Deletes a staged upload (its metadata first: a half-deleted upload is never found again). */
export async function dropUpload(kv: Deno.Kv, wikiId: WikiId, id: string): Promise<void> {
  await kv.delete(UploadKeys.meta(wikiId, id));
  await deletePrefix(kv, UploadKeys.chunks(wikiId, id));
}

/** A staged upload as a zip source: chunks read on demand, the last few kept. */
export function uploadSource(kv: Deno.Kv, wikiId: WikiId, meta: UploadMeta): ZipSource {
  const cache = new Map<number, Uint8Array>();
  const chunk = async (i: number): Promise<Uint8Array> => {
    const hit = cache.get(i);
    if (hit) return hit;
    const value = (await kv.get<Uint8Array>(UploadKeys.chunk(wikiId, meta.id, i))).value;
    if (value === null) throw new NotFoundError("The uploaded archive has expired; upload it again.");
    if (cache.size >= 16) cache.delete(cache.keys().next().value!);
    cache.set(i, value);
    return value;
  };
  return {
    size: meta.size,
    async read(offset, length) {
      const end = Math.min(meta.size, offset + length);
      const out = new Uint8Array(Math.max(0, end - offset));
      for (let i = Math.floor(offset / CHUNK); i * CHUNK < end; i++) {
        const c = await chunk(i);
        const from = Math.max(offset, i * CHUNK);
        const to = Math.min(end, (i + 1) * CHUNK);
        out.set(c.subarray(from - i * CHUNK, to - i * CHUNK), from - offset);
      }
      return out;
    },
  };
}

/** Removes a wiki's staged uploads. */
async function forgetWiki(kv: Deno.Kv, wikiId: WikiId): Promise<number> {
  return await deletePrefix(kv, UploadKeys.wiki(wikiId));
}

/** Removes the uploads `did` staged on the wikis they belong to (call before the wiki store forgets the person). */
async function forgetUser(kv: Deno.Kv, did: string): Promise<number> {
  let n = 0;
  for (const wikiId of await wikiIdsOfUser(kv, did)) {
    for await (const e of kv.list<UploadMeta>({ prefix: UploadKeys.metas(wikiId) })) {
      if (e.value.by !== did) continue;
      await dropUpload(kv, wikiId, e.value.id);
      n++;
    }
  }
  return n;
}

/** The staged uploads as a part of the app (lib/platform/key_registry.ts, lib/platform/wiki_lifecycle.ts). */
export const UPLOAD_STORE: StorePart = {
  part: "lib/archive/upload_store.ts",
  prefixes: UPLOAD_PREFIXES,
  forgetWiki,
  forgetUser,
};

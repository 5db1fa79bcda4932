/**
 * @module
 * Page vectors in KV, shared by every instance: one record per (page, model) at
 * `["page_vec", wikiId, pageId, model]` (lib/wiki/keys.ts `K.pageVec`). Keyed by the page's stable id, so a rename
 * keeps the key (its vector is recomputed with the new path); keyed by model, so a page holds its static vector
 * (model "static:…", always) and may hold one of a remote embedder ("remote:<name>", lib/wiki/meaning/embedder.ts)
 * beside it. docs/kv-schema.md describes the value.
 *
 * API (for the static layer and the remote embedder alike):
 * - {@link encodeVector} / {@link decodeVector}: a unit vector <-> a {@link StoredVector} (int8, one scale; 100 dims
 *   take ~150 bytes, 3,072 dims ~3.2 KB: far below the 64 KiB value cap). A static record may carry the page's
 *   section vectors too (at most 32 rows of 100 int8 and their heading paths: under ~20 KB). `revision` names the page revision the
 *   vector was computed from: a vector whose revision is not the head's is stale (recompute or ignore it).
 * - {@link vectorKey}: the key, to `set` it in a commit (lib/wiki/commit.ts does so for the static vector of every
 *   page a write changes) or after one (a background re-embed).
 * - {@link readPageVectors}: every model's record of some pages (one `list` per page), as the catalog loads them for
 *   the pages a change touched; {@link readWikiVectors}: all of a wiki's records (one paged `list`), for a rebuild.
 * - {@link writeVectors}: sets records outside a write (re-embedding); at most {@link VECTOR_WRITE_BATCH} a commit.
 * - Deleting a wiki deletes the prefix (lib/wiki/keys.ts `WIKI_PURGED_TYPES`).
 */
import type { PageId, WikiId } from "../../kv/keys.ts";
import { K } from "../keys.ts";
import type { StoredSections } from "./section_vectors.ts";

/** Value of `["page_vec", wikiId, pageId, model]`. */
export interface StoredVector {
  /** The model that computed it (also the last key part). */
  model: string;
  /** The page revision it was computed from. */
  revision: string;
  /** Number of components. */
  dims: number;
  /** Component i is `int8(q[i]) * scale`. */
  scale: number;
  /** The components, int8, as bytes. */
  q: Uint8Array;
  /**
   * The page's section vectors (static model only, lib/wiki/meaning/section_vectors.ts): null when the page has
   * fewer than two sections; absent in a record written before them or by a commit without room for them (the
   * page then has none until it is rewritten or `deno task vectors:rebuild` runs).
   */
  sections?: StoredSections | null;
}

/** Records set per commit by {@link writeVectors}. */
export const VECTOR_WRITE_BATCH = 100;
/** Pages whose records are listed at once by {@link readPageVectors}. */
const READ_PARALLELISM = 8;

/** The key of a page's vector of `model`. */
export function vectorKey(wikiId: WikiId, pageId: PageId, model: string): Deno.KvKey {
  return K.pageVec(wikiId, pageId, model);
}

/** Quantises a vector (int8 with one scale, max |x| / 127) for storage. */
export function encodeVector(model: string, revision: string, v: Float32Array): StoredVector {
  let max = 0;
  for (const x of v) max = Math.max(max, Math.abs(x));
  const scale = max / 127 || 1;
  const q = new Int8Array(v.length);
  for (let i = 0; i < v.length; i++) q[i] = Math.round(v[i] / scale);
  return { model, revision, dims: v.length, scale, q: new Uint8Array(q.buffer) };
}

/** The unit vector of a stored record (renormalised after quantisation); null when the record is malformed. */
export function decodeVector(rec: StoredVector): Float32Array | null {
  if (!(rec.q instanceof Uint8Array) || rec.q.length !== rec.dims || !(rec.scale > 0)) return null;
  const q = new Int8Array(rec.q.buffer, rec.q.byteOffset, rec.q.length);
  const out = new Float32Array(rec.dims);
  let norm = 0;
  for (let i = 0; i < rec.dims; i++) {
    out[i] = q[i] * rec.scale;
    norm += out[i] * out[i];
  }
  norm = Math.sqrt(norm);
  if (norm > 0) { for (let i = 0; i < rec.dims; i++) out[i] /= norm; }
  return out;
}

/** Every model's record of each page, by page id (pages without any are absent). */
export async function readPageVectors(
  kv: Deno.Kv,
  wikiId: WikiId,
  pageIds: readonly PageId[],
): Promise<Map<PageId, StoredVector[]>> {
  const out = new Map<PageId, StoredVector[]>();
  let next = 0;
  const worker = async () => {
    while (next < pageIds.length) {
      const id = pageIds[next++];
      for await (const e of kv.list<StoredVector>({ prefix: K.pageVecs(wikiId, id) })) {
        let list = out.get(id);
        if (!list) out.set(id, list = []);
        list.push(e.value);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_PARALLELISM, pageIds.length) }, worker));
  return out;
}

/** Every vector record of a wiki, by page id (one paged `list`). */
export async function readWikiVectors(kv: Deno.Kv, wikiId: WikiId): Promise<Map<PageId, StoredVector[]>> {
  const out = new Map<PageId, StoredVector[]>();
  for await (const e of kv.list<StoredVector>({ prefix: K.wikiVecs(wikiId) }, { batchSize: 500 })) {
    const id = e.key[2] as PageId;
    let list = out.get(id);
    if (!list) out.set(id, list = []);
    list.push(e.value);
  }
  return out;
}

/** Sets records outside a write, {@link VECTOR_WRITE_BATCH} per commit (later records win over earlier ones). */
export async function writeVectors(
  kv: Deno.Kv,
  wikiId: WikiId,
  records: readonly { pageId: PageId; vector: StoredVector }[],
): Promise<void> {
  for (let i = 0; i < records.length; i += VECTOR_WRITE_BATCH) {
    const op = kv.atomic();
    for (const r of records.slice(i, i + VECTOR_WRITE_BATCH)) {
      op.set(vectorKey(wikiId, r.pageId, r.vector.model), r.vector);
    }
    await op.commit();
  }
}

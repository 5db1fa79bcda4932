/**
 * @module
 * What the remote embedder keeps in KV (issue 12 item 4), its registered prefixes and how a wiki's deletion forgets
 * it (`REMOTE_EMBED_STORE`, a `StorePart` listed in lib/platform/wiki_lifecycle.ts `FOREIGN_WIKI_DATA`):
 *
 * - `["remote_vec", wikiId, pageId]`: the page's one vector of the configured remote model, with the revision it
 *   was computed from ({@link RemoteVectorRecord}); written by the re-embed job and the write queue through
 *   {@link RemoteVectorSink}.
 * - `["remote_mark", wikiId]`: `{ model, seq }`: every page of the wiki live at write sequence `seq` has a vector
 *   of `model` (the job skips a wiki whose `wiki_state.seq` still equals it).
 * - `["remote_job", "state"]` and `["remote_job", "lease"]`: the re-embed job's progress and its single runner's
 *   lease (lib/wiki/meaning/reembed_state.ts).
 *
 * The vectors sit behind {@link RemoteVectorSink} so that the meaning layer's shared vector store may hold them
 * instead: the job and the write queue only ask "is this page's vector current" and "store these".
 */
import { type KeyPrefix, type PageId, parseKeyPrefixes, type StorePart, type WikiId } from "../../kv/keys.ts";
import { deletePrefix } from "../../kv/purge.ts";
import { K } from "../keys.ts";
import { forgetWikiInState } from "./reembed_state.ts";

/** Key builders of the remote embedder's records. */
export const RemoteKeys = {
  /** A page's vector of the remote model. */
  vec: (wikiId: WikiId, pageId: PageId) => ["remote_vec", wikiId, pageId] as const,
  /** Prefix of a wiki's remote vectors. */
  vecs: (wikiId: WikiId) => ["remote_vec", wikiId] as const,
  /** How far the wiki's pages are embedded: `{ model, seq }`. */
  mark: (wikiId: WikiId) => ["remote_mark", wikiId] as const,
  /** The re-embed job's progress. */
  jobState: () => ["remote_job", "state"] as const,
  /** The re-embed job's runner lease. */
  jobLease: () => ["remote_job", "lease"] as const,
} as const;

/** The remote embedder's key prefixes. */
export const REMOTE_EMBED_PREFIXES: readonly KeyPrefix[] = parseKeyPrefixes(`
  wiki   remote_vec   a page's vector of the configured remote embedding model
  wiki   remote_mark  the write sequence up to which a wiki's pages have remote vectors
  global remote_job   the remote re-embed job's progress and its runner's lease
`);

/** Value of `["remote_vec", wikiId, pageId]`. */
export interface RemoteVectorRecord {
  model: string;
  /** The page revision the vector was computed from. */
  revision: string;
  /** Float32 components, little-endian bytes (4 per dimension). */
  f32: Uint8Array;
}

/** Value of `["remote_mark", wikiId]`. */
export interface RemoteMark {
  model: string;
  seq: number;
}

/** A page whose vector is stored: its id, path, the revision the text was read at and that head's versionstamp. */
export interface VectorTarget {
  pageId: PageId;
  path: string;
  revision: string;
  /** Versionstamp of the page head the text was read from: the vector is stored only while the head is unchanged. */
  headVersionstamp: string;
}

/**
 * Where remote vectors live. {@link kvRemoteVectors} is the default; the meaning layer's shared vector store can
 * implement it instead (one record per page and model).
 */
export interface RemoteVectorSink {
  /** For each page, true when a vector of `model` computed from exactly `revision` is stored. */
  current(wikiId: WikiId, pages: readonly { pageId: PageId; revision: string }[], model: string): Promise<boolean[]>;
  /**
   * Stores the vectors of `model` (replacing the page's vector of any other remote model), each only while its page
   * head is still at `headVersionstamp` (a page changed, renamed or deleted since, or a deleted wiki, gets nothing:
   * the next write or pass embeds it again), and only while the wiki exists. Returns how many were stored.
   */
  put(wikiId: WikiId, items: readonly VectorItem[], model: string): Promise<number>;
  /** The stored vectors of some pages for `model` (absent: none, or of another model). */
  get(wikiId: WikiId, pageIds: readonly PageId[], model: string): Promise<Map<PageId, Float32Array>>;
}

/** The default {@link RemoteVectorSink}: `["remote_vec", wikiId, pageId]` records. */
export function kvRemoteVectors(kv: Deno.Kv): RemoteVectorSink {
  const read = async (wikiId: WikiId, ids: readonly PageId[]) => {
    const out: (RemoteVectorRecord | null)[] = [];
    for (let i = 0; i < ids.length; i += 10) {
      const entries = await kv.getMany<RemoteVectorRecord[]>(
        ids.slice(i, i + 10).map((id) => RemoteKeys.vec(wikiId, id)),
      );
      for (const e of entries) out.push(e.value);
    }
    return out;
  };
  return {
    async current(wikiId, pages, model) {
      const recs = await read(wikiId, pages.map((p) => p.pageId));
      return pages.map((p, i) => recs[i]?.model === model && recs[i]?.revision === p.revision);
    },
    put: (wikiId, items, model) =>
      putGuarded(
        kv,
        wikiId,
        items,
        (op, it) => op.set(RemoteKeys.vec(wikiId, it.pageId), record(model, it.revision, it.vector)),
      ),
    async get(wikiId, pageIds, model) {
      const recs = await read(wikiId, pageIds);
      const out = new Map<PageId, Float32Array>();
      recs.forEach((r, i) => {
        if (r?.model === model) out.set(pageIds[i], decodeF32(r.f32));
      });
      return out;
    },
  };
}

/** An item of {@link RemoteVectorSink.put}. */
export type VectorItem = VectorTarget & { vector: Float32Array };

/**
 * The guard of every {@link RemoteVectorSink.put}: adds each item's mutations (`write`) to a commit that checks the
 * `wiki` record (a wiki being deleted is hidden before its parts forget their records) and the page head as read
 * with the text. All items in one commit when they fit and nothing changed; else each alone, so that one changed
 * page does not cost the others. Returns how many items were stored.
 */
export async function putGuarded(
  kv: Deno.Kv,
  wikiId: WikiId,
  items: readonly VectorItem[],
  write: (op: Deno.AtomicOperation, item: VectorItem) => void,
): Promise<number> {
  const wiki = await kv.get(K.wiki(wikiId));
  if (wiki.versionstamp === null || items.length === 0) return 0;
  const guarded = (op: Deno.AtomicOperation, it: VectorItem) => {
    op.check(wiki).check({ key: K.page(wikiId, it.path), versionstamp: it.headVersionstamp });
    write(op, it);
    return op;
  };
  if (items.length <= 100) {
    const all = kv.atomic();
    for (const it of items) guarded(all, it);
    if ((await all.commit()).ok) return items.length;
  }
  let n = 0;
  for (const it of items) if ((await guarded(kv.atomic(), it).commit()).ok) n++;
  return n;
}

function record(model: string, revision: string, v: Float32Array): RemoteVectorRecord {
  const f32 = new Uint8Array(v.length * 4);
  const view = new DataView(f32.buffer);
  v.forEach((x, i) => view.setFloat32(i * 4, x, true));
  return { model, revision, f32 };
}

function decodeF32(bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.byteLength >> 2);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/**
 * The remote embedder's `forgetWiki`: deletes the wiki's remote vectors and its mark, and drops the wiki from the
 * re-embed job's cursor. Returns the vectors deleted.
 */
export async function forgetRemoteEmbeddings(kv: Deno.Kv, wikiId: WikiId): Promise<number> {
  const n = await deletePrefix(kv, RemoteKeys.vecs(wikiId));
  await kv.delete(RemoteKeys.mark(wikiId));
  await forgetWikiInState(kv, wikiId);
  return n;
}

/** The remote embedder as a part of the app (lib/platform/key_registry.ts, lib/platform/wiki_lifecycle.ts). */
export const REMOTE_EMBED_STORE: StorePart = {
  part: "lib/wiki/meaning/remote_store.ts",
  prefixes: REMOTE_EMBED_PREFIXES,
  forgetWiki: forgetRemoteEmbeddings,
  forgetUser: () => Promise.resolve(0),
};

/**
 * @module
 * What the remote embedder keeps in KV (issue 12 item 4), its registered prefixes and how a wiki's deletion forgets
 * it (`REMOTE_EMBED_STORE`, a `StorePart` listed in lib/platform/wiki_lifecycle.ts `FOREIGN_WIKI_DATA`):
 *
 * - the vectors themselves are the meaning layer's `["page_vec", wikiId, pageId, "remote:<name>"]` records (one
 *   remote model per page, beside its static vector), written by the re-embed job and the write queue through
 *   {@link RemoteVectorSink} (lib/wiki/meaning/page_vec_sink.ts) and deleted with the wiki by the wiki core.
 * - `["remote_mark", wikiId]`: `{ model, seq }`: every page of the wiki live at write sequence `seq` has a vector
 *   of `model` (the job skips a wiki whose `wiki_state.seq` still equals it).
 * - `["remote_job", "state"]` and `["remote_job", "lease"]`: the re-embed job's progress and its single runner's
 *   lease (lib/wiki/meaning/reembed_state.ts).
 *
 * The job and the write queue only ask the sink "is this page's vector current" and "store these".
 */
import { type KeyPrefix, type PageId, parseKeyPrefixes, type StorePart, type WikiId } from "../../kv/keys.ts";
import { K } from "../keys.ts";
import { forgetWikiInState } from "./reembed_state.ts";

/** Key builders of the remote embedder's records. */
export const RemoteKeys = {
  /** How far the wiki's pages are embedded: `{ model, seq }`. */
  mark: (wikiId: WikiId) => ["remote_mark", wikiId] as const,
  /** The re-embed job's progress. */
  jobState: () => ["remote_job", "state"] as const,
  /** The re-embed job's runner lease. */
  jobLease: () => ["remote_job", "lease"] as const,
} as const;

/** The remote embedder's key prefixes. */
export const REMOTE_EMBED_PREFIXES: readonly KeyPrefix[] = parseKeyPrefixes(`
  wiki   remote_mark  the write sequence up to which a wiki's pages have remote vectors
  global remote_job   the remote re-embed job's progress and its runner's lease
`);

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
 * Where remote vectors live: the meaning layer's shared vector store (`pageVecSink`,
 * lib/wiki/meaning/page_vec_sink.ts; one record per page and model).
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

/** An item of {@link RemoteVectorSink.put}. */
export type VectorItem = VectorTarget & { vector: Float32Array };

/**
 * The guard of every {@link RemoteVectorSink.put}: adds each item's mutations (`write`) to a commit that checks the
 * `wiki` record (a wiki being deleted is hidden before its parts forget their records) and the page head as read
 * with the text. All items in one commit when they fit and nothing changed; else each alone, so that one changed
 * page does not cost the others. Returns how many items were stored; `stored` is told each one.
 */
export async function putGuarded(
  kv: Deno.Kv,
  wikiId: WikiId,
  items: readonly VectorItem[],
  write: (op: Deno.AtomicOperation, item: VectorItem) => void,
  stored: (item: VectorItem) => void = () => {},
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
    if ((await all.commit()).ok) {
      items.forEach(stored);
      return items.length;
    }
  }
  let n = 0;
  for (const it of items) {
    if (!(await guarded(kv.atomic(), it).commit()).ok) continue;
    stored(it);
    n++;
  }
  return n;
}

/**
 * The remote embedder's `forgetWiki`: deletes the wiki's mark and drops the wiki from the re-embed job's cursor (its
 * vectors are `page_vec` records, deleted by the wiki core). Returns the records deleted.
 */
export async function forgetRemoteMark(kv: Deno.Kv, wikiId: WikiId): Promise<number> {
  const had = (await kv.get(RemoteKeys.mark(wikiId))).versionstamp !== null;
  await kv.delete(RemoteKeys.mark(wikiId));
  await forgetWikiInState(kv, wikiId);
  return had ? 1 : 0;
}

/** The remote embedder as a part of the app (lib/platform/key_registry.ts, lib/platform/wiki_lifecycle.ts). */
export const REMOTE_EMBED_STORE: StorePart = {
  part: "lib/wiki/meaning/remote_store.ts",
  prefixes: REMOTE_EMBED_PREFIXES,
  forgetWiki: forgetRemoteMark,
  forgetUser: () => Promise.resolve(0),
};

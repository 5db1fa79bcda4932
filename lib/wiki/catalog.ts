/**
 * @module
 * In-process catalog of a wiki's live pages: every page's metadata, a full-text SearchIndex and the backlink map,
 * used by `list`, `search`, `orphans` and `readWithBacklinks`. It is kept fresh against `wiki_state.seq`: one
 * `get` when nothing changed; otherwise the change feed since the cached seq names the touched paths, whose heads
 * are re-read. The first use (or a large gap, or a change whose path list was truncated) rebuilds from all heads.
 * The page vectors stored in KV (lib/wiki/meaning/vector_store.ts) are loaded with the heads they belong to, so a
 * page written on another instance is found by meaning on this one as soon as the catalog is fresh.
 */
import { type PageId, type WikiId } from "../kv/keys.ts";
import { K } from "./keys.ts";
import { NotFoundError } from "../errors.ts";
import { SearchIndex } from "./search_index.ts";
import type { PageMeta } from "./types.ts";
import { headMeta, isInline, loadText, type PageHead, type StoredRevision, type WikiState } from "./records.ts";
import { VectorIndex } from "./meaning/vector_index.ts";
import { readPageVectors, type StoredVector } from "./meaning/vector_store.ts";
import { meaningLayerOn } from "./meaning/switch.ts";
import { loadWikiVectors, WikiVectors } from "./meaning/wiki_vectors.ts";
import { collectGarbage } from "../gc.ts";

/** Largest number of changes applied incrementally; past it the catalog is rebuilt. */
export const MAX_INCREMENTAL_CHANGES = 500;
/** Wikis whose catalogs one process keeps in memory (per KV handle). */
export const MAX_CACHED_WIKIS = 200;
/** Parallel reads of heads and blobs while refreshing. */
const READ_PARALLELISM = 8;
/**
 * Pages whose texts a rebuild reads before indexing them. Small: texts held across the reads' awaits outlive the young
 * generation, and 50 at a time kept the peak RSS of a 10,000-page rebuild ~15 MB below 200 at the same speed.
 */
const REBUILD_BATCH = 50;
/** A rebuild collects garbage after this many pages and at its end (lib/gc.ts; ~40 MB less peak on 10,000 pages). */
export const REBUILD_GC_PAGES = 2000;

/** Cached state of one wiki's live pages. */
export class Catalog {
  /** The `wiki_state.seq` this catalog reflects. */
  seq = -1;
  readonly #metas = new Map<string, PageMeta>();
  readonly #pathOf = new Map<PageId, string>();
  readonly #backlinks = new Map<string, Set<string>>();
  readonly index = new SearchIndex();
  /** The pages' vectors (lib/wiki/meaning/vector_index.ts). */
  readonly vectors = new VectorIndex();
  #sorted: PageMeta[] | null = null;

  /**
   * Adds or replaces a live page (a page that moved under the same id leaves its old path), with its stored vectors
   * and the static vector the write path computed, when known.
   */
  upsert(head: PageHead, content: string, stored?: readonly StoredVector[], vector?: Float32Array): void {
    const oldPath = this.#pathOf.get(head.pageId);
    if (oldPath !== undefined && oldPath !== head.path) this.remove(oldPath);
    this.remove(head.path);
    const meta = headMeta(head);
    this.#metas.set(head.path, meta);
    this.#pathOf.set(head.pageId, head.path);
    for (const t of meta.links) {
      let set = this.#backlinks.get(t);
      if (!set) this.#backlinks.set(t, set = new Set());
      set.add(head.path);
    }
    const body = content.slice(head.bodyStart);
    this.index.upsert({ path: head.path, title: meta.title, body });
    this.vectors.upsert(head.path, { title: meta.title, body, revision: head.revision }, stored, vector);
    this.#sorted = null;
  }

  /** Removes a page by path (no-op when absent). */
  remove(path: string): void {
    const meta = this.#metas.get(path);
    if (!meta) return;
    this.#metas.delete(path);
    if (this.#pathOf.get(meta.pageId) === path) this.#pathOf.delete(meta.pageId);
    for (const t of meta.links) {
      const set = this.#backlinks.get(t);
      set?.delete(path);
      if (set?.size === 0) this.#backlinks.delete(t);
    }
    this.index.remove(path);
    this.vectors.remove(path);
    this.#sorted = null;
  }

  /** Releases the spare capacity the index and the vectors grew while the catalog was built. */
  compact(): void {
    this.index.compact();
    this.vectors.compact();
  }

  /** Live pages sorted by path (shared array: do not modify). */
  pages(): PageMeta[] {
    if (!this.#sorted) {
      this.#sorted = [...this.#metas.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    }
    return this.#sorted;
  }

  /**
   * Sets a page's vector of another model (a remote embedder's, stored after the write) when the page is live here
   * at exactly `revision`; false otherwise (stale: the catalog's next load of the page decides).
   */
  setVector(pageId: PageId, revision: string, model: string, v: Float32Array): boolean {
    const path = this.#pathOf.get(pageId);
    const meta = path === undefined ? undefined : this.#metas.get(path);
    if (!meta || meta.revision !== revision) return false;
    this.vectors.set(model, meta.path, v);
    return true;
  }

  /** Metadata of a live page, or undefined. */
  get(path: string): PageMeta | undefined {
    return this.#metas.get(path);
  }

  /** Live pages linking to `path` (itself excluded), sorted. */
  backlinksOf(path: string): string[] {
    return [...(this.#backlinks.get(path) ?? [])].filter((s) => s !== path).sort();
  }
}

interface CatalogSlot {
  catalog: Catalog | null;
  refreshing: Promise<Catalog> | null;
}

const slots = new WeakMap<Deno.Kv, Map<WikiId, CatalogSlot>>();

/** Slot of a wiki's catalog, most recently used last; the least recently used wikis are dropped past the cap. */
function slotOf(kv: Deno.Kv, wikiId: WikiId): CatalogSlot {
  let byWiki = slots.get(kv);
  if (!byWiki) slots.set(kv, byWiki = new Map());
  let slot = byWiki.get(wikiId);
  if (slot) byWiki.delete(wikiId);
  else slot = { catalog: null, refreshing: null };
  byWiki.set(wikiId, slot);
  while (byWiki.size > MAX_CACHED_WIKIS) byWiki.delete(byWiki.keys().next().value!);
  return slot;
}

/** The cached catalog of a wiki as it is (possibly stale), or null. Never reads KV. */
export function cachedCatalog(kv: Deno.Kv, wikiId: WikiId): Catalog | null {
  return slots.get(kv)?.get(wikiId)?.catalog ?? null;
}

/**
 * The catalog to serve a page read's backlinks: the cached one (marked recently used, as reads keep a wiki hot),
 * else a new one built now when the cache has room (first use of the wiki in this process). Null when the cache
 * is full of other wikis: the caller lists the backlink index instead (one round trip), so that past
 * MAX_CACHED_WIKIS active wikis reads never evict each other's catalogs in a rebuild storm. May be stale: compare
 * its `seq` with `wiki_state.seq`.
 */
export async function catalogForRead(kv: Deno.Kv, wikiId: WikiId): Promise<Catalog | null> {
  const byWiki = slots.get(kv);
  const slot = byWiki?.get(wikiId);
  if (slot?.catalog) {
    byWiki!.delete(wikiId);
    byWiki!.set(wikiId, slot);
    return slot.catalog;
  }
  if ((byWiki?.size ?? 0) >= MAX_CACHED_WIKIS && !slot) return null;
  return await freshCatalog(kv, wikiId);
}

/** Number of wikis whose catalogs are cached for `kv` (tests and diagnostics). */
export function cachedCatalogCount(kv: Deno.Kv): number {
  return slots.get(kv)?.size ?? 0;
}

/** Drops a wiki's cached catalog (after the wiki is deleted). */
export function forgetCatalog(kv: Deno.Kv, wikiId: WikiId): void {
  slots.get(kv)?.delete(wikiId);
}

/**
 * Gives this process's cached catalog of a wiki (when there is one) the vectors of `model` just stored outside a
 * write (lib/wiki/meaning/page_vec_sink.ts), as other instances will load them: quantised, for the revision they
 * were computed from. Never reads KV.
 */
export function noteStoredVectors(
  kv: Deno.Kv,
  wikiId: WikiId,
  model: string,
  items: readonly { pageId: PageId; revision: string; vector: Float32Array }[],
): void {
  const catalog = cachedCatalog(kv, wikiId);
  if (!catalog) return;
  // The catalog keeps vectors int8-quantised exactly as they are stored (model_vectors.ts), so these match.
  for (const it of items) catalog.setVector(it.pageId, it.revision, model, it.vector);
}

/**
 * Applies a commit this process just made to the cached catalog, when the catalog was exactly at the state the
 * commit was built on (`prevSeq`); otherwise leaves it for the next refresh. Keeps the catalog current after
 * local writes without any KV read.
 */
export function applyCommitted(
  kv: Deno.Kv,
  wikiId: WikiId,
  prevSeq: number,
  changes: { before: PageHead | null; after: PageHead; text?: string; vector?: Float32Array; record?: StoredVector }[],
): void {
  const slot = slots.get(kv)?.get(wikiId);
  const catalog = slot?.catalog;
  if (!slot || !catalog || slot.refreshing || catalog.seq !== prevSeq) return;
  const texts = changes.map((c) => c.text ?? (isInline(c.after.content) ? c.after.content.text : undefined));
  if (changes.some((c, i) => !c.after.deleted && texts[i] === undefined)) return;
  changes.forEach((c, i) => {
    if (c.before && c.before.path !== c.after.path) catalog.remove(c.before.path);
    if (c.after.deleted) catalog.remove(c.after.path);
    else catalog.upsert(c.after, texts[i]!, c.record ? [c.record] : undefined, c.vector);
  });
  catalog.seq = prevSeq + 1;
}

/** The catalog of a wiki, brought up to date with `wiki_state.seq` (one `get` when it already is). */
export async function freshCatalog(kv: Deno.Kv, wikiId: WikiId): Promise<Catalog> {
  const slot = slotOf(kv, wikiId);
  for (let i = 0; i < 5; i++) {
    const st = await kv.get<WikiState>(K.wikiState(wikiId));
    if (st.value === null) throw new NotFoundError("This wiki does not exist (it may have been deleted).");
    if (slot.catalog && slot.catalog.seq === st.value.seq) return slot.catalog;
    if (slot.refreshing) {
      await slot.refreshing.catch(() => {});
      continue;
    }
    slot.refreshing = refresh(kv, wikiId, slot.catalog, st.value.seq);
    try {
      slot.catalog = await slot.refreshing;
      return slot.catalog;
    } finally {
      slot.refreshing = null;
    }
  }
  return slot.catalog ?? await rebuild(kv, wikiId);
}

/** Applies the changes after `catalog.seq` up to `seq`, or rebuilds. */
async function refresh(kv: Deno.Kv, wikiId: WikiId, catalog: Catalog | null, seq: number): Promise<Catalog> {
  if (!catalog || seq - catalog.seq > MAX_INCREMENTAL_CHANGES || seq < catalog.seq) return await rebuild(kv, wikiId);
  const paths = new Set<string>();
  let seen = 0;
  const iter = kv.list<StoredRevision>({
    start: [...K.changes(wikiId), catalog.seq + 1],
    end: [...K.changes(wikiId), seq + 1],
  });
  for await (const e of iter) {
    seen++;
    if (e.value.pathCount > e.value.paths.length) return await rebuild(kv, wikiId);
    for (const p of e.value.paths) paths.add(p);
  }
  if (seen !== seq - catalog.seq) return await rebuild(kv, wikiId);
  const list = [...paths];
  const heads: (PageHead | null)[] = [];
  for (let i = 0; i < list.length; i += 10) {
    const entries = await kv.getMany<PageHead[]>(list.slice(i, i + 10).map((p) => K.page(wikiId, p)));
    heads.push(...entries.map((e) => e.value));
  }
  const live = heads.filter((h) => h !== null && !h.deleted).map((h) => h!.pageId);
  const [texts, vectors] = await Promise.all([
    mapBounded(heads, (h) => h && !h.deleted ? loadText(kv, wikiId, h.content) : null),
    meaningLayerOn() ? readPageVectors(kv, wikiId, live) : new Map<PageId, StoredVector[]>(),
  ]);
  list.forEach((p, i) => {
    const h = heads[i];
    if (h && !h.deleted && h.path === p) catalog.upsert(h, texts[i]!, vectors.get(h.pageId));
    else catalog.remove(p);
  });
  catalog.seq = seq;
  return catalog;
}

/** Builds a catalog from every head of the wiki. */
async function rebuild(kv: Deno.Kv, wikiId: WikiId): Promise<Catalog> {
  const st = await kv.get<WikiState>(K.wikiState(wikiId));
  if (st.value === null) throw new NotFoundError("This wiki does not exist (it may have been deleted).");
  const catalog = new Catalog();
  const vectors = meaningLayerOn() ? await loadWikiVectors(kv, wikiId) : new WikiVectors();
  // A batch of heads (which may hold their text) at a time: a large wiki's heads and texts are never all held at
  // once, only what the catalog keeps of them.
  let batch: PageHead[] = [];
  let indexed = 0;
  const indexBatch = async () => {
    const texts = await mapBounded(batch, (h) => loadText(kv, wikiId, h.content));
    batch.forEach((h, j) => catalog.upsert(h, texts[j], vectors.get(h.pageId)));
    if (Math.floor((indexed + batch.length) / REBUILD_GC_PAGES) > Math.floor(indexed / REBUILD_GC_PAGES)) {
      collectGarbage();
    }
    indexed += batch.length;
    batch = [];
  };
  for await (const e of kv.list<PageHead>({ prefix: K.pages(wikiId) }, { batchSize: REBUILD_BATCH })) {
    if (!e.value.deleted) batch.push(e.value);
    if (batch.length === REBUILD_BATCH) await indexBatch();
  }
  await indexBatch();
  catalog.compact();
  collectGarbage();
  catalog.seq = st.value.seq;
  return catalog;
}

/** Maps with at most READ_PARALLELISM promises in flight (synchronous results pass straight through). */
async function mapBounded<T, R>(items: T[], fn: (item: T) => R | Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_PARALLELISM, items.length) }, worker));
  return out;
}

/**
 * @module
 * All of a wiki's stored vectors, loaded compactly for a catalog rebuild (lib/wiki/catalog.ts): one paged `list` of
 * its `page_vec` records (lib/wiki/meaning/vector_store.ts), whose static vectors without sections are copied into
 * one int8 block as they arrive (given back with `sections: null`: the catalog reads no more of them), so that the 10,000 listed records die young instead of being held until every page
 * is indexed (holding them grew the peak RSS of a 10,000-page rebuild by ~25 MB). Records of other models and
 * records with section vectors are kept as they are (a few, or small beside their page's text).
 */
import type { PageId, WikiId } from "../../kv/keys.ts";
import { K } from "../keys.ts";
import { MODEL_ID } from "./word_file.ts";
import type { StoredVector } from "./vector_store.ts";

/** Records listed per round trip. */
const LIST_BATCH = 100;

/** A wiki's stored vectors by page id. */
export class WikiVectors {
  #block = new Int8Array(0);
  #used = 0;
  readonly #rows = new Map<PageId, { revision: string; dims: number; scale: number; at: number }>();
  readonly #records = new Map<PageId, StoredVector[]>();

  /** Adds a listed record. */
  add(pageId: PageId, rec: StoredVector): void {
    const compact = rec.model === MODEL_ID && (rec.sections ?? null) === null && rec.q instanceof Uint8Array &&
      rec.q.length === rec.dims && !this.#rows.has(pageId);
    if (!compact) {
      let list = this.#records.get(pageId);
      if (!list) this.#records.set(pageId, list = []);
      list.push(rec);
      return;
    }
    if (this.#used + rec.dims > this.#block.length) {
      const bigger = new Int8Array(Math.max(4096, 2 * (this.#used + rec.dims)));
      bigger.set(this.#block.subarray(0, this.#used));
      this.#block = bigger;
    }
    this.#block.set(new Int8Array(rec.q.buffer, rec.q.byteOffset, rec.dims), this.#used);
    this.#rows.set(pageId, { revision: rec.revision, dims: rec.dims, scale: rec.scale, at: this.#used });
    this.#used += rec.dims;
  }

  /** Every model's record of a page (empty when it has none); static vectors come back as views of the block. */
  get(pageId: PageId): StoredVector[] {
    const out = this.#records.get(pageId) ?? [];
    const row = this.#rows.get(pageId);
    if (row === undefined) return out;
    const q = new Uint8Array(this.#block.buffer, row.at, row.dims);
    return [{ model: MODEL_ID, revision: row.revision, dims: row.dims, scale: row.scale, q, sections: null }, ...out];
  }

  /** Number of pages with any record. */
  get size(): number {
    let n = this.#rows.size;
    for (const id of this.#records.keys()) if (!this.#rows.has(id)) n++;
    return n;
  }
}

/** Lists every vector record of a wiki into a {@link WikiVectors} (one paged `list`). */
export async function loadWikiVectors(kv: Deno.Kv, wikiId: WikiId): Promise<WikiVectors> {
  const out = new WikiVectors();
  for await (const e of kv.list<StoredVector>({ prefix: K.wikiVecs(wikiId) }, { batchSize: LIST_BATCH })) {
    out.add(e.key[2] as PageId, e.value);
  }
  return out;
}

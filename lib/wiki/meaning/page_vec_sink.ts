/**
 * @module
 * The remote embedder's vectors in the meaning layer's shared vector store (issue 12 item 4): a
 * {@link RemoteVectorSink} over `["page_vec", wikiId, pageId, model]` records (lib/wiki/meaning/vector_store.ts),
 * so a page holds its static vector and at most one vector of a remote model (`remote:<name>`) side by side, both
 * loaded by the catalog with the page (lib/wiki/catalog.ts) and deleted with the wiki (the wiki core's `page_vec`
 * prefix). After a `put`, this process's cached catalog of the wiki gets the stored vectors at once
 * (`noteStoredVectors`); other instances load them when their catalog reloads the page (the page changes again, or
 * the catalog is rebuilt: first use, a gap of more than 500 changes, eviction), and rank such a page by its static
 * vector until then.
 */
import type { PageId, WikiId } from "../../kv/keys.ts";
import { noteStoredVectors } from "../catalog.ts";
import { K } from "../keys.ts";
import { putGuarded, type RemoteVectorSink } from "./remote_store.ts";
import { decodeVector, encodeVector, readPageVectors, vectorKey } from "./vector_store.ts";

/** Model ids of remote embedders start with this (lib/wiki/meaning/embedder.ts). */
export const REMOTE_MODEL_PREFIX = "remote:";

/** The {@link RemoteVectorSink} over the shared `page_vec` records. */
export function pageVecSink(kv: Deno.Kv): RemoteVectorSink {
  return {
    async current(wikiId, pages, model) {
      const recs = await readPageVectors(kv, wikiId, pages.map((p) => p.pageId));
      return pages.map((p) => (recs.get(p.pageId) ?? []).some((r) => r.model === model && r.revision === p.revision));
    },
    async put(wikiId, items, model) {
      if (!model.startsWith(REMOTE_MODEL_PREFIX)) throw new Error(`not a remote model: ${model}`);
      const existing = await readPageVectors(kv, wikiId, items.map((it) => it.pageId));
      const stored: { pageId: PageId; revision: string; vector: Float32Array }[] = [];
      const n = await putGuarded(kv, wikiId, items, (op, it) => {
        op.set(vectorKey(wikiId, it.pageId, model), encodeVector(model, it.revision, it.vector));
        for (const r of existing.get(it.pageId) ?? []) {
          if (r.model !== model && r.model.startsWith(REMOTE_MODEL_PREFIX)) {
            op.delete(vectorKey(wikiId, it.pageId, r.model));
          }
        }
      }, (it) => stored.push(it));
      noteStoredVectors(kv, wikiId, model, stored);
      return n;
    },
    async get(wikiId, pageIds, model) {
      const recs = await readPageVectors(kv, wikiId, pageIds);
      const out = new Map<PageId, Float32Array>();
      for (const id of pageIds) {
        const rec = recs.get(id)?.find((r) => r.model === model);
        const v = rec ? decodeVector(rec) : null;
        if (v) out.set(id, v);
      }
      return out;
    },
  };
}

/** Every remote vector record of a wiki: page id -> model (tests and the operator's status). */
export async function remoteModelsOf(kv: Deno.Kv, wikiId: WikiId): Promise<Map<PageId, string>> {
  const out = new Map<PageId, string>();
  for await (const e of kv.list<{ model: string }>({ prefix: K.wikiVecs(wikiId) }, { batchSize: 500 })) {
    if (e.value.model.startsWith(REMOTE_MODEL_PREFIX)) out.set(e.key[2] as PageId, e.value.model);
  }
  return out;
}

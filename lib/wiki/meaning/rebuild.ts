/**
 * @module
 * Re-embedding a wiki's pages with the static layer (`deno task vectors:rebuild`, scripts/rebuild_page_vectors.ts):
 * after the word file's model id changes (a new `deno task vectors:build`), or for pages written before this layer
 * or by a write whose commit had no room for their vector. Stores the current static vector of every live page that
 * lacks one for its current revision (or whose record lacks the `sections` field: written before section vectors,
 * or by a commit without room for them) and deletes static vectors of other word files. The app copes without it (the
 * catalog embeds such pages on their first vector search); this makes every instance share them again.
 */
import type { PageId, WikiId } from "../../kv/keys.ts";
import { K } from "../keys.ts";
import { loadText, type PageHead } from "../records.ts";
import { encodeVector, readWikiVectors, type StoredVector, vectorKey, writeVectors } from "./vector_store.ts";
import { loadStaticEmbedder } from "./static_embedder.ts";
import { embedSections } from "./section_vectors.ts";

/** What a rebuild did to one wiki. */
export interface RebuildReport {
  /** Live pages examined. */
  pages: number;
  /** Vectors stored (missing or stale). */
  written: number;
  /** Static vectors of another word file deleted. */
  dropped: number;
}

/** Stores the missing or stale static vectors of a wiki's live pages; see the module doc. */
export async function rebuildStaticVectors(kv: Deno.Kv, wikiId: WikiId): Promise<RebuildReport> {
  const embedder = await loadStaticEmbedder();
  const stored = await readWikiVectors(kv, wikiId);
  const stale: PageHead[] = [];
  let pages = 0;
  for await (const e of kv.list<PageHead>({ prefix: K.pages(wikiId) }, { batchSize: 500 })) {
    if (e.value.deleted) continue;
    pages++;
    const mine = stored.get(e.value.pageId)?.find((r) => r.model === embedder.model);
    if (mine?.revision !== e.value.revision || mine.sections === undefined) stale.push(e.value);
  }
  const records: { pageId: PageId; vector: StoredVector }[] = [];
  for (const h of stale) {
    const text = await loadText(kv, wikiId, h.content);
    const body = text.slice(h.bodyStart);
    const v = embedder.embedPage(h.title, h.path, body);
    const sections = embedSections(embedder, h.title, body);
    records.push({ pageId: h.pageId, vector: { ...encodeVector(embedder.model, h.revision, v), sections } });
  }
  await writeVectors(kv, wikiId, records);
  let dropped = 0;
  for (const [pageId, list] of stored) {
    for (const r of list) {
      if (r.model.startsWith("static:") && r.model !== embedder.model) {
        await kv.delete(vectorKey(wikiId, pageId, r.model));
        dropped++;
      }
    }
  }
  return { pages, written: records.length, dropped };
}

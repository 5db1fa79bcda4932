/**
 * @module
 * The static vectors a wiki write stores with its commit (lib/wiki/commit.ts `runWrite`): every live page it
 * changes gets its vector, computed from the text being written, set in the same atomic commit (so it is there for
 * every instance the moment the write returns); a deleted page's vector is deleted. Vectors ride along only while
 * the commit has room left under Deno KV's limits; a page left without one (or written before this layer) is
 * embedded by the catalog on its first vector search instead (lib/wiki/meaning/vector_index.ts), and
 * `deno task vectors:rebuild` stores them.
 */
import type { WikiId } from "../../kv/keys.ts";
import type { PageHead } from "../records.ts";
import { encodeVector, vectorKey } from "./vector_store.ts";
import { MODEL_ID } from "./word_file.ts";
import { meaningLayerOn } from "./switch.ts";
import { loadStaticEmbedder, type StaticEmbedder } from "./static_embedder.ts";

/** Estimated bytes of one stored static vector with its key. */
const VECTOR_RECORD_BYTES = 400;

/** A page a write changes, as the commit sees it; `vector` is filled in when this module embeds it. */
export interface EmbeddedChange {
  before: PageHead | null;
  after: PageHead;
  text?: string;
  vector?: Float32Array;
}

let failure: unknown = null;

/** The static embedder for the write path, or null when the word file cannot be read (writes go on without). */
export async function writeEmbedder(): Promise<StaticEmbedder | null> {
  if (!meaningLayerOn()) return null;
  try {
    return await loadStaticEmbedder();
  } catch (err) {
    if (failure === null) console.error("meaning layer off: the word file could not be read:", err);
    failure = err;
    return null;
  }
}

/**
 * Adds the vector mutations of `pages` to `op`, within `room` (mutations and bytes left in the commit), and sets
 * each embedded change's `vector`. Returns how many mutations it added.
 */
export function addPageVectors(
  op: Deno.AtomicOperation,
  wikiId: WikiId,
  pages: EmbeddedChange[],
  embedder: StaticEmbedder | null,
  room: { mutations: number; bytes: number },
): number {
  let added = 0;
  for (const c of pages) {
    c.vector = undefined;
    if (added + 1 > room.mutations || (added + 1) * VECTOR_RECORD_BYTES > room.bytes) break;
    if (c.after.deleted) {
      if (c.before !== null && !c.before.deleted) op.delete(vectorKey(wikiId, c.after.pageId, MODEL_ID));
      else continue;
    } else {
      if (embedder === null || c.text === undefined) continue;
      const v = embedder.embedPage(c.after.title, c.after.path, c.text.slice(c.after.bodyStart));
      op.set(vectorKey(wikiId, c.after.pageId, embedder.model), encodeVector(embedder.model, c.after.revision, v));
      c.vector = v;
    }
    added++;
  }
  return added;
}

/**
 * @module
 * The static vectors a wiki write stores with its commit (lib/wiki/commit.ts `runWrite`): every live page it
 * changes gets its vector, computed from the text being written, set in the same atomic commit (so it is there for
 * every instance the moment the write returns); a deleted page's vector is deleted. Vectors ride along only while
 * the commit has room left under Deno KV's limits; a page left without one (or written before this layer) is
 * embedded by the catalog on its first vector search instead (lib/wiki/meaning/vector_index.ts), and
 * `deno task vectors:rebuild` stores them. The record holds the page's section vectors too
 * (lib/wiki/meaning/section_vectors.ts); the room is counted with each record's real estimated size.
 */
import type { WikiId } from "../../kv/keys.ts";
import { estimateKeySize, estimateSize, type PageHead } from "../records.ts";
import { encodeVector, type StoredVector, vectorKey } from "./vector_store.ts";
import { embedSections } from "./section_vectors.ts";
import { MODEL_ID } from "./word_file.ts";
import { meaningLayerOn } from "./switch.ts";
import { loadStaticEmbedder, type StaticEmbedder } from "./static_embedder.ts";

/** A page a write changes, as the commit sees it; `vector` and `record` are filled in when this module embeds it. */
export interface EmbeddedChange {
  before: PageHead | null;
  after: PageHead;
  text?: string;
  vector?: Float32Array;
  /** The static record set in the commit (with the page's section vectors), for the in-process catalog. */
  record?: StoredVector;
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

/** Estimated bytes of a record with its key, as the commit's byte budget counts them (lib/wiki/records.ts). */
function recordBytes(key: Deno.KvKey, value: StoredVector | null): number {
  return estimateKeySize(key) + (value === null ? 0 : estimateSize(value));
}

/**
 * Adds the vector mutations of `pages` to `op`, within `room` (mutations and bytes left in the commit), and sets
 * each embedded change's `vector` and `record`. A page's record carries its section vectors when they fit in the
 * room left, else it is stored without them (as if written before them: `vectors:rebuild` adds them). Returns how
 * many mutations it added.
 */
export function addPageVectors(
  op: Deno.AtomicOperation,
  wikiId: WikiId,
  pages: EmbeddedChange[],
  embedder: StaticEmbedder | null,
  room: { mutations: number; bytes: number },
): number {
  let added = 0;
  let bytes = 0;
  for (const c of pages) {
    c.vector = undefined;
    c.record = undefined;
    if (added + 1 > room.mutations) break;
    if (c.after.deleted) {
      if (c.before === null || c.before.deleted) continue;
      const key = vectorKey(wikiId, c.after.pageId, MODEL_ID);
      if (bytes + recordBytes(key, null) > room.bytes) break;
      op.delete(key);
      bytes += recordBytes(key, null);
    } else {
      if (embedder === null || c.text === undefined) continue;
      const body = c.text.slice(c.after.bodyStart);
      const v = embedder.embedPage(c.after.title, c.after.path, body);
      const key = vectorKey(wikiId, c.after.pageId, embedder.model);
      let rec: StoredVector = {
        ...encodeVector(embedder.model, c.after.revision, v),
        sections: embedSections(embedder, c.after.title, body),
      };
      if (bytes + recordBytes(key, rec) > room.bytes) rec = encodeVector(embedder.model, c.after.revision, v);
      if (bytes + recordBytes(key, rec) > room.bytes) break;
      op.set(key, rec);
      bytes += recordBytes(key, rec);
      c.vector = v;
      c.record = rec;
    }
    added++;
  }
  return added;
}

/**
 * lib/wiki/meaning/wiki_vectors.ts: a wiki's vector records loaded compactly for a catalog rebuild give each page the
 * same vectors as the records themselves (static ones from the shared int8 block, the rest as stored).
 */
import { assertEquals } from "../../assert.ts";
import { encodeVector, readWikiVectors, type StoredVector, vectorKey } from "../../../lib/wiki/meaning/vector_store.ts";
import { loadWikiVectors } from "../../../lib/wiki/meaning/wiki_vectors.ts";
import { MODEL_ID } from "../../../lib/wiki/meaning/word_file.ts";
import type { PageId, WikiId } from "../../../lib/kv/keys.ts";

const WIKI = "w_aaaaaaaaaaaaaaaaaaaa" as WikiId;

/** A unit-ish vector of `dims` components from a seed. */
function vec(seed: number, dims: number): Float32Array {
  return Float32Array.from({ length: dims }, (_, i) => Math.sin(seed * 7 + i));
}

/** A record as comparable data (bytes as arrays). */
function plain(rec: StoredVector) {
  return { ...rec, q: [...rec.q], sections: rec.sections ? { ...rec.sections, q: [...rec.sections.q] } : null };
}

Deno.test("wiki vectors - compact load gives each page the records' vectors; other models and sections as stored", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const op = kv.atomic();
    const put = (page: string, rec: StoredVector) => op.set(vectorKey(WIKI, page as PageId, rec.model), rec);
    for (let i = 0; i < 50; i++) put(`p_${i}`, { ...encodeVector(MODEL_ID, `r${i}`, vec(i, 100)), sections: null });
    put("p_old", encodeVector(MODEL_ID, "rOld", vec(99, 100))); // written before section vectors: no field
    const sections = { paths: ["", "Tyres"], scales: [0.01, 0.02], q: new Uint8Array(200).fill(3) };
    put("p_sec", { ...encodeVector(MODEL_ID, "rS", vec(7, 100)), sections });
    put("p_3", encodeVector("remote:m1", "r3", vec(3, 8)));
    put("p_bad", { ...encodeVector(MODEL_ID, "rB", vec(5, 100)), q: new Uint8Array(7) }); // malformed: kept as is
    await op.commit();

    const loaded = await loadWikiVectors(kv, WIKI);
    const records = await readWikiVectors(kv, WIKI);
    assertEquals(loaded.size, records.size);
    for (const [id, recs] of records) {
      const got = loaded.get(id).map(plain);
      const want = recs.map((r) => plain({ ...r, sections: r.sections ?? null }));
      const byModel = (a: { model: string }, b: { model: string }) => (a.model < b.model ? -1 : 1);
      assertEquals(got.sort(byModel), want.sort(byModel), id);
    }
    assertEquals(loaded.get("p_none" as PageId), []);
  } finally {
    kv.close();
  }
});

/**
 * Stale and missing page vectors (issue 12 item 2): the app notices a vector of another word file and embeds the
 * page itself; `vectors:rebuild` stores the current ones and drops the stale.
 */
import { assertEquals } from "../../assert.ts";
import { ALICE, setup } from "../store_helpers.ts";
import { K } from "../../../lib/wiki/keys.ts";
import { STATIC_MODEL } from "../../../lib/wiki/meaning/vector_index.ts";
import { encodeVector, type StoredVector } from "../../../lib/wiki/meaning/vector_store.ts";
import type { PageHead } from "../../../lib/wiki/records.ts";
import { forgetCatalog, freshCatalog } from "../../../lib/wiki/catalog.ts";
import { rebuildStaticVectors } from "../../../lib/wiki/meaning/rebuild.ts";
import { rebuildAll } from "../../../scripts/rebuild_page_vectors.ts";

Deno.test("a vector of an older word file is ignored and replaced: lazily by the catalog, durably by the rebuild", async () => {
  const f = await setup();
  try {
    await f.pages.write("Garage/Automobile Maintenance", "Change the car oil; check the tyres.\n", {}, ALICE);
    await f.pages.write("Kitchen/Sourdough", "Feed the starter, bake bread.\n", {}, ALICE);
    const head = (await f.kv.get<PageHead>(K.page(f.wiki.id, "Garage/Automobile Maintenance"))).value!;
    // As if written by an older word file: its vector under another model id, the current one gone.
    const old = "static:older-words-v0";
    const junk = encodeVector(old, head.revision, new Float32Array(100).fill(0.1));
    await f.kv.set(K.pageVec(f.wiki.id, head.pageId, old), junk);
    await f.kv.delete(K.pageVec(f.wiki.id, head.pageId, STATIC_MODEL));
    forgetCatalog(f.kv, f.wiki.id);
    const catalog = await freshCatalog(f.kv, f.wiki.id);
    assertEquals(catalog.vectors.pendingCount, 1, "the stale page waits to be embedded");
    assertEquals((await f.pages.search("vehicle upkeep")).hits[0]?.path, "Garage/Automobile Maintenance");
    assertEquals(catalog.vectors.pendingCount, 0);

    assertEquals(await rebuildStaticVectors(f.kv, f.wiki.id), { pages: 2, written: 1, dropped: 1 });
    const rec = (await f.kv.get<StoredVector>(K.pageVec(f.wiki.id, head.pageId, STATIC_MODEL))).value;
    assertEquals(rec?.revision, head.revision);
    assertEquals((await f.kv.get(K.pageVec(f.wiki.id, head.pageId, old))).value, null);
    const again = await rebuildAll(f.kv, () => {});
    assertEquals(again, { wikis: 1, pages: 2, written: 0, dropped: 0 });
    forgetCatalog(f.kv, f.wiki.id);
    assertEquals((await freshCatalog(f.kv, f.wiki.id)).vectors.pendingCount, 0, "every vector loads from KV now");
  } finally {
    f.close();
  }
});

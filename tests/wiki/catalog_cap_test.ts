/**
 * Past MAX_CACHED_WIKIS wikis in one process: every answer stays right (evicted wikis rebuild or fall back to the
 * backlink index), writes to evicted wikis are seen, reads keep a wiki cached, and reads never rebuild-storm.
 */
import { assertEquals, assertOk } from "../assert.ts";
import { DEFAULT_LIMITS } from "../../lib/config.ts";
import { createWikis } from "../../lib/wiki/wikis.ts";
import { cachedCatalog, cachedCatalogCount, MAX_CACHED_WIKIS } from "../../lib/wiki/catalog.ts";
import type { WikiRecord } from "../../lib/wiki/types.ts";
import { ALICE } from "./store_helpers.ts";
import { FOREIGN_WIKI_DATA } from "../../lib/platform/wiki_lifecycle.ts";

Deno.test("catalog cap - beyond MAX_CACHED_WIKIS answers stay correct and the cache stays bounded", async () => {
  const kv = await Deno.openKv(":memory:");
  const wikis = createWikis({ kv, limits: DEFAULT_LIMITS }, FOREIGN_WIKI_DATA);
  const all: WikiRecord[] = [];
  const n = MAX_CACHED_WIKIS + 5;
  for (let i = 0; i < n; i++) {
    const w = await wikis.create(
      { slug: `wiki-${String(i).padStart(3, "0")}`, ownerDid: ALICE.id, seed: false },
      ALICE,
    );
    await wikis.pages(w).write("Home", `[[Page]] home of wiki ${i}`, {}, ALICE);
    await wikis.pages(w).write("Page", `marker${i} text`, {}, ALICE);
    all.push(w);
  }
  for (const w of all) assertEquals((await wikis.pages(w).list()).map((m) => m.path), ["Home", "Page"]);
  assertEquals(cachedCatalogCount(kv), MAX_CACHED_WIKIS);
  for (let i = 0; i < 5; i++) assertEquals(cachedCatalog(kv, all[i].id), null, `wiki ${i} evicted`);
  assertOk(cachedCatalog(kv, all[n - 1].id));

  // An evicted wiki: reads answer from the backlink index without building (the cache is full), writes are seen.
  const w0 = wikis.pages(all[0]);
  const read = await w0.readWithBacklinks("Page");
  assertEquals([read.content, read.linkedFrom], ["marker0 text", ["Home"]]);
  assertEquals(cachedCatalog(kv, all[0].id), null);
  await w0.write("Other", "[[Page]] fresh words", {}, ALICE);
  assertEquals((await w0.readWithBacklinks("Page")).linkedFrom, ["Home", "Other"]);
  assertEquals((await w0.search("fresh")).hits.map((h) => h.path), ["Other"]);
  assertEquals(cachedCatalogCount(kv), MAX_CACHED_WIKIS);
  assertOk(cachedCatalog(kv, all[0].id), "search rebuilt wiki 0");
  assertEquals(cachedCatalog(kv, all[5].id), null, "the least recently used wiki made room");

  // Reads keep a wiki hot: wiki 6 is read, so rebuilding wiki 1 evicts wiki 7 instead.
  assertEquals((await wikis.pages(all[6]).readWithBacklinks("Page")).linkedFrom, ["Home"]);
  assertEquals(await wikis.pages(all[1]).orphans(), []);
  assertOk(cachedCatalog(kv, all[6].id));
  assertEquals(cachedCatalog(kv, all[7].id), null);

  // No cross-wiki mix-ups anywhere in the cache.
  for (const i of [0, 1, 6, 8, 100, n - 1]) {
    const r = await wikis.pages(all[i]).search(`marker${i}`);
    assertEquals(r.hits.map((h) => h.path), ["Page"], `wiki ${i}`);
    // Exact terms: forgiving search would rightly take marker1 for a typo of this wiki's own marker0.
    const other = await wikis.pages(all[i]).search(`marker${(i + 1) % n}`, { forgiving: false });
    assertEquals(other.total, 0, `wiki ${i}`);
  }
  assertEquals(cachedCatalogCount(kv), MAX_CACHED_WIKIS);
  kv.close();
});

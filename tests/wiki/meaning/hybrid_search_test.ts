/**
 * Recall by meaning through the page store (issue 12 items 2 and 3): vectors stored with the write, hybrid ranking
 * by default, the modes, another instance finding a page by meaning after its write returns, related pages.
 */
import { assertEquals, assertOk as assert } from "../../assert.ts";
import { ALICE, setup } from "../store_helpers.ts";
import { K } from "../../../lib/wiki/keys.ts";
import { STATIC_MODEL } from "../../../lib/wiki/meaning/vector_index.ts";
import type { StoredVector } from "../../../lib/wiki/meaning/vector_store.ts";
import type { PageHead } from "../../../lib/wiki/records.ts";
import { createWikis } from "../../../lib/wiki/wikis.ts";
import { FOREIGN_WIKI_DATA } from "../../../lib/platform/wiki_lifecycle.ts";
import { freshCatalog } from "../../../lib/wiki/catalog.ts";
import { DEFAULT_LIMITS } from "../../../lib/config.ts";
import { setMeaningLayer } from "../../../lib/wiki/meaning/switch.ts";

/** The three pages, plus unrelated ones so that a ranking has something to beat. */
export const EXAMPLE_PAGES: [string, string][] = [
  ["Garage/Automobile Maintenance", "Change the car oil every spring and check the tyres before a long drive."],
  ["Kitchen/Sourdough", "Feed the starter the night before, then bake bread in a hot oven."],
  ["Security/Authentication", "People sign in with their handle; the server checks it with their provider."],
  ["Home", "Welcome. This wiki holds notes about projects, meetings and plans."],
  ["Meetings/Weekly", "Agenda: budget review, hiring plan, office move."],
  ["Travel/Japan", "Itinerary for the spring trip: Tokyo, Kyoto, Osaka by train."],
];

Deno.test("hybrid search (default) finds pages by meaning; lexical mode does not; hits say why", async () => {
  const f = await setup();
  try {
    for (const [p, text] of EXAMPLE_PAGES) await f.pages.write(p, text, {}, ALICE);
    const first = async (q: string, mode?: "lexical" | "meaning" | "hybrid") =>
      (await f.pages.search(q, { mode })).hits[0];
    assertEquals((await first("vehicle upkeep"))?.path, "Garage/Automobile Maintenance");
    assertEquals((await first("baking loaves"))?.path, "Kitchen/Sourdough");
    assertEquals(await first("vehicle upkeep", "lexical"), undefined);
    assertEquals((await first("vehicle upkeep", "meaning"))?.path, "Garage/Automobile Maintenance");
    assertEquals((await first("vehicle upkeep"))?.match, "meaning");
    const both = await first("car maintenance");
    assertEquals(both?.path, "Garage/Automobile Maintenance");
    assertEquals(both?.match, "both");
    assertEquals((await first("tyres", "lexical"))?.match, "terms");
    // The typo'd query: the static layer maps an unknown word to the known word one edit away.
    assertEquals((await first("authentcation"))?.path, "Security/Authentication");
  } finally {
    f.close();
  }
});

Deno.test("a write stores the page's static vector in the same commit, for its revision", async () => {
  const f = await setup();
  try {
    const r = await f.pages.write("Kitchen/Sourdough", "Feed the starter, bake bread.", {}, ALICE);
    const head = (await f.kv.get<PageHead>(K.page(f.wiki.id, "Kitchen/Sourdough"))).value!;
    const rec = (await f.kv.get<StoredVector>(K.pageVec(f.wiki.id, head.pageId, STATIC_MODEL))).value;
    assert(rec !== null, "vector stored");
    assertEquals(rec!.model, STATIC_MODEL);
    assertEquals(rec!.revision, r.revision);
    assertEquals(rec!.dims, 100);
    await f.pages.delete("Kitchen/Sourdough", {}, ALICE);
    assertEquals((await f.kv.get(K.pageVec(f.wiki.id, head.pageId, STATIC_MODEL))).value, null);
  } finally {
    f.close();
  }
});

Deno.test("another instance finds a page by meaning on its first search after the write, from stored vectors", async () => {
  const file = await Deno.makeTempFile({ suffix: ".kv" });
  const kvA = await Deno.openKv(file);
  const kvB = await Deno.openKv(file);
  try {
    const now = () => 1_800_000_000_000;
    const wikisA = createWikis({ kv: kvA, limits: DEFAULT_LIMITS, now }, FOREIGN_WIKI_DATA);
    const wikisB = createWikis({ kv: kvB, limits: DEFAULT_LIMITS, now }, FOREIGN_WIKI_DATA);
    const wiki = await wikisA.create({ slug: "shared", ownerDid: ALICE.id, seed: false }, ALICE);
    const a = wikisA.pages(wiki);
    const b = wikisB.pages(wiki);
    await a.write("Home", "Welcome to the notes.", {}, ALICE);
    assertEquals((await b.search("vehicle upkeep")).hits.length, 0); // B's catalog is built now
    await a.write("Garage/Automobile Maintenance", "Change the car oil, check the tyres.", {}, ALICE);
    assertEquals((await b.search("vehicle upkeep")).hits[0]?.path, "Garage/Automobile Maintenance");
    const catalogB = await freshCatalog(kvB, wiki.id);
    assertEquals(catalogB.vectors.pendingCount, 0, "B loaded the stored vector rather than embedding the page");
  } finally {
    kvA.close();
    kvB.close();
    await Deno.remove(file).catch(() => {});
  }
});

Deno.test("MEANING_LAYER off: no vectors stored, search by terms only (the cost benchmark's baseline)", async () => {
  const f = await setup();
  setMeaningLayer(false);
  try {
    await f.pages.write("Garage/Automobile Maintenance", "Change the car oil; check the tyres.\n", {}, ALICE);
    const head = (await f.kv.get<PageHead>(K.page(f.wiki.id, "Garage/Automobile Maintenance"))).value!;
    assertEquals((await f.kv.get(K.pageVec(f.wiki.id, head.pageId, STATIC_MODEL))).value, null);
    assertEquals((await f.pages.search("vehicle upkeep")).hits, []);
    assertEquals((await f.pages.search("tyres")).hits[0]?.path, "Garage/Automobile Maintenance");
    assertEquals(await f.pages.related("Garage/Automobile Maintenance"), []);
  } finally {
    setMeaningLayer(true);
    f.close();
  }
});

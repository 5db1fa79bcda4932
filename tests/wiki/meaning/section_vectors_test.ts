/**
 * Section vectors (issue 12 item 2): a long page's sections get their own static vectors, stored in the page's
 * `page_vec` record with the write; a query close in meaning to one section finds the page and names the section.
 */
import { serialize } from "node:v8";
import { assertEquals, assertOk as assert } from "../../assert.ts";
import { ALICE, setup } from "../store_helpers.ts";
import { K } from "../../../lib/wiki/keys.ts";
import { STATIC_MODEL } from "../../../lib/wiki/meaning/vector_index.ts";
import { type StoredVector } from "../../../lib/wiki/meaning/vector_store.ts";
import type { PageHead } from "../../../lib/wiki/records.ts";
import { forgetCatalog, freshCatalog } from "../../../lib/wiki/catalog.ts";
import { loadStaticEmbedder } from "../../../lib/wiki/meaning/static_embedder.ts";
import { MIN_SIMILARITY } from "../../../lib/wiki/meaning/hybrid.ts";
import { rebuildStaticVectors } from "../../../lib/wiki/meaning/rebuild.ts";
import { HANDBOOK } from "./section_helpers.ts";

/** Other pages of the wiki. */
const OTHERS: [string, string][] = [
  ["Kitchen/Sourdough", "Feed the starter the night before, then bake bread in a hot oven."],
  ["Home", "Welcome. This wiki holds notes about projects, meetings and plans."],
  ["Meetings/Weekly", "Agenda: budget review, hiring plan, office move."],
  ["Travel/Japan", "Itinerary for the spring trip: Tokyo, Kyoto, Osaka by train."],
  ["Garden/Roses", "Prune the roses in late winter and feed them compost in spring."],
  ["Finance/Taxes", "File the annual tax return before January; keep invoices for six years."],
  ["Hobbies/Chess", "Openings to study: the Sicilian defence and the Queen's gambit."],
  ["Health/Running", "Run three times a week; stretch before and after each run."],
  ["Travel/Road trip", "Drive the coast road in a rented van; fuel stops every two hundred miles."],
];

async function handbookWiki() {
  const f = await setup();
  for (const [p, text] of OTHERS) await f.pages.write(p, text, {}, ALICE);
  await f.pages.write("Handbook/Everything", HANDBOOK, {}, ALICE);
  return f;
}

async function storedRecord(f: Awaited<ReturnType<typeof setup>>, path: string): Promise<StoredVector | null> {
  const head = (await f.kv.get<PageHead>(K.page(f.wiki.id, path))).value!;
  return (await f.kv.get<StoredVector>(K.pageVec(f.wiki.id, head.pageId, STATIC_MODEL))).value;
}

Deno.test("a section about car upkeep finds its long page by meaning, naming the section; the page vector alone does not", async () => {
  const f = await handbookWiki();
  try {
    const hits = (await f.pages.search("vehicle upkeep", { mode: "meaning" })).hits;
    assertEquals(hits[0]?.path, "Handbook/Everything", JSON.stringify(hits));
    assertEquals(hits[0]?.section, "Fleet");
    assert(hits[0].snippet.includes("car oil"), `the snippet shows the section: ${hits[0].snippet}`);
    // The default (hybrid) ranking uses the same vector ranking.
    const hybrid = (await f.pages.search("vehicle upkeep")).hits;
    assertEquals(hybrid[0]?.path, "Handbook/Everything");
    assertEquals(hybrid[0]?.section, "Fleet");
    // Page vectors only: the handbook is not a match (or far down).
    const embedder = await loadStaticEmbedder();
    const catalog = await freshCatalog(f.kv, f.wiki.id);
    const pageOnly = catalog.vectors.search(embedder.embedQuery("vehicle upkeep"), 50, { sections: false });
    const rank = pageOnly.findIndex((h) => h.path === "Handbook/Everything");
    assert(rank === -1 || rank >= 3 || pageOnly[rank].score < MIN_SIMILARITY, `page-only rank ${rank}`);
    // A query about the page as a whole is not attributed to a section.
    const plants = (await f.pages.search("office handbook", { mode: "meaning" })).hits[0];
    assertEquals(plants?.path, "Handbook/Everything");
  } finally {
    f.close();
  }
});

Deno.test("section vectors are stored in the page's record; a page without headings has none; an edit drops them", async () => {
  const f = await handbookWiki();
  try {
    const rec = await storedRecord(f, "Handbook/Everything");
    assertEquals(rec?.sections?.paths, [
      "",
      "Holidays",
      "Expenses",
      "Coffee",
      "Fleet",
      "Fire safety",
      "Plants",
      "Music",
      "Security",
      "Library",
      "Birthdays",
    ]);
    assertEquals(rec!.sections!.q.length, 11 * 100);
    assertEquals((await storedRecord(f, "Home"))?.sections, null, "one section: none, but the record is current");
    // Edited to drop its headings: the record and the catalog lose the sections.
    const head = (await f.kv.get<PageHead>(K.page(f.wiki.id, "Handbook/Everything"))).value!;
    await f.pages.write("Handbook/Everything", HANDBOOK.replaceAll("## ", ""), { revision: head.revision }, ALICE);
    assertEquals((await storedRecord(f, "Handbook/Everything"))?.sections, null);
    const hit = (await f.pages.search("vehicle upkeep", { mode: "meaning" })).hits
      .find((h) => h.path === "Handbook/Everything");
    assertEquals(hit?.section, undefined);
    forgetCatalog(f.kv, f.wiki.id);
    const again = (await f.pages.search("vehicle upkeep", { mode: "meaning" })).hits
      .find((h) => h.path === "Handbook/Everything");
    assertEquals(again?.section, undefined);
  } finally {
    f.close();
  }
});

Deno.test("another instance (a rebuilt catalog) loads the section vectors from KV", async () => {
  const f = await handbookWiki();
  try {
    forgetCatalog(f.kv, f.wiki.id);
    const catalog = await freshCatalog(f.kv, f.wiki.id);
    assertEquals(catalog.vectors.pendingCount, 0);
    assertEquals(catalog.vectors.sectionCount("Handbook/Everything"), 11);
    const hit = (await f.pages.search("vehicle upkeep", { mode: "meaning" })).hits[0];
    assertEquals([hit?.path, hit?.section], ["Handbook/Everything", "Fleet"]);
    await f.pages.delete("Handbook/Everything", {}, ALICE);
    assertEquals(catalog.vectors.sectionCount("Handbook/Everything"), 0, "dropped with the page");
  } finally {
    f.close();
  }
});

Deno.test("rebuild stores section vectors for records written before them", async () => {
  const f = await handbookWiki();
  try {
    const head = (await f.kv.get<PageHead>(K.page(f.wiki.id, "Handbook/Everything"))).value!;
    const rec = (await storedRecord(f, "Handbook/Everything"))!;
    const { sections: _, ...old } = rec;
    await f.kv.set(K.pageVec(f.wiki.id, head.pageId, STATIC_MODEL), old);
    forgetCatalog(f.kv, f.wiki.id);
    assertEquals((await freshCatalog(f.kv, f.wiki.id)).vectors.sectionCount("Handbook/Everything"), 0);
    const report = await rebuildStaticVectors(f.kv, f.wiki.id);
    assertEquals(report.written, 1, JSON.stringify(report));
    assertEquals((await storedRecord(f, "Handbook/Everything"))?.sections?.paths.length, 11);
    assertEquals((await rebuildStaticVectors(f.kv, f.wiki.id)).written, 0, "current records are left alone");
    forgetCatalog(f.kv, f.wiki.id);
    assertEquals((await freshCatalog(f.kv, f.wiki.id)).vectors.sectionCount("Handbook/Everything"), 11);
  } finally {
    f.close();
  }
});

Deno.test("a page of 200 sections is written: its record holds the capped number, well under the value limit", async () => {
  const f = await setup();
  try {
    const long = "x".repeat(150);
    const body = Array.from({ length: 200 }, (_, i) => `## Topic ${i} ${long}\nNotes about gardening number ${i}.`)
      .join("\n\n");
    await f.pages.write("Big/Sections", body, {}, ALICE);
    const rec = await storedRecord(f, "Big/Sections");
    assertEquals(rec?.sections?.paths.length, 32);
    assertEquals(rec!.sections!.q.length, 32 * 100);
    assertEquals(rec!.sections!.paths[0], `Topic 0 ${long}`);
    const size = serialize(rec).length;
    assert(size < 20_000, `record of ${size} bytes`);
  } finally {
    f.close();
  }
});

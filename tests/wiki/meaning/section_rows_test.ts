/**
 * Section vectors as records and in memory (issue 12 item 2): the sections of a page, the cap, the round trip
 * through a KV record, malformed values ignored, and a commit without room for them storing the page vector alone.
 */
import { assertEquals, assertOk as assert } from "../../assert.ts";
import { loadStaticEmbedder } from "../../../lib/wiki/meaning/static_embedder.ts";
import {
  decodeSections,
  embedSections,
  MAX_SECTION_VECTORS,
  pageSections,
} from "../../../lib/wiki/meaning/section_vectors.ts";
import { encodeVector, type StoredVector, vectorKey } from "../../../lib/wiki/meaning/vector_store.ts";
import { STATIC_MODEL, VectorIndex } from "../../../lib/wiki/meaning/vector_index.ts";
import { addPageVectors, type EmbeddedChange } from "../../../lib/wiki/meaning/page_vectors.ts";
import { estimateKeySize, estimateSize, type PageHead } from "../../../lib/wiki/records.ts";
import { HANDBOOK } from "./section_helpers.ts";
import { decodeValue, encodeValue } from "../../../lib/kv/backup/codec.ts";

Deno.test("a page's sections: the text before the first heading, each heading's own text, repeats merged", () => {
  const body = "Intro words.\n# A\nalpha\n## B\nbeta\n# A\nmore alpha\n```\n# not a heading\n```\n";
  assertEquals(pageSections(body).map((s) => [s.path, s.text.trim()]), [
    ["", "Intro words."],
    ["A", "alpha\n\nmore alpha\n```\n# not a heading\n```"],
    ["A > B", "beta"],
  ]);
  assertEquals(pageSections("No headings at all.").map((s) => s.path), [""]);
});

Deno.test("section vectors: at least two sections, at most the cap; a KV record round trip; malformed ones ignored", async () => {
  const embedder = await loadStaticEmbedder();
  assertEquals(embedSections(embedder, "Home", "Just one paragraph about gardens."), null);
  assertEquals(embedSections(embedder, "Home", "## Only\nOne heading about gardens."), null);
  const many = Array.from({ length: 50 }, (_, i) => `## Part ${i}\nGardening notes number ${i}.`).join("\n");
  const capped = embedSections(embedder, "Many", many)!;
  assertEquals(capped.paths.length, MAX_SECTION_VECTORS);
  assertEquals(capped.paths.at(-1), `Part ${MAX_SECTION_VECTORS - 1}`, "the first ones in document order");

  const sections = embedSections(embedder, "Everything", HANDBOOK)!;
  const rec: StoredVector = { ...encodeVector(STATIC_MODEL, "r1", embedder.embedText(HANDBOOK)), sections };
  const kv = await Deno.openKv(":memory:");
  try {
    await kv.set(["t"], rec);
    const back = (await kv.get<StoredVector>(["t"])).value!;
    assertEquals(back.sections?.paths, sections.paths);
    // The service backup's codec keeps it as it is.
    assertEquals(decodeValue(JSON.parse(JSON.stringify(encodeValue(back)))), back);
    const rows = decodeSections(back.sections, back.dims)!;
    assertEquals(rows.paths.length, 11);
    // Each row's factor makes a dot product with a unit vector its cosine: a row against its own unit vector ~ 1.
    const fleet = rows.paths.indexOf("Fleet");
    const own = embedder.embedSection(
      "Everything",
      "Fleet",
      "Change the car oil every spring and check the tyres " +
        "before a long drive; rotate the wheels.",
    )!;
    let dot = 0;
    for (let d = 0; d < 100; d++) dot += own[d] * rows.q[fleet * 100 + d];
    assert(Math.abs(dot * rows.factors[fleet] - 1) < 0.01, `cosine ${dot * rows.factors[fleet]}`);
  } finally {
    kv.close();
  }
  const bad: unknown[] = [
    undefined,
    null,
    "x",
    { paths: ["a"], scales: [1], q: new Uint8Array(99) },
    { paths: ["a", 2], scales: [1, 1], q: new Uint8Array(200) },
    { paths: ["a"], scales: [-1], q: new Uint8Array(100) },
    { paths: ["a"], scales: [1], q: [1, 2, 3] },
    { paths: [], scales: [], q: new Uint8Array(0) },
    { paths: Array(40).fill("a"), scales: Array(40).fill(1), q: new Uint8Array(4000) },
  ];
  for (const b of bad) assertEquals(decodeSections(b, 100), null, JSON.stringify(b));
  // A record with malformed sections: the page keeps its page vector, without sections, and search works.
  const ix = new VectorIndex();
  const page = { title: "Everything", body: HANDBOOK, revision: "r1" };
  ix.upsert("H", page, [{ ...rec, sections: bad[3] as StoredVector["sections"] }]);
  assertEquals([ix.count(), ix.sectionCount("H"), ix.pendingCount], [1, 0, 0]);
  assertEquals(ix.search(embedder.embedQuery("vehicle upkeep"), 5)[0]?.section, undefined);
  ix.upsert("H", page, [rec]);
  assertEquals(ix.sectionCount("H"), 11);
  assertEquals(ix.search(embedder.embedQuery("vehicle upkeep"), 5)[0]?.section, "Fleet");
  ix.upsert("H", { ...page, revision: "r2" }, [rec]);
  assertEquals([ix.sectionCount("H"), ix.pendingCount], [0, 1], "a record of another revision is stale");
  await ix.ready();
  assertEquals(ix.sectionCount("H"), 11, "a pending page gets its sections when embedded");
  ix.remove("H");
  assertEquals(ix.sectionCount("H"), 0);
});

Deno.test("a commit without room for the sections stores the page vector alone; the room counts real sizes", async () => {
  const embedder = await loadStaticEmbedder();
  const head = { pageId: "p1", path: "Handbook/Everything", title: "Everything", revision: "r1", bodyStart: 0 };
  const change = (): EmbeddedChange => ({ before: null, after: head as PageHead, text: HANDBOOK });
  const sets: StoredVector[] = [];
  const op = {
    set: (_k: Deno.KvKey, v: StoredVector) => sets.push(v),
    delete: () => {},
  } as unknown as Deno.AtomicOperation;
  const full = [change()];
  assertEquals(addPageVectors(op, "w1", full, embedder, { mutations: 10, bytes: 100_000 }), 1);
  assertEquals(sets[0].sections?.paths.length, 11);
  assertEquals(full[0].record, sets[0]);
  const plain = encodeVector(embedder.model, "r1", full[0].vector!);
  const plainBytes = estimateKeySize(vectorKey("w1", "p1", embedder.model)) + estimateSize(plain);
  const tight = [change()];
  assertEquals(addPageVectors(op, "w1", tight, embedder, { mutations: 10, bytes: plainBytes + 100 }), 1);
  assertEquals(sets[1].sections, undefined, "stored without the field: the rebuild adds them");
  assert(tight[0].vector !== undefined);
  const none = [change()];
  assertEquals(addPageVectors(op, "w1", none, embedder, { mutations: 10, bytes: plainBytes - 1 }), 0);
  assertEquals([sets.length, none[0].vector], [2, undefined]);
});

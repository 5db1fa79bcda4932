/**
 * Search by meaning with the remote embedder (issue 12 item 4): with `EMBEDDINGS_URL` set, search_notes ranks the
 * pages that have a vector of the remote model by it (the fake model's vectors disagree with the static layer, so the
 * order shows which one ranked), the pages without one follow by their static vectors, vectors stored after a write
 * reach this process's catalog at once, and with the endpoint failing search falls back to the static vectors. With
 * it unset, neither page text nor queries are sent anywhere.
 */
import { assertEquals, assertOk, withHangGuard } from "../../assert.ts";
import { connect, setupMcp } from "../../mcp/helpers.ts";
import { embeddingsEndpoint } from "../../../lib/config.ts";
import { K } from "../../../lib/wiki/keys.ts";
import type { PageHead } from "../../../lib/wiki/records.ts";
import { startFakeEmbeddings } from "./fake_embeddings_server.ts";
import { ALICE, type World, world } from "./reembed_helpers.ts";
import type { WikiRecord } from "../../../lib/wiki/types.ts";

/** The pages. */
const PAGES: [string, string][] = [
  ["Garage/Automobile Maintenance", "Change the car oil every spring; check the tyres before a long drive.\n"],
  ["Kitchen/Sourdough", "Feed the starter the night before, then bake bread in a hot oven.\n"],
  ["Security/Authentication", "People sign in with their handle; the server checks it with their provider.\n"],
];

/**
 * The fake model's idea of meaning, against the static layer's: "vehicle upkeep" means sourdough. Each text gets one
 * axis: sourdough and the query "vehicle upkeep" share one, automobiles have another, everything else a third.
 */
function contrary(text: string, dims: number): number[] {
  const t = text.toLowerCase();
  const axis = t.includes("sourdough") || t.includes("vehicle upkeep") ? 1 : t.includes("automobile") ? 0 : 2;
  return Array.from({ length: dims }, (_, i) => (i === axis ? 1 : 0));
}

/** Stores a vector of the model `remote:m1` for the current revision of a page, as the background job would. */
async function putRemote(w: World, wiki: WikiRecord, path: string, vector: number[]): Promise<void> {
  const head = await w.kv.get<PageHead>(K.page(wiki.id, path));
  const item = { pageId: head.value!.pageId, path, revision: head.value!.revision };
  const n = await w.sink.put(
    wiki.id,
    [{ ...item, headVersionstamp: head.versionstamp!, vector: new Float32Array(vector) }],
    "remote:m1",
  );
  assertEquals(n, 1);
}

/** The first path of a search_notes text result. */
function firstPath(text: string): string | undefined {
  return /^1\. (.+?) \((?:score|similarity): /m.exec(text)?.[1];
}

Deno.test("remote search - search_notes ranks by the remote model; falls back to static vectors when it fails", async () => {
  const srv = startFakeEmbeddings(4, contrary);
  const f = await setupMcp("path", {
    embeddings: {
      endpoint: embeddingsEndpoint(srv.url),
      model: "contrary",
      key: null,
      dimensions: null,
      batchSize: 8,
      timeoutMs: 5_000,
    },
  });
  const c = await connect("v2", f.mcpUrl("alice"), f.rw, f.fetch);
  try {
    for (const [path, content] of PAGES) assertEquals((await c.call("write_note", { path, content })).isError, false);
    await withHangGuard(f.app.deps.embeddings!.queue.idle(), "the write queue");
    for (const mode of [undefined, "meaning", "hybrid"]) {
      const r = await c.call("search_notes", { query: "vehicle upkeep", ...(mode ? { mode } : {}) });
      assertEquals(firstPath(r.text), "Kitchen/Sourdough", `${mode}: ${r.text}`);
    }
    const meaning = await c.call("search_notes", { query: "vehicle upkeep", mode: "meaning" });
    assertOk(!meaning.text.includes("Garage/"), "a page with a remote vector is not ranked by its static one");
    assertOk(srv.requests.some((r) => r.inputs.includes("vehicle upkeep")), "the query was sent to the endpoint");

    // The endpoint fails (after retries): the static vectors answer, as without the remote embedder.
    srv.fallback = "500";
    const before = srv.requests.length;
    const down = await withHangGuard(c.call("search_notes", { query: "Vehicle upkeep" }), "search, endpoint down");
    assertEquals(firstPath(down.text), "Garage/Automobile Maintenance", down.text);
    assertOk(srv.requests.length > before, "the endpoint was asked");
    const meaningDown = await c.call("search_notes", { query: "Vehicle upkeep!", mode: "meaning" });
    assertEquals(firstPath(meaningDown.text), "Garage/Automobile Maintenance", meaningDown.text);
  } finally {
    await c.close();
    await f.close();
    await srv.close();
  }
});

Deno.test("remote search - EMBEDDINGS_URL unset: writes and searches send nothing anywhere", async () => {
  const srv = startFakeEmbeddings(4, contrary);
  const f = await setupMcp();
  const c = await connect("v2", f.mcpUrl("alice"), f.rw, f.fetch);
  try {
    assertEquals(f.app.deps.embeddings, null);
    for (const [path, content] of PAGES) assertEquals((await c.call("write_note", { path, content })).isError, false);
    const r = await c.call("search_notes", { query: "vehicle upkeep" });
    assertEquals(firstPath(r.text), "Garage/Automobile Maintenance", r.text);
    await new Promise((res) => setTimeout(res, 50)); // a deferred embed would have started by now
    assertEquals(srv.requests.length, 0);
  } finally {
    await c.close();
    await f.close();
    await srv.close();
  }
});

Deno.test("remote search - pages with a remote vector rank first by it, the others follow by their static vectors", async () => {
  let query: { model: string; vector: Float32Array } | null = null;
  const w = await world({ remoteQueryVector: () => Promise.resolve(query) });
  try {
    const wiki = await w.wikis.create({ slug: "mixed", ownerDid: ALICE.id, seed: false }, ALICE);
    const store = w.wikis.pages(wiki);
    for (const [path, content] of PAGES) await store.write(path, content, {}, ALICE);
    await store.write("Kitchen/Rye", "Rye bread baked in a tin; the dough rises overnight.\n", {}, ALICE);
    const paths = async (q: string) => (await store.search(q, { mode: "meaning" })).hits.map((h) => h.path);
    // Static only (no remote answer): the bread pages.
    const plain = await paths("baking loaves");
    assertEquals(plain.slice(0, 2).sort(), ["Kitchen/Rye", "Kitchen/Sourdough"], plain.join());

    // Remote vectors for two pages, stored after the catalog was built: the model says the garage is about baking.
    const put = (path: string, vector: number[]) => putRemote(w, wiki, path, vector);
    await put("Garage/Automobile Maintenance", [1, 0, 0, 0]);
    await put("Kitchen/Sourdough", [0, 1, 0, 0]);
    query = { model: "remote:m1", vector: new Float32Array([1, 0, 0, 0]) };
    const mixed = await paths("baking loaves");
    // The remote list first (the garage; sourdough is orthogonal and has a remote vector, so it is not refilled by
    // its static one), then the static hits of pages without a remote vector.
    assertEquals(mixed[0], "Garage/Automobile Maintenance", mixed.join());
    assertEquals(mixed[1], "Kitchen/Rye", mixed.join());
    assertOk(!mixed.includes("Kitchen/Sourdough"), mixed.join());
    // Another model's query vector, or none: the static layer ranks every page again.
    query = { model: "remote:other", vector: new Float32Array([1, 0, 0, 0]) };
    assertEquals((await paths("baking loaves")).slice(0, 2).sort(), ["Kitchen/Rye", "Kitchen/Sourdough"]);
  } finally {
    await w.close();
  }
});

Deno.test("remote search - find_related compares by the remote model where pages have its vector", async () => {
  for (const remoteModel of [undefined, "remote:m1"]) {
    const w = await world(remoteModel ? { remoteModel } : {});
    try {
      const wiki = await w.wikis.create({ slug: "related", ownerDid: ALICE.id, seed: false }, ALICE);
      const store = w.wikis.pages(wiki);
      for (const [path, content] of PAGES) await store.write(path, content, {}, ALICE);
      await store.write("Kitchen/Rye", "Rye bread baked in a tin; the dough rises overnight.\n", {}, ALICE);
      // The model says sourdough is about cars, and sign-in about nothing either is; rye has no remote vector.
      await putRemote(w, wiki, "Kitchen/Sourdough", [1, 0, 0, 0]);
      await putRemote(w, wiki, "Garage/Automobile Maintenance", [1, 0, 0, 0]);
      await putRemote(w, wiki, "Security/Authentication", [0, 1, 0, 0]);
      const related = (await store.related("Kitchen/Sourdough")).map((r) => r.path);
      if (remoteModel === undefined) {
        // Static vectors only (no remote embedder configured): the bread page is nearest.
        assertEquals(related[0], "Kitchen/Rye", related.join());
      } else {
        // The remote model's neighbour first, then the page without a remote vector by its static one; the page
        // whose remote vector is orthogonal is not refilled by its static vector.
        assertEquals(related.slice(0, 2), ["Garage/Automobile Maintenance", "Kitchen/Rye"], related.join());
        assertOk(!related.includes("Security/Authentication"), related.join());
      }
    } finally {
      await w.close();
    }
  }
});

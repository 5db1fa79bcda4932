/**
 * The word file loads lazily (issue 12 item 6): creating the app, serving a request and reading a page whose
 * vector is stored never read it; the first search by meaning does.
 */
import { assertEquals, assertOk } from "../../assert.ts";
import { appFixture } from "../../fixture/app.ts";
import { loadedStaticEmbedder } from "../../../lib/wiki/meaning/static_embedder.ts";

Deno.test("start-up and plain requests do not read the word file; the first search does", async () => {
  const f = await appFixture({ config: { seedDemo: false } });
  try {
    assertEquals(loadedStaticEmbedder(), null, "not loaded by createApp");
    const res = await f.app.fetch(new Request("http://localhost:8000/healthz"));
    await res.body?.cancel();
    assertEquals(res.status, 200);
    assertEquals(loadedStaticEmbedder(), null, "not loaded by a request");
    const wiki = await f.app.deps.wikis.create(
      { slug: "lazy", ownerDid: "local:tester", visibility: "public", seed: false },
      { id: "local:tester", name: "tester", client: "cli" },
    );
    await f.app.deps.wikis.pages(wiki).search("anything", { mode: "lexical" });
    assertEquals(loadedStaticEmbedder(), null, "not loaded by a lexical search");
    await f.app.deps.wikis.pages(wiki).search("anything");
    assertOk(loadedStaticEmbedder() !== null, "loaded by the first search by meaning");
  } finally {
    await f.close();
  }
});

/**
 * The remote embedder in the app (issue 12 item 4): with `EMBEDDINGS_URL` set, a page write is embedded by the
 * remote model after it returns, the background job brings every page up to date (one runner, stoppable) and the
 * operator's status shows done/total for the model; with it unset, no layer exists and no page text is sent
 * anywhere.
 */
import { assertEquals, assertOk, withHangGuard } from "../../assert.ts";
import { appFixture } from "../../fixture/app.ts";
import { type EmbeddingsConfig, embeddingsEndpoint, loadConfig } from "../../../lib/config.ts";
import { embeddingsStatus } from "../../../lib/wiki/meaning/reembed_status.ts";
import { startFakeEmbeddings } from "./fake_embeddings_server.ts";
import { storedModels } from "./reembed_helpers.ts";

const OWNER = { id: "did:plc:owner", name: "owner.test", client: "web" };

Deno.test("remote layer - configured: writes are embedded after they return; the job and the status follow", async () => {
  const srv = startFakeEmbeddings(8);
  const embeddings: EmbeddingsConfig = {
    endpoint: embeddingsEndpoint(srv.url),
    model: "local-embed",
    key: "k",
    dimensions: null,
    batchSize: 8,
    timeoutMs: 5_000,
  };
  const logs: string[] = [];
  const f = await appFixture({
    config: { embeddings },
    app: { embeddings: { log: (m) => logs.push(m) } },
    wikis: [{ slug: "notes", ownerDid: OWNER.id, seed: false, actor: OWNER }],
  });
  try {
    const layer = f.app.deps.embeddings!;
    assertEquals(layer.embedder.model, "remote:local-embed");
    const store = f.app.deps.wikis.pages(f.wikis.notes);
    await store.write("Garage/Car", "Oil and tyres.", {}, OWNER);
    await store.write("Kitchen/Bread", "Starter and loaves.", {}, OWNER);
    await withHangGuard(layer.queue.idle(), "the write queue");
    assertEquals((await storedModels(f.kv, f.wikis.notes.id)).size, 2);
    assertOk(srv.requests.every((r) => r.authorization === "Bearer k" && r.model === "local-embed"));

    assertEquals((await embeddingsStatus(f.kv, layer.embedder.model))[1], "re-embed job: no pass yet");
    const runner = layer.startJob({ idleMs: 60_000, retryMs: 60_000 });
    await withHangGuard(
      (async () => {
        while (runner.outcomes.length === 0) await new Promise((r) => setTimeout(r, 10));
      })(),
      "the first pass",
    );
    await runner.stop();
    assertEquals(runner.outcomes, ["finished"]);
    assertEquals(srv.inputs().length, 2, "the job found both pages current");
    const status = await embeddingsStatus(f.kv, layer.embedder.model, { countVectors: true });
    assertOk(status[1].startsWith("remote:local-embed: 2/2 pages (100%), pass 1 idle"), status.join("\n"));
    assertOk(status.includes("vectors of remote:local-embed: 2"), status.join("\n"));
    const other = await embeddingsStatus(f.kv, "remote:other-model");
    assertOk(other.some((l) => l.includes("the next pass re-embeds every page with remote:other-model")));
    assertOk(logs.some((l) => l.includes("pass 1 for remote:local-embed finished")), logs.join("\n"));
  } finally {
    await f.close();
    await srv.close();
  }
});

Deno.test("remote layer - EMBEDDINGS_URL unset: no layer, no page text sent anywhere", async () => {
  const srv = startFakeEmbeddings(8);
  const f = await appFixture({ wikis: [{ slug: "notes", ownerDid: OWNER.id, seed: false, actor: OWNER }] });
  try {
    assertEquals(loadConfig((n) => ({ KV_PATH: ":memory:" } as Record<string, string>)[n]).embeddings, null);
    assertEquals(f.config.embeddings, null);
    assertEquals(f.app.deps.embeddings, null);
    const store = f.app.deps.wikis.pages(f.wikis.notes);
    await store.write("Secret/Plans", "Nothing here may leave the service.", {}, OWNER);
    await new Promise((r) => setTimeout(r, 50)); // a deferred embed would have started by now
    assertEquals(srv.requests.length, 0);
    const left: unknown[] = [];
    for await (const e of f.kv.list<{ model: string }>({ prefix: ["page_vec"] })) {
      if (!e.value.model.startsWith("static:")) left.push(e.key);
    }
    assertEquals(left, []);
    assertEquals((await embeddingsStatus(f.kv, null))[0].includes("not configured"), true);
  } finally {
    await f.close();
    await srv.close();
  }
});

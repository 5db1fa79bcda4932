/**
 * Query vectors of the remote model (issue 12 item 4): a search gets the query's vector from the endpoint (cached
 * for repeats), or null at once when the endpoint is down, slow (a short timeout per query, counted towards the
 * breaker) or its breaker open, so that search by meaning falls back to the static layer without waiting.
 */
import { assertEquals, assertOk, withHangGuard } from "../../assert.ts";
import { embeddingsEndpoint } from "../../../lib/config.ts";
import { RemoteEmbedder, unit } from "../../../lib/wiki/meaning/remote_embedder.ts";
import { RemoteQueries } from "../../../lib/wiki/meaning/remote_query.ts";
import { fakeVector, startFakeEmbeddings } from "./fake_embeddings_server.ts";

function embedder(url: string) {
  const cfg = { endpoint: embeddingsEndpoint(url), model: "q", key: null, dimensions: null, batchSize: 8 };
  return new RemoteEmbedder({ ...cfg, timeoutMs: 5_000 }, {
    maxAttempts: 1,
    breaker: { failureThreshold: 2, cooldownMs: 60_000 },
    log: () => {},
  });
}

Deno.test("remote queries - the query's vector of the remote model, cached for repeats", async () => {
  const srv = startFakeEmbeddings(8);
  try {
    const q = new RemoteQueries(embedder(srv.url), { cacheSize: 2 });
    const a = await q.vector("  how do we log people in ");
    assertEquals(a?.model, "remote:q");
    const want = unit(fakeVector("how do we log people in", 8));
    assertOk(a!.vector.every((x, i) => Math.abs(x - want[i]) < 1e-6));
    await q.vector("how do we log people in");
    assertEquals(srv.requests.length, 1, "a repeated query is answered from the cache");
    await q.vector("second");
    await q.vector("third"); // the cache holds two: the first query is forgotten
    await q.vector("how do we log people in");
    assertEquals(srv.requests.length, 4);
    assertEquals(await q.vector("   "), null);
    assertEquals(srv.requests.length, 4, "an empty query is not sent");
  } finally {
    await srv.close();
  }
});

Deno.test("remote queries - down or slow endpoint: null (static fallback) and, after two, no more waiting", async () => {
  const srv = startFakeEmbeddings(8);
  try {
    const q = new RemoteQueries(embedder(srv.url), { timeoutMs: 100 });
    srv.fallback = "hang";
    assertEquals(await withHangGuard(q.vector("slow one"), "a slow query", 5_000), null);
    srv.fallback = "500";
    assertEquals(await q.vector("failing one"), null);
    const n = srv.requests.length;
    assertEquals(await q.vector("while open"), null);
    assertEquals(srv.requests.length, n, "the breaker opened: no request, no wait");
  } finally {
    await srv.close();
  }
});

/**
 * The remote embedder's deferred write path (issue 12 item 4): after a write commits, the page store hands the live
 * paths to the queue (`StoreDeps.afterCommit`), which embeds them with the remote model in the background. A write
 * never waits for the endpoint and never fails because of it: with the endpoint hanging or down the write returns
 * at once, the queue drops the pages, and the re-embed job picks them up from the change feed.
 */
import { assertEquals, assertOk, withHangGuard } from "../../assert.ts";
import { createRemoteWriteQueue, type RemoteWriteQueue } from "../../../lib/wiki/meaning/remote_write_queue.ts";
import { runReembedPass } from "../../../lib/wiki/meaning/reembed_job.ts";
import { readReembedState } from "../../../lib/wiki/meaning/reembed_state.ts";
import { RemoteEmbedder } from "../../../lib/wiki/meaning/remote_embedder.ts";
import { embeddingsEndpoint } from "../../../lib/config.ts";
import { ALICE, storedModels, world } from "./reembed_helpers.ts";

/** A world whose page stores feed a queue over `embedder()` of that world. */
async function queued(timeoutMs?: number) {
  let queue: RemoteWriteQueue | null = null;
  const w = await world({ afterCommit: (id, paths) => queue!.enqueue(id, paths) });
  const e = timeoutMs === undefined ? w.embedder() : new RemoteEmbedder({
    endpoint: embeddingsEndpoint(w.srv.url),
    model: "m1",
    key: null,
    dimensions: null,
    batchSize: 16,
    timeoutMs,
  }, { maxAttempts: 1, log: () => {} });
  queue = createRemoteWriteQueue({ kv: w.kv, embedder: e, sink: w.sink, log: (m) => w.logs.push(m) });
  return { w, e, queue: () => queue! };
}

Deno.test("write queue - a committed write is embedded with the remote model in the background", async () => {
  const { w, queue } = await queued();
  try {
    const a = await w.wiki("alpha", 3);
    await withHangGuard(queue().idle(), "the queue to drain");
    assertEquals([...(await storedModels(w.kv, a.id)).values()], Array(3).fill("remote:m1"));
    const store = w.wikis.pages(a);
    const rev = (await store.read("P/01")).revision;
    await store.write("P/01", "now about sailing", { revision: rev }, ALICE);
    await store.delete("P/02", {}, ALICE);
    await withHangGuard(queue().idle(), "the queue to drain");
    const sent = w.srv.inputs();
    assertEquals(sent.length, 4, "three creations and one update; the deletion sends nothing");
    assertOk(sent[3].includes("now about sailing"));
    const pageId = (await store.read("P/01")).pageId;
    assertEquals(await w.sink.current(a.id, [{ pageId, revision: (await store.read("P/01")).revision }], "remote:m1"), [
      true,
    ]);
    assertEquals(queue().dropped, 0);
  } finally {
    await w.close();
  }
});

Deno.test("write queue - an endpoint that hangs never slows the write; the job embeds what was dropped", async () => {
  const { w, queue } = await queued(300);
  try {
    w.srv.fallback = "hang";
    const t0 = performance.now();
    const a = await w.wiki("alpha", 4);
    const writeMs = performance.now() - t0;
    assertOk(writeMs < 5_000, `hang guard: four writes took ${writeMs} ms`);
    assertEquals((await w.wikis.pages(a).list()).length, 4, "the writes succeeded");
    await withHangGuard(queue().idle(), "the queue to give up");
    assertOk(queue().dropped >= 1, "the pages the endpoint did not answer for were dropped");
    assertOk((await storedModels(w.kv, a.id)).size < 4);
    w.srv.fallback = "ok";
    assertEquals(await runReembedPass(w.job(w.embedder())), "finished");
    assertEquals((await storedModels(w.kv, a.id)).size, 4, "nothing lost: the job embedded the rest");
    assertEquals((await readReembedState(w.kv))!.done, 4);
  } finally {
    await w.close();
  }
});

Deno.test("write queue - a full queue drops pages (counted) instead of growing", async () => {
  const w = await world();
  try {
    const q = createRemoteWriteQueue({ kv: w.kv, embedder: w.embedder(), sink: w.sink, maxQueued: 3 });
    q.enqueue("w_missing0000000000000", ["a", "b", "c", "d", "e"]);
    assertEquals(q.dropped, 2);
    await withHangGuard(q.idle(), "the queue to drain");
    assertEquals(w.srv.requests.length, 0, "no page there: nothing sent");
  } finally {
    await w.close();
  }
});

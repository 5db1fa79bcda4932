/**
 * Shared setup of the re-embed tests: an in-memory KV with wikis and pages, a fake embeddings server
 * (fake_embeddings_server.ts), a remote embedder pointed at it, and readers of what got stored.
 */
import { DEFAULT_LIMITS, type EmbeddingsConfig, embeddingsEndpoint } from "../../../lib/config.ts";
import { createWikis, type Wikis } from "../../../lib/wiki/wikis.ts";
import type { StoreDeps } from "../../../lib/wiki/store.ts";
import type { WikiRecord } from "../../../lib/wiki/types.ts";
import { FOREIGN_WIKI_DATA } from "../../../lib/platform/wiki_lifecycle.ts";
import { RemoteEmbedder } from "../../../lib/wiki/meaning/remote_embedder.ts";
import type { RemoteVectorSink } from "../../../lib/wiki/meaning/remote_store.ts";
import { pageVecSink, remoteModelsOf } from "../../../lib/wiki/meaning/page_vec_sink.ts";
import type { ReembedDeps } from "../../../lib/wiki/meaning/reembed_job.ts";
import { type FakeEmbeddings, startFakeEmbeddings } from "./fake_embeddings_server.ts";

/** The actor of test writes. */
export const ALICE = { id: "did:plc:alice", name: "alice.test", client: "web" };

/** A test world: KV, wikis, the fake server, a clock. */
export interface World {
  kv: Deno.Kv;
  deps: StoreDeps;
  wikis: Wikis;
  srv: FakeEmbeddings;
  sink: RemoteVectorSink;
  clock: { t: number };
  logs: string[];
  /** An embedder of `model` on the fake server (no backoff waits; 1 attempt unless given). */
  embedder(model?: string, attempts?: number): RemoteEmbedder;
  /** Job dependencies for `holder`. */
  job(embedder: RemoteEmbedder, holder?: string): ReembedDeps;
  /** Creates wiki `slug` with `n` pages `P/00`..; returns it. */
  wiki(slug: string, n: number): Promise<WikiRecord>;
  close(): Promise<void>;
}

/** Builds a world; `extra` joins the store's dependencies (e.g. `afterCommit`). */
export async function world(extra: Partial<StoreDeps> = {}): Promise<World> {
  const kv = await Deno.openKv(":memory:");
  const clock = { t: 1_800_000_000_000 };
  const deps: StoreDeps = { kv, limits: DEFAULT_LIMITS, now: () => clock.t, ...extra };
  const wikis = createWikis(deps, FOREIGN_WIKI_DATA);
  const srv = startFakeEmbeddings(8);
  const logs: string[] = [];
  const cfg = (model: string): EmbeddingsConfig => ({
    endpoint: embeddingsEndpoint(srv.url),
    model,
    key: null,
    dimensions: null,
    batchSize: 16,
    timeoutMs: 5_000,
  });
  return {
    kv,
    deps,
    wikis,
    srv,
    sink: pageVecSink(kv),
    clock,
    logs,
    embedder: (model = "m1", attempts = 1) =>
      new RemoteEmbedder(cfg(model), {
        maxAttempts: attempts,
        sleep: () => Promise.resolve(),
        log: (m) => logs.push(m),
        breaker: { now: () => clock.t },
      }),
    job: (embedder, holder = "runner-1") => ({
      kv,
      embedder,
      sink: pageVecSink(kv),
      holder,
      batchSize: 3,
      leaseMs: 60_000,
      now: () => clock.t,
      log: (m) => logs.push(m),
    }),
    async wiki(slug, n) {
      const w = await wikis.create({ slug, ownerDid: ALICE.id, seed: false }, ALICE);
      const store = wikis.pages(w);
      for (let i = 0; i < n; i++) {
        await store.write(`P/${String(i).padStart(2, "0")}`, `Page ${i} of ${slug} about topic ${i % 3}.`, {}, ALICE);
      }
      return w;
    },
    async close() {
      await srv.close();
      kv.close();
    },
  };
}

/** The remote vector records of a wiki (`page_vec` records of `remote:` models): page id -> model. */
export function storedModels(kv: Deno.Kv, wikiId: string): Promise<Map<string, string>> {
  return remoteModelsOf(kv, wikiId);
}

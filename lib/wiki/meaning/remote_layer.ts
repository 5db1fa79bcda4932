/**
 * @module
 * The remote embedder assembled for the app (issue 12 item 4), or null when `EMBEDDINGS_URL` is unset (then nothing
 * here exists, and no page text ever leaves the service). `createApp` (main.ts) builds it and hands
 * {@link RemoteLayer.afterCommit} to the page stores (`StoreDeps.afterCommit`); the entry point starts the
 * background job with {@link RemoteLayer.startJob}. Search by meaning asks {@link RemoteLayer.queries} for the
 * query's vector (null: rank with the static layer) and compares it with the pages' vectors of the same model
 * ({@link RemoteLayer.sink}); a page without a current remote vector is ranked by its static one.
 */
import type { EmbeddingsConfig } from "../../config.ts";
import type { WikiId } from "../../kv/keys.ts";
import { RemoteEmbedder, type RemoteEmbedderOptions } from "./remote_embedder.ts";
import type { RemoteVectorSink } from "./remote_store.ts";
import { pageVecSink } from "./page_vec_sink.ts";
import { createRemoteWriteQueue, type RemoteWriteQueue } from "./remote_write_queue.ts";
import { type ReembedRunner, type RunnerTiming, startReembedJob } from "./reembed_runner.ts";
import { RemoteQueries, type RemoteQueryOptions } from "./remote_query.ts";

/** The remote embedder with its vector store, its deferred write path and its background job. */
export interface RemoteLayer {
  embedder: RemoteEmbedder;
  /** Query vectors for search by meaning (null answers: rank with the static layer). */
  queries: RemoteQueries;
  /** Where the remote vectors live (default: `page_vec` records of the `remote:` model, lib/wiki/meaning/page_vec_sink.ts). */
  sink: RemoteVectorSink;
  /** The deferred write path. */
  queue: RemoteWriteQueue;
  /** For `StoreDeps.afterCommit`: queues the live pages of a committed write. */
  afterCommit(wikiId: WikiId, livePaths: string[]): void;
  /** Starts the re-embed job on this process (it waits while another instance holds the lease). */
  startJob(timing?: RunnerTiming): ReembedRunner;
}

/** Test seams and alternatives of {@link createRemoteLayer}. */
export interface RemoteLayerOptions extends RemoteEmbedderOptions {
  /** Another home for the vectors (e.g. the meaning layer's shared vector store). */
  sink?: RemoteVectorSink;
  /** Log lines (default console). */
  log?: (msg: string) => void;
  /** Query settings (timeout per search, cache). */
  query?: RemoteQueryOptions;
}

/** The layer for `cfg`, or null when no endpoint is configured. */
export function createRemoteLayer(
  kv: Deno.Kv,
  cfg: EmbeddingsConfig | null,
  opts: RemoteLayerOptions = {},
): RemoteLayer | null {
  if (cfg === null) return null;
  const embedder = new RemoteEmbedder(cfg, opts);
  const sink = opts.sink ?? pageVecSink(kv);
  const queue = createRemoteWriteQueue({ kv, embedder, sink, batchSize: cfg.batchSize, log: opts.log });
  const holder = `runner-${crypto.randomUUID()}`; // one per process: the lease names who works
  return {
    embedder,
    queries: new RemoteQueries(embedder, opts.query),
    sink,
    queue,
    afterCommit: (wikiId, paths) => queue.enqueue(wikiId, paths),
    startJob: (timing) =>
      startReembedJob({ kv, embedder, sink, holder, batchSize: cfg.batchSize, log: opts.log }, timing),
  };
}

/**
 * @module
 * New writes embedded with the remote model, deferred: after a write commits, the page store hands the changed
 * pages to {@link RemoteWriteQueue.enqueue} (O(1), never awaited by the write, never throwing into it), and one
 * worker per process embeds them in batches and stores the vectors (each only while its page is unchanged,
 * lib/wiki/meaning/remote_store.ts). Nothing is lost when the queue cannot keep up or the endpoint is down: what it
 * drops (queue full, embedder unavailable, process exit) still lacks a current vector, and the re-embed job
 * (lib/wiki/meaning/reembed_job.ts) finds it from the change feed on its next pass. Until then search uses the
 * page's static vector.
 */
import type { WikiId } from "../../kv/keys.ts";
import { type Embedder, EmbedderUnavailableError } from "./embedder.ts";
import type { RemoteVectorSink } from "./remote_store.ts";
import { pagesAt } from "./page_source.ts";

/** Pages waiting at most; more are dropped (the job embeds them). */
export const MAX_QUEUED = 2_000;

/** The deferred write path of the remote embedder. */
export interface RemoteWriteQueue {
  /** Queues the live pages of a committed write (paths of the wiki `wikiId`); returns at once. */
  enqueue(wikiId: WikiId, paths: readonly string[]): void;
  /** Resolves once the queue is empty and no batch is in flight (tests, shutdown). */
  idle(): Promise<void>;
  /** Pages dropped so far (queue full or embedder unavailable): the job picks them up. */
  readonly dropped: number;
}

/** What the queue needs. */
export interface WriteQueueDeps {
  kv: Deno.Kv;
  embedder: Embedder;
  sink: RemoteVectorSink;
  /** Pages per request (default 32). */
  batchSize?: number;
  maxQueued?: number;
  log?: (msg: string) => void;
}

/** Creates the queue and its worker (which runs only while there is work). */
export function createRemoteWriteQueue(deps: WriteQueueDeps): RemoteWriteQueue {
  const queue: { wikiId: WikiId; path: string }[] = [];
  const size = deps.batchSize ?? 32;
  const max = deps.maxQueued ?? MAX_QUEUED;
  const log = deps.log ?? ((m: string) => console.warn(m));
  let dropped = 0;
  let running: Promise<void> | null = null;

  const work = async () => {
    while (queue.length > 0) {
      const wikiId = queue[0].wikiId;
      const batch: string[] = [];
      for (let i = 0; i < queue.length && batch.length < size;) {
        if (queue[i].wikiId === wikiId) batch.push(queue.splice(i, 1)[0].path);
        else i++;
      }
      try {
        const pages = await pagesAt(deps.kv, wikiId, [...new Set(batch)]);
        if (pages.length === 0) continue;
        const vectors = await deps.embedder.embed(pages.map((p) => p.text));
        await deps.sink.put(wikiId, pages.map((p, i) => ({ ...p, vector: vectors[i] })), deps.embedder.model);
      } catch (err) {
        dropped += batch.length;
        if (!(err instanceof EmbedderUnavailableError)) {
          log(`embeddings: write queue: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    }
  };
  const kick = () => {
    running ??= work().finally(() => {
      running = null;
      if (queue.length > 0) kick();
    });
  };
  return {
    enqueue(wikiId, paths) {
      for (const path of paths) {
        if (queue.length >= max) {
          dropped++;
          continue;
        }
        queue.push({ wikiId, path });
      }
      if (queue.length > 0) kick();
    },
    async idle() {
      while (running !== null) await running;
    },
    get dropped() {
      return dropped;
    },
  };
}

/**
 * @module
 * Query vectors of the remote model for search by meaning (issue 12 item 4). A search cannot wait as long as the
 * background job: each query gets a short timeout of its own (a query that runs out counts as a failure of the
 * endpoint, so a slow endpoint opens the breaker like a failing one), recent queries are cached (agents repeat
 * them), and any failure answers null: the caller then ranks with the static layer. The query text is sent to
 * the endpoint (README: "page text leaves the service").
 */
import { EmbedderUnavailableError } from "./embedder.ts";
import type { RemoteEmbedder } from "./remote_embedder.ts";

/** A query's vector and the model that made it (compare it only with page vectors of that model). */
export interface QueryVector {
  model: string;
  vector: Float32Array;
}

/** Settings of {@link RemoteQueries}. */
export interface RemoteQueryOptions {
  /** Time a search waits for the query's vector, in ms (default 3,000). */
  timeoutMs?: number;
  /** Queries remembered (default 256). */
  cacheSize?: number;
  /** Longest query sent, in characters (default 2,000); longer ones are cut. */
  maxQueryChars?: number;
}

/** Query vectors from the remote embedder, with a timeout per query and a small cache. */
export class RemoteQueries {
  readonly #embedder: RemoteEmbedder;
  readonly #timeout: number;
  readonly #size: number;
  readonly #maxChars: number;
  readonly #cache = new Map<string, Float32Array>();

  /** Queries over `embedder`. */
  constructor(embedder: RemoteEmbedder, opts: RemoteQueryOptions = {}) {
    this.#embedder = embedder;
    this.#timeout = opts.timeoutMs ?? 3_000;
    this.#size = Math.max(1, opts.cacheSize ?? 256);
    this.#maxChars = opts.maxQueryChars ?? 2_000;
  }

  /** The query's vector of the remote model, or null when the static layer must answer (down, slow, open breaker). */
  async vector(query: string): Promise<QueryVector | null> {
    const text = query.trim().slice(0, this.#maxChars);
    if (text === "") return null;
    const model = this.#embedder.model;
    const key = `${model}\n${text}`;
    const hit = this.#cache.get(key);
    if (hit) {
      this.#cache.delete(key); // most recently used last
      this.#cache.set(key, hit);
      return { model, vector: hit };
    }
    const signal = AbortSignal.timeout(this.#timeout);
    try {
      const [vector] = await this.#embedder.embed([text], signal);
      this.#cache.set(key, vector);
      if (this.#cache.size > this.#size) this.#cache.delete(this.#cache.keys().next().value!);
      return { model, vector };
    } catch (err) {
      if (!(err instanceof EmbedderUnavailableError)) throw err;
      if (signal.aborted) this.#embedder.reportSlow();
      return null;
    }
  }
}

/**
 * @module
 * The optional real embedder (issue 12 item 4): an `Embedder` over an OpenAI-compatible `/v1/embeddings` endpoint
 * the operator configured (`EMBEDDINGS_URL`, lib/config.ts). Texts are capped per input and sent in batches (at
 * most `batchSize` texts and `maxRequestChars` characters per request); each request has a timeout and a bounded
 * reply (lib/wiki/meaning/remote_http.ts); 429, 5xx, network errors and timeouts are retried a bounded number of
 * times with jittered exponential backoff (honouring `Retry-After` up to the cap); after repeated failures a circuit
 * breaker (lib/wiki/meaning/circuit_breaker.ts) makes calls fail at once with `EmbedderUnavailableError`, so callers
 * fall back to the static layer without waiting. Vectors come back normalised to unit length.
 */
import type { EmbeddingsConfig } from "../../config.ts";
import { type Embedder, EmbedderUnavailableError } from "./embedder.ts";
import { type BreakerOptions, CircuitBreaker } from "./circuit_breaker.ts";
import { MAX_REPLY_BYTES_PER_INPUT, postEmbeddings, RemoteCallError } from "./remote_http.ts";

/** Tuning of a {@link RemoteEmbedder}; the defaults suit a hosted API and a local model server alike. */
export interface RemoteEmbedderOptions {
  /** The fetch to use (tests: the same plain fetch; never the SSRF-safe one, the URL may be private). */
  fetch?: typeof fetch;
  /** Attempts per request, first included (default 3). */
  maxAttempts?: number;
  /** First backoff, in ms (default 250); doubles per attempt, jittered. */
  backoffMs?: number;
  /** Longest backoff, `Retry-After` included, in ms (default 5,000). */
  maxBackoffMs?: number;
  /** Characters of one text sent at most (default 8,000, about 2,000 tokens); the rest is cut. */
  maxInputChars?: number;
  /** Characters of all texts of one request at most (default 200,000). */
  maxRequestChars?: number;
  /** Largest reply per input, in bytes (default {@link MAX_REPLY_BYTES_PER_INPUT}). */
  maxReplyBytesPerInput?: number;
  /** The circuit breaker's settings. */
  breaker?: BreakerOptions;
  /** Sleep (tests: instant). */
  sleep?: (ms: number) => Promise<void>;
  /** Where failures are logged (default console.warn). */
  log?: (msg: string) => void;
}

/** The model id of a remote model: `remote:<name>`, plus `@<dims>` when the dimensions are configured. */
export function remoteModelId(cfg: Pick<EmbeddingsConfig, "model" | "dimensions">): string {
  return `remote:${cfg.model}${cfg.dimensions === null ? "" : `@${cfg.dimensions}`}`;
}

/** The remote embedder of a configuration, or null when none is configured (no text ever leaves the service). */
export function remoteEmbedderOf(
  cfg: EmbeddingsConfig | null,
  opts: RemoteEmbedderOptions = {},
): RemoteEmbedder | null {
  return cfg === null ? null : new RemoteEmbedder(cfg, opts);
}

/** An {@link Embedder} over an OpenAI-compatible embeddings endpoint. */
export class RemoteEmbedder implements Embedder {
  /** `remote:<model>` (see {@link remoteModelId}). */
  readonly model: string;
  readonly #cfg: EmbeddingsConfig;
  readonly #breaker: CircuitBreaker;
  readonly #fetch: typeof fetch;
  readonly #attempts: number;
  readonly #backoff: number;
  readonly #maxBackoff: number;
  readonly #maxInput: number;
  readonly #maxRequest: number;
  readonly #replyPerInput: number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #log: (msg: string) => void;
  #dims: number;

  /** An embedder for `cfg`. */
  constructor(cfg: EmbeddingsConfig, opts: RemoteEmbedderOptions = {}) {
    this.#cfg = cfg;
    this.model = remoteModelId(cfg);
    this.#dims = cfg.dimensions ?? 0;
    this.#breaker = new CircuitBreaker(opts.breaker);
    this.#fetch = opts.fetch ?? fetch;
    this.#attempts = Math.max(1, opts.maxAttempts ?? 3);
    this.#backoff = opts.backoffMs ?? 250;
    this.#maxBackoff = opts.maxBackoffMs ?? 5_000;
    this.#maxInput = opts.maxInputChars ?? 8_000;
    this.#maxRequest = Math.max(this.#maxInput, opts.maxRequestChars ?? 200_000);
    this.#replyPerInput = opts.maxReplyBytesPerInput ?? MAX_REPLY_BYTES_PER_INPUT;
    this.#sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.#log = opts.log ?? ((m) => console.warn(m));
  }

  /**
   * Length of the vectors: `EMBEDDINGS_DIMENSIONS`, or learnt from the first reply (0 until then). Every later
   * reply must have it.
   */
  get dims(): number {
    return this.#dims;
  }

  /** The breaker's state, for status lines and tests. */
  get breakerState(): CircuitBreaker["state"] {
    return this.#breaker.state;
  }

  /** True when a call would go out now (the breaker is closed, or its cool-down has passed). */
  get available(): boolean {
    return this.#breaker.wouldAllow();
  }

  /**
   * Counts a call its caller gave up on (a search that could not wait) as a failure of the endpoint, so that a slow
   * endpoint opens the breaker as a failing one does.
   */
  reportSlow(): void {
    this.#breaker.failure();
  }

  /** Embeds `texts` in batches; rejects with `EmbedderUnavailableError` (at once while the breaker is open). */
  async embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (
      const batch of batchesOf(texts.map((t) => capText(t, this.#maxInput)), this.#cfg.batchSize, this.#maxRequest)
    ) {
      if (!this.#breaker.allow()) {
        const at = this.#breaker.retryAt;
        throw new EmbedderUnavailableError(
          this.model,
          `circuit open${at ? ` until ${new Date(at).toISOString()}` : ""}`,
        );
      }
      let vectors: number[][];
      try {
        vectors = await this.#request(batch, signal);
      } catch (err) {
        if (signal?.aborted) {
          this.#breaker.release();
          throw new EmbedderUnavailableError(this.model, "the caller gave up");
        }
        this.#breaker.failure();
        const why = err instanceof Error ? err.message : String(err);
        this.#log(`embeddings: ${this.model} failed (${why}); breaker ${this.#breaker.state}`);
        throw new EmbedderUnavailableError(this.model, why);
      }
      this.#breaker.success();
      if (this.#dims === 0) this.#dims = vectors[0].length;
      for (const v of vectors) out.push(unit(v));
    }
    return out;
  }

  /** One batch, retried on retryable failures with backoff; throws the last failure. */
  async #request(inputs: string[], signal?: AbortSignal): Promise<number[][]> {
    for (let attempt = 1;; attempt++) {
      try {
        return await postEmbeddings({
          endpoint: this.#cfg.endpoint,
          model: this.#cfg.model,
          key: this.#cfg.key,
          dimensions: this.#cfg.dimensions,
          expectDims: this.#dims === 0 ? null : this.#dims,
          inputs,
          timeoutMs: this.#cfg.timeoutMs,
          maxReplyBytes: inputs.length * this.#replyPerInput + 4096,
          signal,
          fetch: this.#fetch,
        });
      } catch (err) {
        const retry = err instanceof RemoteCallError && err.retryable && attempt < this.#attempts && !signal?.aborted;
        if (!retry) throw err;
        const exp = Math.min(this.#maxBackoff, this.#backoff * 2 ** (attempt - 1));
        const wait = Math.min(this.#maxBackoff, Math.max(err.retryAfterMs ?? 0, exp * (0.5 + Math.random() / 2)));
        await this.#sleep(wait);
      }
    }
  }
}

/** `text` cut to `max` characters (not inside a surrogate pair); an empty text becomes one space (APIs refuse ""). */
export function capText(text: string, max: number): string {
  if (text.length <= max) return text === "" ? " " : text;
  const end = /[\uD800-\uDBFF]/.test(text[max - 1]) ? max - 1 : max;
  return text.slice(0, end);
}

/** Consecutive batches of at most `size` texts and `maxChars` characters (a batch holds at least one text). */
export function batchesOf(texts: readonly string[], size: number, maxChars: number): string[][] {
  const out: string[][] = [];
  let cur: string[] = [];
  let chars = 0;
  for (const t of texts) {
    if (cur.length > 0 && (cur.length >= size || chars + t.length > maxChars)) {
      out.push(cur);
      cur = [];
      chars = 0;
    }
    cur.push(t);
    chars += t.length;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/** `v` scaled to unit length (a zero vector stays zero). */
export function unit(v: readonly number[]): Float32Array {
  let sum = 0;
  for (const x of v) sum += x * x;
  const norm = Math.sqrt(sum);
  const out = new Float32Array(v.length);
  if (norm === 0) return out;
  for (let i = 0; i < v.length; i++) out[i] = v[i] / norm;
  return out;
}

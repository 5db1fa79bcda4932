/**
 * @module
 * One request to an OpenAI-compatible embeddings endpoint (`POST …/v1/embeddings`), with its own guards: the
 * endpoint is the operator's (`EMBEDDINGS_URL`, trusted, possibly loopback or private), so it is fetched with a
 * plain `fetch`, never the SSRF-safe one (lib/net/safe_fetch.ts), but with a timeout, no redirects, a bounded reply
 * (lib/net/body.ts) and a strict check of the reply's shape. Retries, batching and the breaker are the caller's
 * (lib/wiki/meaning/remote_embedder.ts).
 */
import { BodyError, readJson } from "../../net/body.ts";

/** Largest reply accepted per input vector, in bytes of JSON (8192 floats at ~24 characters each, plus framing). */
export const MAX_REPLY_BYTES_PER_INPUT = 8192 * 24 + 512;
/** Longest wait a `Retry-After` header may ask for before it is capped by the caller. */
const MAX_RETRY_AFTER_MS = 60_000;

/** What one request needs. */
export interface EmbeddingsRequest {
  endpoint: string;
  model: string;
  key: string | null;
  /** Sent as `dimensions` when set. */
  dimensions: number | null;
  /** Expected vector length (null: any, but all the same). */
  expectDims: number | null;
  inputs: readonly string[];
  timeoutMs: number;
  /** Largest reply body, in bytes. */
  maxReplyBytes: number;
  signal?: AbortSignal;
  fetch: typeof fetch;
}

/** A failed request: `retryable` for 429, 5xx, network errors and timeouts; `retryAfterMs` from the reply. */
export class RemoteCallError extends Error {
  /** Why, whether another attempt may help, and how long the server asked to wait. */
  constructor(message: string, readonly retryable: boolean, readonly retryAfterMs: number | null = null) {
    super(message);
    this.name = "RemoteCallError";
  }
}

/** Sends one batch and returns its vectors in input order (not yet normalised). Throws {@link RemoteCallError}. */
export async function postEmbeddings(req: EmbeddingsRequest): Promise<number[][]> {
  const timeout = AbortSignal.timeout(req.timeoutMs);
  const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
  const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
  if (req.key) headers.authorization = `Bearer ${req.key}`;
  const body: Record<string, unknown> = { model: req.model, input: req.inputs, encoding_format: "float" };
  if (req.dimensions !== null) body.dimensions = req.dimensions;
  let res: Response;
  try {
    res = await req.fetch(req.endpoint, {
      method: "POST",
      headers,
      body: JSON.stringify(body),
      signal,
      redirect: "manual",
    });
  } catch (err) {
    if (req.signal?.aborted) throw new RemoteCallError("the caller gave up", false);
    const what = timeout.aborted ? `no answer within ${req.timeoutMs} ms` : `network error: ${messageOf(err)}`;
    throw new RemoteCallError(what, true);
  }
  if (res.status !== 200) {
    await res.body?.cancel().catch(() => {});
    const retryable = res.status === 429 || res.status >= 500;
    throw new RemoteCallError(`HTTP ${res.status}`, retryable, retryAfter(res.headers.get("retry-after")));
  }
  let json: unknown;
  try {
    json = await readJson(res, req.maxReplyBytes);
  } catch (err) {
    if (err instanceof BodyError) {
      const why = err.reason === "too-large" ? `reply larger than ${req.maxReplyBytes} bytes` : "reply is not JSON";
      throw new RemoteCallError(why, false);
    }
    if (req.signal?.aborted) throw new RemoteCallError("the caller gave up", false);
    throw new RemoteCallError(timeout.aborted ? "reply timed out" : `reply failed: ${messageOf(err)}`, true);
  }
  return vectorsOf(json, req.inputs.length, req.expectDims);
}

/**
 * The vectors of a reply `{ data: [{ embedding: number[], index }] }`, ordered by `index`: exactly one per input,
 * indexes 0..n-1 each once, finite numbers, all of one length (`expectDims` when given).
 */
export function vectorsOf(json: unknown, n: number, expectDims: number | null): number[][] {
  const data = (json as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) throw malformed("no data array");
  if (data.length !== n) throw malformed(`${data.length} vectors for ${n} inputs`);
  const out: (number[] | undefined)[] = new Array(n);
  let dims = expectDims;
  for (const item of data) {
    const { embedding, index } = (item ?? {}) as { embedding?: unknown; index?: unknown };
    if (!Number.isInteger(index) || (index as number) < 0 || (index as number) >= n || out[index as number]) {
      throw malformed(`bad or repeated index ${JSON.stringify(index)}`);
    }
    if (!Array.isArray(embedding) || !embedding.every((x) => typeof x === "number" && Number.isFinite(x))) {
      throw malformed("an embedding is not an array of numbers");
    }
    dims ??= embedding.length;
    if (embedding.length !== dims || dims === 0) {
      throw malformed(`a vector has ${embedding.length} dimensions, expected ${dims}`);
    }
    out[index as number] = embedding;
  }
  return out as number[][];
}

function malformed(why: string): RemoteCallError {
  return new RemoteCallError(`malformed reply: ${why}`, false);
}

/** `Retry-After` in ms (seconds or an HTTP date), capped; null when absent or unreadable. */
function retryAfter(header: string | null): number | null {
  if (header === null) return null;
  const secs = Number(header);
  const ms = Number.isFinite(secs) ? secs * 1000 : Date.parse(header) - Date.now();
  return Number.isFinite(ms) ? Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms)) : null;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

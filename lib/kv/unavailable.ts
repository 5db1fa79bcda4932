/**
 * @module
 * KV failures, classified in one place. `createApp` wraps its store with {@link guardKv}: every error thrown by a
 * KV call (`get`, `getMany`, `list`, `set`, `delete`, `enqueue`, an atomic `commit`) that is not a mistake in the
 * call itself becomes a {@link KvUnavailableError}, whose cause keeps the original. The error handlers map it to a
 * 503 the client can retry: a readable page (routes/errors.tsx), `temporarily_unavailable` on the OAuth endpoints
 * (lib/oauth/errors.ts), a JSON-RPC error on `/mcp` (lib/mcp/fast_path.ts, lib/mcp/endpoint.ts). The original
 * error's message, stack and paths are logged, never sent.
 *
 * What counts as "unavailable": anything a KV call throws, except the `TypeError` / `RangeError` Deno KV raises for
 * an invalid call (a key or value too large, too many mutations or ranges, a bad key part). Those are bugs or
 * refusals the code checks before calling, and retrying cannot help; they keep their type (a generic 500).
 * A `TypeError` whose message names a transport problem (a closed connection, a timeout, a locked database) is
 * unavailability all the same.
 */

/** Seconds a client is told to wait (`Retry-After`) after a 503 caused by the store. */
export const KV_RETRY_AFTER_SECONDS = 5;

/** A KV call failed because the store is unavailable (down, locked, unreachable); `cause` is the original error. */
export class KvUnavailableError extends Error {
  /** Wraps the error a KV call threw. */
  constructor(cause: unknown) {
    super("The data store is temporarily unavailable.", { cause });
    this.name = "KvUnavailableError";
  }
}

/** True when `err` (or an error in its `cause` chain) is a {@link KvUnavailableError}. */
export function isKvFailure(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e instanceof Error; depth++) {
    if (e instanceof KvUnavailableError) return true;
    e = e.cause;
  }
  return false;
}

/** Messages of transport problems, even when they arrive as a TypeError. */
const TRANSPORT =
  /connect|network|timed? ?out|unavailable|locked|busy|sending request|closed|reset|refused|broken pipe|\bi\/?o\b|temporar/i;

/** True when an error thrown by a KV call means the store is unavailable (see the module comment). */
export function isUnavailability(err: unknown): boolean {
  if (err instanceof KvUnavailableError) return true;
  if (err instanceof TypeError || err instanceof RangeError) return TRANSPORT.test(err.message);
  return true;
}

function rethrow(err: unknown): never {
  throw isUnavailability(err) && !(err instanceof KvUnavailableError) ? new KvUnavailableError(err) : err;
}

const GUARDED = Symbol("guardedKv");

/**
 * Wraps `kv` so that an unavailable store surfaces as {@link KvUnavailableError} (idempotent: a guarded store is
 * returned as it is). Calls pass straight through; only a rejection is looked at.
 */
export function guardKv(kv: Deno.Kv): Deno.Kv {
  if ((kv as unknown as Record<symbol, unknown>)[GUARDED]) return kv;
  return new GuardedKv(kv) as unknown as Deno.Kv;
}

/** The store seen through {@link guardKv}. */
class GuardedKv {
  readonly [GUARDED] = true;
  readonly #kv: Deno.Kv;

  constructor(kv: Deno.Kv) {
    this.#kv = kv;
  }

  get<T = unknown>(key: Deno.KvKey, options?: { consistency?: Deno.KvConsistencyLevel }) {
    return this.#kv.get<T>(key, options).catch(rethrow);
  }

  getMany<T extends readonly unknown[]>(
    keys: readonly [...{ [K in keyof T]: Deno.KvKey }],
    options?: { consistency?: Deno.KvConsistencyLevel },
  ) {
    return this.#kv.getMany<T>(keys, options).catch(rethrow);
  }

  set(key: Deno.KvKey, value: unknown, options?: { expireIn?: number }) {
    return this.#kv.set(key, value, options).catch(rethrow);
  }

  delete(key: Deno.KvKey) {
    return this.#kv.delete(key).catch(rethrow);
  }

  list<T = unknown>(selector: Deno.KvListSelector, options?: Deno.KvListOptions): Deno.KvListIterator<T> {
    return guardedIterator(this.#kv.list<T>(selector, options));
  }

  enqueue(value: unknown, options?: { delay?: number; keysIfUndelivered?: Deno.KvKey[]; backoffSchedule?: number[] }) {
    return this.#kv.enqueue(value, options).catch(rethrow);
  }

  // deno-lint-ignore no-explicit-any
  listenQueue(handler: (value: any) => Promise<void> | void) {
    return this.#kv.listenQueue(handler);
  }

  atomic(): Deno.AtomicOperation {
    return guardedAtomic(this.#kv.atomic());
  }

  watch<T extends readonly unknown[]>(keys: readonly [...{ [K in keyof T]: Deno.KvKey }], options?: { raw?: boolean }) {
    return this.#kv.watch<T>(keys, options);
  }

  close(): void {
    this.#kv.close();
  }

  commitVersionstamp(): symbol {
    return this.#kv.commitVersionstamp();
  }

  [Symbol.dispose](): void {
    this.#kv[Symbol.dispose]();
  }
}

/** An atomic operation whose `commit` is guarded; the builder methods return the wrapper, so chains keep it. */
function guardedAtomic(op: Deno.AtomicOperation): Deno.AtomicOperation {
  const wrapper = {
    check(...checks: Deno.AtomicCheck[]) {
      op.check(...checks);
      return wrapper;
    },
    mutate(...mutations: Deno.KvMutation[]) {
      op.mutate(...mutations);
      return wrapper;
    },
    sum(key: Deno.KvKey, n: bigint) {
      op.sum(key, n);
      return wrapper;
    },
    min(key: Deno.KvKey, n: bigint) {
      op.min(key, n);
      return wrapper;
    },
    max(key: Deno.KvKey, n: bigint) {
      op.max(key, n);
      return wrapper;
    },
    set(key: Deno.KvKey, value: unknown, options?: { expireIn?: number }) {
      op.set(key, value, options);
      return wrapper;
    },
    delete(key: Deno.KvKey) {
      op.delete(key);
      return wrapper;
    },
    enqueue(
      value: unknown,
      options?: { delay?: number; keysIfUndelivered?: Deno.KvKey[]; backoffSchedule?: number[] },
    ) {
      op.enqueue(value, options);
      return wrapper;
    },
    commit() {
      return op.commit().catch(rethrow);
    },
  };
  return wrapper as unknown as Deno.AtomicOperation;
}

/** A list iterator whose reads are guarded (the store is read when `next` is called, not by `list`). */
function guardedIterator<T>(it: Deno.KvListIterator<T>): Deno.KvListIterator<T> {
  const wrapper = {
    get cursor() {
      return it.cursor;
    },
    next() {
      return it.next().catch(rethrow);
    },
    [Symbol.asyncIterator]() {
      return wrapper;
    },
  };
  return wrapper as unknown as Deno.KvListIterator<T>;
}

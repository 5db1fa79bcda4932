/**
 * @module
 * A small in-process memory of failures ("this handle does not resolve", "this server did not answer"), so that
 * asking again within a short time makes no outbound request. Entries expire after `ttlMs`; at most `maxEntries`
 * are kept (the oldest go first). Per process: each isolate keeps its own.
 */

/** Options of {@link NegativeCache}. */
export interface NegativeCacheOptions {
  /** How long a failure is remembered, ms. */
  ttlMs: number;
  /** Most failures remembered. */
  maxEntries: number;
  /** Clock (ms). Default `Date.now`. */
  now?: () => number;
}

/** Default: failures are remembered for 2 minutes, at most 2000 of them. */
export const DEFAULT_NEGATIVE_CACHE: Readonly<Omit<NegativeCacheOptions, "now">> = { ttlMs: 120_000, maxEntries: 2000 };

/** Remembered failures by key, each with its expiry. */
export class NegativeCache<V> {
  readonly #entries = new Map<string, { value: V; expiresAt: number }>();
  readonly #opts: NegativeCacheOptions;

  constructor(opts: Partial<NegativeCacheOptions> = {}) {
    this.#opts = { ...DEFAULT_NEGATIVE_CACHE, ...opts };
  }

  /** The remembered failure of `key`, or undefined (never remembered, or expired). */
  get(key: string): V | undefined {
    const e = this.#entries.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  /** Remembers a failure of `key` for the TTL (replacing an older one). */
  set(key: string, value: V): void {
    if (this.#opts.ttlMs <= 0 || this.#opts.maxEntries <= 0) return;
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt: this.#now() + this.#opts.ttlMs });
    while (this.#entries.size > this.#opts.maxEntries) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
  }

  /** Number of entries held (expired ones included until they are read or pushed out). */
  get size(): number {
    return this.#entries.size;
  }

  #now(): number {
    return (this.#opts.now ?? Date.now)();
  }
}

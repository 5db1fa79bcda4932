/**
 * @module
 * A circuit breaker for the remote embedder (lib/wiki/meaning/remote_embedder.ts): after a few failed requests in a
 * row it opens, and calls fail at once (the static layer answers instead) until a cool-down has passed; then one
 * trial request may go through (half-open). A success closes it; a failed trial opens it again for twice as long
 * (up to a maximum), so a server that stays down is asked less and less often.
 */

/** Settings of a {@link CircuitBreaker}. */
export interface BreakerOptions {
  /** Failed requests in a row that open the breaker (default 3). */
  failureThreshold?: number;
  /** First cool-down once open, in ms (default 30 s). */
  cooldownMs?: number;
  /** Longest cool-down, in ms (default 10 minutes). */
  maxCooldownMs?: number;
  /** Clock (epoch ms). */
  now?: () => number;
}

/** Whether requests may go out: `closed` (yes), `open` (no, until `retryAt`), `half-open` (one trial is out). */
export type BreakerState = "closed" | "open" | "half-open";

/** Counts failures in a row and refuses calls while the remote side is considered down. */
export class CircuitBreaker {
  readonly #threshold: number;
  readonly #baseCooldown: number;
  readonly #maxCooldown: number;
  readonly #now: () => number;
  #failures = 0;
  #cooldown: number;
  #openUntil = 0;
  #state: BreakerState = "closed";

  /** A closed breaker with `opts`. */
  constructor(opts: BreakerOptions = {}) {
    this.#threshold = Math.max(1, opts.failureThreshold ?? 3);
    this.#baseCooldown = Math.max(1, opts.cooldownMs ?? 30_000);
    this.#maxCooldown = Math.max(this.#baseCooldown, opts.maxCooldownMs ?? 600_000);
    this.#cooldown = this.#baseCooldown;
    this.#now = opts.now ?? Date.now;
  }

  /** The current state (an open breaker whose cool-down has passed still reads `open` until a call is allowed). */
  get state(): BreakerState {
    return this.#state;
  }

  /** When an open breaker lets the next trial through (epoch ms), or null when it is not open. */
  get retryAt(): number | null {
    return this.#state === "open" ? this.#openUntil : null;
  }

  /**
   * True when a request may go out now. An open breaker whose cool-down has passed lets exactly one trial through
   * (and becomes half-open); while that trial is out, other calls are refused.
   */
  allow(): boolean {
    if (this.#state === "closed") return true;
    if (this.#state === "half-open") return false;
    if (this.#now() < this.#openUntil) return false;
    this.#state = "half-open";
    return true;
  }

  /** True when {@link allow} would let a call through now (without taking the half-open trial). */
  wouldAllow(): boolean {
    return this.#state === "closed" || (this.#state === "open" && this.#now() >= this.#openUntil);
  }

  /** A request succeeded: closes the breaker and forgets past failures. */
  success(): void {
    this.#state = "closed";
    this.#failures = 0;
    this.#cooldown = this.#baseCooldown;
  }

  /** A request failed: opens the breaker after `failureThreshold` in a row, or again after a failed trial. */
  failure(): void {
    if (this.#state === "half-open") {
      this.#cooldown = Math.min(this.#maxCooldown, this.#cooldown * 2);
      this.#open();
      return;
    }
    this.#failures++;
    if (this.#failures >= this.#threshold) this.#open();
  }

  /** A trial that neither failed nor succeeded (the caller gave up): lets the next call try again. */
  release(): void {
    if (this.#state === "half-open") this.#state = "open";
  }

  #open(): void {
    this.#state = "open";
    this.#openUntil = this.#now() + this.#cooldown;
  }
}

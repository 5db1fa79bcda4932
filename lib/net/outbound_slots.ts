/**
 * @module
 * A cap on concurrent outbound work per process (DNS lookups, TLS connections and requests to hosts a caller
 * chose): at most `max` run at once; a caller beyond the cap waits up to `waitMs` for a slot, then gets
 * {@link OutboundBusyError} ("busy, try again") instead of piling up. First come, first served.
 */

/** Options of {@link OutboundSlots}. */
export interface OutboundSlotsOptions {
  /** Most tasks running at once. */
  max: number;
  /** Longest wait for a slot, ms. */
  waitMs: number;
}

/** Default cap of one process: 64 outbound tasks at once, 2 s of waiting for a slot. */
export const DEFAULT_OUTBOUND_SLOTS: Readonly<OutboundSlotsOptions> = { max: 64, waitMs: 2_000 };

/** No slot came free within the wait: the process is busy with outbound work. */
export class OutboundBusyError extends Error {
  constructor() {
    super("Too many outbound requests are in progress on this server (busy); try again in a few seconds.");
    this.name = "OutboundBusyError";
  }
}

/** A counting semaphore with a bounded wait. */
export class OutboundSlots {
  readonly #max: number;
  readonly #waitMs: number;
  #inUse = 0;
  readonly #waiting: { grant(): void }[] = [];

  constructor(opts: OutboundSlotsOptions = DEFAULT_OUTBOUND_SLOTS) {
    if (!Number.isInteger(opts.max) || opts.max < 1) throw new Error("OutboundSlots: max must be at least 1");
    this.#max = opts.max;
    this.#waitMs = opts.waitMs;
  }

  /** Slots taken right now. */
  get inUse(): number {
    return this.#inUse;
  }

  /** Runs `task` in a slot; throws {@link OutboundBusyError} when none comes free within the wait. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.#acquire();
    try {
      return await task();
    } finally {
      this.#release();
    }
  }

  #acquire(): Promise<void> {
    if (this.#inUse < this.#max) {
      this.#inUse++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        grant: () => {
          clearTimeout(timer);
          resolve(); // the releasing task handed its slot over: #inUse stays
        },
      };
      const timer = setTimeout(() => {
        const i = this.#waiting.indexOf(waiter);
        if (i >= 0) this.#waiting.splice(i, 1);
        reject(new OutboundBusyError());
      }, this.#waitMs);
      this.#waiting.push(waiter);
    });
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next) next.grant();
    else this.#inUse--;
  }
}

/** The process-wide slots the SSRF-safe fetch uses unless given its own. */
export const PROCESS_OUTBOUND_SLOTS: OutboundSlots = new OutboundSlots();

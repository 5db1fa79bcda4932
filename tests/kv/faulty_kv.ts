/**
 * @module
 * A KV store for fault tests: a real `Deno.Kv` behind the same interface, with a controller that makes chosen calls
 * fail or wait. Every call (`get`, `getMany`, `list` at its first read, `set`, `delete`, `enqueue`, an atomic
 * `commit`) is logged with the keys it touches; a fault can hit the n-th call from now, every call of some kinds,
 * or every call touching a key prefix, until `recover()`.
 *
 * Failures throw what Deno KV throws when its backend is unavailable: an `Error` ("database is locked"), a
 * `Deno.errors.BadResource` (a closed store) or a `TypeError` naming a broken connection. Their messages carry a
 * fake file path and a marker ({@link FAULT_SECRET}) so tests can assert that nothing of them reaches a response.
 *
 * A fault in mode `"after"` lets a write happen and then throws: the commit was applied but its answer was lost
 * (what a client of a remote store sees on a timeout).
 */

/** Kinds of KV calls. */
export type KvOp = "get" | "getMany" | "list" | "set" | "delete" | "commit" | "enqueue";

/** Write calls (the ones a fault in mode "after" applies before failing). */
export const WRITE_OPS: readonly KvOp[] = ["set", "delete", "commit", "enqueue"];

/** `"before"`: the call fails and does nothing; `"after"`: a write is applied, then the call fails. */
export type FaultMode = "before" | "after";

/** One logged call. */
export interface KvCall {
  op: KvOp;
  keys: Deno.KvKey[];
}

/** Marker inside every injected error message: a response containing it leaks internals. */
export const FAULT_SECRET = "FAULT-SECRET-9c41d2";
/** Fake file path inside every injected error message. */
export const FAULT_PATH = "/srv/robot/data/robot.kv";

/** The kinds of injected errors, in rotation. */
export type FaultKind = "locked" | "closed" | "network";

/** Builds an injected error of `kind`. */
export function faultError(kind: FaultKind): Error {
  const where = ` (${FAULT_PATH}; ${FAULT_SECRET})`;
  if (kind === "closed") return new Deno.errors.BadResource(`Bad resource ID${where}`);
  if (kind === "network") return new TypeError(`error sending request: connection reset by peer${where}`);
  return new Error(`database is locked${where}`);
}

interface Rule {
  ops: readonly KvOp[] | null;
  prefix: Deno.KvKey | null;
  /** Fail only the n-th matching call (1-based) from when the rule was added; null: every matching call. */
  nth: number | null;
  seen: number;
  mode: FaultMode;
  kind: FaultKind;
}

/** Options of a fault. */
export interface FaultOptions {
  /** Kinds of calls it applies to (default: all). */
  ops?: readonly KvOp[];
  /** Only calls touching a key under this prefix. */
  prefix?: Deno.KvKey;
  /** Default "before". */
  mode?: FaultMode;
  /** Default "locked". */
  kind?: FaultKind;
}

/** Controls the faults of a {@link faultyKv} store. */
export class FaultController {
  /** Calls since the last `resetLog()`, in order. */
  calls: KvCall[] = [];
  /** How many calls failed since the last `resetLog()`. */
  injected = 0;
  /** Called before every call (after it is logged): lets a test act at a chosen point, e.g. race the operation. */
  onCall: ((call: KvCall) => void | Promise<void>) | null = null;
  #rules: Rule[] = [];
  #delays: { ops: readonly KvOp[] | null; ms: number }[] = [];

  /** Fails the n-th matching call from now (1-based), once. */
  failNth(n: number, opts: FaultOptions = {}): void {
    this.#rules.push(this.#rule(opts, n));
  }

  /** Fails every matching call until {@link recover}. */
  failAll(opts: FaultOptions = {}): void {
    this.#rules.push(this.#rule(opts, null));
  }

  /** Delays every matching call by `ms` until {@link recover}. */
  delay(ms: number, opts: { ops?: readonly KvOp[] } = {}): void {
    this.#delays.push({ ops: opts.ops ?? null, ms });
  }

  /** Removes every fault and delay: the store works again. */
  recover(): void {
    this.#rules = [];
    this.#delays = [];
  }

  /** Clears the call log and the failure count. */
  resetLog(): void {
    this.calls = [];
    this.injected = 0;
  }

  #rule(opts: FaultOptions, nth: number | null): Rule {
    return {
      ops: opts.ops ?? null,
      prefix: opts.prefix ?? null,
      nth,
      seen: 0,
      mode: opts.mode ?? "before",
      kind: opts.kind ?? "locked",
    };
  }

  /** Logs a call and decides its fate: null (go ahead) or the fault to apply. Used by the store. */
  async gate(op: KvOp, keys: Deno.KvKey[]): Promise<{ mode: FaultMode; error: Error } | null> {
    this.calls.push({ op, keys });
    if (this.onCall) await this.onCall({ op, keys });
    for (const d of this.#delays) {
      if (d.ops === null || d.ops.includes(op)) await new Promise((r) => setTimeout(r, d.ms));
    }
    for (const r of this.#rules) {
      if (r.ops !== null && !r.ops.includes(op)) continue;
      if (r.prefix !== null && !keys.some((k) => hasPrefix(k, r.prefix!))) continue;
      r.seen++;
      if (r.nth !== null && r.seen !== r.nth) continue;
      if (r.nth !== null) this.#rules = this.#rules.filter((x) => x !== r);
      this.injected++;
      return { mode: WRITE_OPS.includes(op) ? r.mode : "before", error: faultError(r.kind) };
    }
    return null;
  }
}

function hasPrefix(key: Deno.KvKey, prefix: Deno.KvKey): boolean {
  return prefix.length <= key.length && prefix.every((p, i) => p === key[i]);
}

/** A store over `real` whose calls go through `faults`. */
export function faultyKv(real: Deno.Kv): { kv: Deno.Kv; faults: FaultController } {
  const faults = new FaultController();
  return { kv: new FaultyKv(real, faults) as unknown as Deno.Kv, faults };
}

/** Runs `call` under the fault rules. */
async function guarded<T>(faults: FaultController, op: KvOp, keys: Deno.KvKey[], call: () => Promise<T>): Promise<T> {
  const fault = await faults.gate(op, keys);
  if (fault === null) return await call();
  if (fault.mode === "after") await call();
  throw fault.error;
}

class FaultyKv {
  readonly #kv: Deno.Kv;
  readonly #faults: FaultController;

  constructor(kv: Deno.Kv, faults: FaultController) {
    this.#kv = kv;
    this.#faults = faults;
  }

  get<T = unknown>(key: Deno.KvKey, options?: { consistency?: Deno.KvConsistencyLevel }) {
    return guarded(this.#faults, "get", [key], () => this.#kv.get<T>(key, options));
  }

  getMany<T extends readonly unknown[]>(
    keys: readonly [...{ [K in keyof T]: Deno.KvKey }],
    options?: { consistency?: Deno.KvConsistencyLevel },
  ) {
    return guarded(this.#faults, "getMany", [...keys] as Deno.KvKey[], () => this.#kv.getMany<T>(keys, options));
  }

  set(key: Deno.KvKey, value: unknown, options?: { expireIn?: number }) {
    return guarded(this.#faults, "set", [key], () => this.#kv.set(key, value, options));
  }

  delete(key: Deno.KvKey) {
    return guarded(this.#faults, "delete", [key], () => this.#kv.delete(key));
  }

  list<T = unknown>(selector: Deno.KvListSelector, options?: Deno.KvListOptions): Deno.KvListIterator<T> {
    const it = this.#kv.list<T>(selector, options);
    const keys = [("prefix" in selector ? selector.prefix : undefined) ?? ("start" in selector ? selector.start : [])];
    let first = true;
    const wrapper = {
      get cursor() {
        return it.cursor;
      },
      next: () => {
        if (!first) return it.next();
        first = false;
        return guarded(this.#faults, "list", keys, () => it.next());
      },
      [Symbol.asyncIterator]() {
        return wrapper;
      },
    };
    return wrapper as unknown as Deno.KvListIterator<T>;
  }

  enqueue(value: unknown, options?: { delay?: number; keysIfUndelivered?: Deno.KvKey[]; backoffSchedule?: number[] }) {
    return guarded(this.#faults, "enqueue", [], () => this.#kv.enqueue(value, options));
  }

  // deno-lint-ignore no-explicit-any
  listenQueue(handler: (value: any) => Promise<void> | void) {
    return this.#kv.listenQueue(handler);
  }

  atomic(): Deno.AtomicOperation {
    const op = this.#kv.atomic();
    const keys: Deno.KvKey[] = [];
    const faults = this.#faults;
    const wrapper = {
      check(...checks: Deno.AtomicCheck[]) {
        for (const c of checks) keys.push(c.key);
        op.check(...checks);
        return wrapper;
      },
      mutate(...mutations: Deno.KvMutation[]) {
        for (const m of mutations) keys.push(m.key);
        op.mutate(...mutations);
        return wrapper;
      },
      sum(key: Deno.KvKey, n: bigint) {
        keys.push(key);
        op.sum(key, n);
        return wrapper;
      },
      min(key: Deno.KvKey, n: bigint) {
        keys.push(key);
        op.min(key, n);
        return wrapper;
      },
      max(key: Deno.KvKey, n: bigint) {
        keys.push(key);
        op.max(key, n);
        return wrapper;
      },
      set(key: Deno.KvKey, value: unknown, options?: { expireIn?: number }) {
        keys.push(key);
        op.set(key, value, options);
        return wrapper;
      },
      delete(key: Deno.KvKey) {
        keys.push(key);
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
        return guarded(faults, "commit", keys, () => op.commit());
      },
    };
    return wrapper as unknown as Deno.AtomicOperation;
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

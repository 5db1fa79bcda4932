/**
 * @module
 * The one rate limiter of the app: MCP writes per credential, OAuth registrations and client-metadata fetches per
 * client address, sign-in attempts per client address. All state is in Deno KV, so a limit holds across processes
 * and Deno Deploy isolates on one store. Framework-free.
 *
 * ## Algorithm: a sliding window of buckets, counted with `sum` (no compare-and-set)
 *
 * A rule allows `limit` actions per `windowMs`. Time is cut into buckets of `windowMs / buckets` (default 6: 10 s
 * buckets for a one-minute window). Each bucket of a subject is one `Deno.KvU64` counter at
 * `["rate", rule, bucket, ...subject]`. Taking one action:
 *
 * 1. **count**: `atomic().sum(counter of the take's bucket, 1)`. A sum never conflicts, so there is no
 *    compare-and-set to lose and no retry storm.
 * 2. **read** the counters of the take's window (its bucket, the `buckets` before it and the next one; strongly
 *    consistent `getMany`, after its own commit) and **estimate** the window's count: the full buckets, plus the
 *    oldest bucket weighted by the part of it still inside the window (`1 - f`, `f` = how far the clock is into the
 *    take's bucket). The next bucket counts in full, so a concurrent take whose clock already passed the boundary
 *    (or runs ahead on another isolate by less than a bucket) is seen.
 * 3. **decide**: allowed when the estimate, the take included, is at most `limit`. Otherwise refused, and the take
 *    **compensates**: it adds 2^64 - 1 (a `KvU64` sum wraps: minus one), so refused attempts do not eat the budget.
 *
 * **Batching.** In one process, takes of the same checks that arrive while one is being counted wait, and go
 * together as one batch: one commit adds each bucket's share, one read follows, and the batch's takes are decided
 * in clock order against the counts of everyone else plus the batch's takes allowed so far. Without this, 300
 * concurrent takes would all count first and then all see 300 (none allowed); with it, exactly the room left is
 * allowed. Takes on other isolates (or other batches) running at the same moment are only seen as counts, so
 * simultaneous bursts on several isolates may be refused more than needed: never allowed more.
 *
 * **Why it never allows more than `limit` in a burst.** A counter only ever holds increments of committed takes
 * minus those of refused takes (each refused take removes only its own, after adding it), so it is always at least
 * the number of ALLOWED takes counted into it. Take the allowed takes of a burst shorter than `windowMs - bucketMs`
 * (50 s with the defaults), and among the batches that allowed any, the one that committed last, `a`. When `a` read,
 * every allowed take of the burst had committed into a bucket that `a`'s takes read at full weight (one of the
 * `buckets - 1` before their own, their own, or the next), and allowed takes never compensate. `a` allowed its
 * last take only if the others' count plus its own allowed takes was at most `limit`, so all allowed takes together
 * are at most `limit`: of 300 concurrent takes at most 120 of 120 pass, whenever in the minute the burst starts.
 * Over longer spans the oldest bucket's weighting approximates a true sliding window (it assumes that bucket's
 * actions were spread evenly).
 *
 * **Fails closed.** If the counting commit fails or throws, or the read throws, the takes are refused with a retry
 * time (`reason: "unavailable"`); never allowed. A throwing commit may or may not have been applied, so it is not
 * compensated: the counter may then be too high, which only refuses more.
 *
 * **Under the limit nothing is refused**, however concurrent: 100 concurrent takes against a limit of 120 read at
 * most 100.
 *
 * **Garbage.** A `sum` cannot carry an expiry (and drops one set before), so counters do not expire by themselves.
 * Bucket numbers come before the subject in the key, so the counters older than any window are one key range per
 * rule: the first take of each new bucket in a process deletes up to {@link SWEEP_BATCH} of them (errors ignored).
 */
import { type KeyPrefix, parseKeyPrefixes } from "./keys.ts";

/** KV keys of the limiter's counters. */
export const RateKeys = {
  /** A `Deno.KvU64` counter: actions of `subject` under `rule` in bucket number `bucket` (time / bucket length). */
  rate: (rule: string, bucket: number, subject: readonly string[]) => ["rate", rule, bucket, ...subject] as const,
  /** Prefix of every counter of a rule (the sweep's range start). */
  rateRule: (rule: string) => ["rate", rule] as const,
  /** Range end: the counters of a rule in buckets before `bucket` sort before this key. */
  rateBefore: (rule: string, bucket: number) => ["rate", rule, bucket] as const,
} as const;

/**
 * The counters' prefix. Global: a subject may name a wiki id, a DID or a client address, and counters outlive a
 * deleted wiki or account until the sweep removes them (SECURITY.md).
 */
export const RATE_PREFIXES: readonly KeyPrefix[] = parseKeyPrefixes(`
  global rate  a rate-limit counter of one rule, bucket and subject
`);

/** A limit: at most `limit` actions per `windowMs` for one subject. */
export interface RateRule {
  /** Names the limit in KV keys (`[a-z_]`, short). */
  readonly name: string;
  /** Actions allowed per window (a positive integer). */
  readonly limit: number;
  /** The window, ms. */
  readonly windowMs: number;
  /** Buckets per window, 2 to 8. Default 6. */
  readonly buckets?: number;
}

/** One limit to check, for one subject (a credential, a client address, an address and a wiki...). */
export interface RateCheck {
  rule: RateRule;
  /** Who is limited: one string or a few (they become key parts). */
  subject: string | readonly string[];
}

/** Why a take was refused: the limit, or the limiter could not count (it then fails closed). */
export type RateRefusal = "limit" | "unavailable";

/** Result of a take: allowed (with the budget left), or refused with the seconds to wait. */
export type RateDecision =
  | { ok: true; remaining: number }
  | { ok: false; retryAfterSeconds: number; reason: RateRefusal };

/** Default buckets per window. */
export const DEFAULT_BUCKETS = 6;
/** Most stale counters one sweep deletes. */
export const SWEEP_BATCH = 500;
/** Retry time after the limiter could not count. */
const UNAVAILABLE_RETRY_SECONDS = 2;
/** getMany reads at most 10 keys. */
const KV_MAX_GET_MANY = 10;

/** A check with its rule's geometry resolved. */
interface Check {
  rule: RateRule;
  subject: string[];
  limit: number;
  buckets: number;
  bucketMs: number;
}

/** One waiting take. */
interface Pending {
  now: number;
  resolve(d: RateDecision): void;
}

/** Takes waiting for the same checks in one process: at most one batch of them is being decided at a time. */
interface Queue {
  checks: Check[];
  waiting: Pending[];
}

const queues = new WeakMap<Deno.Kv, Map<string, Queue>>();

/**
 * Takes one action from every check's budget: allowed only if all allow it (then each counted it); refused
 * otherwise (then none keeps it). Never throws for a KV failure: it refuses (fails closed). Throws only for an
 * invalid rule (a programming error).
 */
export function takeRate(
  kv: Deno.Kv,
  checks: RateCheck | readonly RateCheck[],
  opts: { now?: number } = {},
): Promise<RateDecision> {
  const list = (Array.isArray(checks) ? checks : [checks] as readonly RateCheck[]).map(resolveCheck);
  const now = opts.now ?? Date.now();
  const id = JSON.stringify(list.map((c) => [c.rule.name, c.limit, c.rule.windowMs, c.buckets, c.subject]));
  let byId = queues.get(kv);
  if (!byId) queues.set(kv, byId = new Map());
  return new Promise<RateDecision>((resolve) => {
    const queue = byId.get(id);
    if (queue) {
      queue.waiting.push({ now, resolve });
      return;
    }
    const fresh: Queue = { checks: list, waiting: [{ now, resolve }] };
    byId.set(id, fresh);
    void drain(kv, fresh, () => byId.delete(id));
  });
}

function resolveCheck(check: RateCheck): Check {
  const { rule } = check;
  const buckets = rule.buckets ?? DEFAULT_BUCKETS;
  if (!Number.isInteger(rule.limit) || rule.limit < 1 || !(rule.windowMs > 0)) {
    throw new Error(`Rate rule ${rule.name}: limit must be a positive integer and windowMs positive`);
  }
  if (!Number.isInteger(buckets) || buckets < 2 || buckets > 8) {
    throw new Error(`Rate rule ${rule.name}: buckets must be 2 to 8`);
  }
  const subject = typeof check.subject === "string" ? [check.subject] : [...check.subject];
  return { rule, subject, limit: rule.limit, buckets, bucketMs: rule.windowMs / buckets };
}

/** Decides batches until no take waits, then calls `done` (synchronously: no take can slip in between). */
async function drain(kv: Deno.Kv, queue: Queue, done: () => void): Promise<void> {
  while (queue.waiting.length > 0) {
    const batch = queue.waiting.splice(0).sort((a, b) => a.now - b.now);
    let decisions: RateDecision[];
    try {
      decisions = await decideBatch(kv, queue.checks, batch.map((p) => p.now));
    } catch {
      decisions = batch.map(unavailable);
    }
    batch.forEach((p, i) => p.resolve(decisions[i]));
  }
  done();
}

/** Counts per bucket number of one check's subject. */
type Counts = Map<number, number>;

/** Counts, decides and compensates one batch of takes (`nows` in clock order). */
async function decideBatch(kv: Deno.Kv, checks: Check[], nows: number[]): Promise<RateDecision[]> {
  const bucketsOf = nows.map((now) => checks.map((c) => Math.floor(now / c.bucketMs)));
  await sweepIfDue(kv, checks, bucketsOf[0]);
  const added = checks.map((_, i) => tally(bucketsOf.map((b) => b[i])));
  try {
    if (!(await commitSums(kv, checks, added, 1n))) return nows.map(unavailable);
  } catch {
    return nows.map(unavailable);
  }
  let models: Counts[];
  try {
    models = await Promise.all(checks.map((c, i) => readCounts(kv, c, bucketsOf.map((b) => b[i]))));
  } catch {
    await commitSums(kv, checks, added, -1n).catch(() => {});
    return nows.map(unavailable);
  }
  // Everyone else's count: what was read minus this batch's increments; then allocate in clock order.
  models.forEach((m, i) => added[i].forEach((n, b) => m.set(b, (m.get(b) ?? 0) - n)));
  const refusedAt: number[] = [];
  const decisions: (RateDecision | null)[] = nows.map((now, j) => {
    const estimates = checks.map((c, i) => estimate(models[i], c, bucketsOf[j][i], fraction(now, c)));
    if (!checks.every((c, i) => estimates[i] + 1 <= c.limit + 1e-9)) {
      refusedAt.push(j);
      return null;
    }
    checks.forEach((_, i) => bump(models[i], bucketsOf[j][i], 1));
    const remaining = Math.min(...checks.map((c, i) => Math.floor(c.limit - estimates[i] - 1 + 1e-9)));
    return { ok: true, remaining: Math.max(0, remaining) };
  });
  if (refusedAt.length > 0) {
    const back = checks.map((_, i) => tally(refusedAt.map((j) => bucketsOf[j][i])));
    await commitSums(kv, checks, back, -1n).catch(() => {}); // if it fails, counters stay high: refuses more only
  }
  return decisions.map((d, j) => {
    if (d) return d;
    const ms = Math.max(...checks.map((c, i) => retryAfterMs(models[i], c, bucketsOf[j][i], fraction(nows[j], c))));
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(ms / 1000)), reason: "limit" };
  });
}

function tally(buckets: number[]): Counts {
  const out: Counts = new Map();
  for (const b of buckets) bump(out, b, 1);
  return out;
}

function bump(m: Counts, bucket: number, n: number): void {
  m.set(bucket, (m.get(bucket) ?? 0) + n);
}

function fraction(now: number, c: Check): number {
  return (now - Math.floor(now / c.bucketMs) * c.bucketMs) / c.bucketMs;
}

/** Adds (`sign` 1) or removes (-1) the tallied counts in one commit; removal adds 2^64 - n (KvU64 sums wrap). */
async function commitSums(kv: Deno.Kv, checks: Check[], counts: Counts[], sign: 1n | -1n): Promise<boolean> {
  const op = kv.atomic();
  checks.forEach((c, i) => {
    for (const [bucket, n] of counts[i]) {
      op.sum(RateKeys.rate(c.rule.name, bucket, c.subject), sign === 1n ? BigInt(n) : (1n << 64n) - BigInt(n));
    }
  });
  return (await op.commit()).ok;
}

/** Reads the counters of every bucket a take of the batch looks at (`taken`: the takes' buckets, ascending). */
async function readCounts(kv: Deno.Kv, c: Check, taken: number[]): Promise<Counts> {
  const buckets: number[] = [];
  for (let b = taken[0] - c.buckets; b <= taken.at(-1)! + 1; b++) buckets.push(b);
  const chunks: number[][] = [];
  for (let i = 0; i < buckets.length; i += KV_MAX_GET_MANY) chunks.push(buckets.slice(i, i + KV_MAX_GET_MANY));
  const read = await Promise.all(
    chunks.map((chunk) => kv.getMany<Deno.KvU64[]>(chunk.map((b) => RateKeys.rate(c.rule.name, b, c.subject)))),
  );
  const out: Counts = new Map();
  read.flat().forEach((e, i) => {
    if (e.value instanceof Deno.KvU64) out.set(buckets[i], Number(BigInt.asIntN(64, e.value.value)));
  });
  return out;
}

/** Window estimate at bucket `b`, fraction `f` into it: the oldest bucket weighted, the others and the next in full. */
function estimate(m: Counts, c: Check, b: number, f: number): number {
  let sum = (m.get(b - c.buckets) ?? 0) * (1 - f);
  for (let x = b - c.buckets + 1; x <= b + 1; x++) sum += m.get(x) ?? 0;
  return sum;
}

/**
 * Time until one more action fits, if nothing else is counted meanwhile: the first moment, in this bucket or one of
 * the next, where the window's estimate plus one is at most the limit.
 */
function retryAfterMs(m: Counts, c: Check, b: number, f: number): number {
  for (let d = 0; d <= c.buckets + 1; d++) {
    const at = b + d; // in bucket `at`: the oldest bucket is being weighted out, the rest count in full
    const full = estimate(m, c, at, 1);
    const oldest = m.get(at - c.buckets) ?? 0;
    const room = c.limit - 1 - full;
    if (room < 0) continue;
    let g = oldest > 0 ? Math.max(0, 1 - room / oldest) : 0;
    if (d === 0) g = Math.max(g, f);
    if (g < 1) return Math.max(1, (d + g - f) * c.bucketMs);
  }
  return (c.buckets + 1) * c.bucketMs;
}

function unavailable(): RateDecision {
  return { ok: false, retryAfterSeconds: UNAVAILABLE_RETRY_SECONDS, reason: "unavailable" };
}

/** Per store and rule: the last bucket a sweep started from (per process; only decides when to sweep). */
const swept = new WeakMap<Deno.Kv, Map<string, number>>();

async function sweepIfDue(kv: Deno.Kv, checks: Check[], buckets: number[]): Promise<void> {
  let byRule = swept.get(kv);
  if (!byRule) swept.set(kv, byRule = new Map());
  for (let i = 0; i < checks.length; i++) {
    const { rule, buckets: n } = checks[i];
    const last = byRule.get(rule.name);
    if (last !== undefined && last >= buckets[i]) continue;
    byRule.set(rule.name, buckets[i]);
    try {
      await sweep(kv, rule.name, buckets[i] - n - 1);
    } catch {
      // Garbage collection only: the next bucket tries again.
    }
  }
}

/** Deletes up to {@link SWEEP_BATCH} counters of `rule` in buckets before `before`. */
async function sweep(kv: Deno.Kv, rule: string, before: number): Promise<void> {
  const keys: Deno.KvKey[] = [];
  const it = kv.list({ start: RateKeys.rateRule(rule), end: RateKeys.rateBefore(rule, before) }, {
    limit: SWEEP_BATCH,
  });
  for await (const e of it) keys.push(e.key);
  if (keys.length === 0) return;
  const op = kv.atomic();
  for (const k of keys) op.delete(k);
  await op.commit();
}

/**
 * @module
 * The MCP write rate limit: writes per principal per minute, counted in Deno KV (one expiring counter per minute
 * window, updated with a versionstamp check) so that it holds across processes and Deno Deploy isolates.
 */
import { K } from "../kv/keys.ts";

/** Writes a principal may make per minute. Generous: an agent editing a wiki makes bursts of small writes. */
export const WRITES_PER_MINUTE = 120;
/** How long a window's counter is kept (it is only read during its own minute). */
const WINDOW_TTL_MS = 2 * 60_000;
/** Attempts of the compare-and-set before counting is given up (the write is then allowed). */
const MAX_ATTEMPTS = 8;

/** Result of taking one write from the budget. */
export type RateDecision = { ok: true; remaining: number } | { ok: false; retryAfterSeconds: number };

/** Counts one write of `subject` in the current minute; refuses when `limit` writes were already counted. */
export async function takeWrite(
  kv: Deno.Kv,
  subject: string,
  opts: { now?: number; limit?: number } = {},
): Promise<RateDecision> {
  const now = opts.now ?? Date.now();
  const limit = opts.limit ?? WRITES_PER_MINUTE;
  const minute = Math.floor(now / 60_000);
  const key = K.writeRate(subject, minute);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const entry = await kv.get<{ count: number }>(key);
    const count = entry.value?.count ?? 0;
    if (count >= limit) {
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(((minute + 1) * 60_000 - now) / 1000)) };
    }
    const res = await kv.atomic().check(entry).set(key, { count: count + 1 }, { expireIn: WINDOW_TTL_MS }).commit();
    if (res.ok) return { ok: true, remaining: limit - count - 1 };
  }
  return { ok: true, remaining: 0 };
}

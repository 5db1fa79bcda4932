/**
 * @module
 * The MCP write rate limit: writes per principal (credential) per minute, a sliding window counted in Deno KV
 * (lib/kv/rate_limit.ts) so that it holds across processes and Deno Deploy isolates, and fails closed.
 */
import { type RateDecision, type RateRule, takeRate } from "../kv/rate_limit.ts";

export type { RateDecision } from "../kv/rate_limit.ts";

/** Writes a principal may make per minute. Generous: an agent editing a wiki makes bursts of small writes. */
export const WRITES_PER_MINUTE = 120;

/** The rule for `limit` writes per minute. */
export function writeRule(limit = WRITES_PER_MINUTE): RateRule {
  return { name: "mcp_write", limit, windowMs: 60_000 };
}

/** Counts one write of `subject`; refuses when `limit` writes were already counted in the last minute. */
export async function takeWrite(
  kv: Deno.Kv,
  subject: string,
  opts: { now?: number; limit?: number } = {},
): Promise<RateDecision> {
  return await takeRate(kv, { rule: writeRule(opts.limit), subject }, { now: opts.now });
}

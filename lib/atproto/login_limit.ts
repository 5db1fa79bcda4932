/**
 * @module
 * The sign-in attempt limit: `POST /auth/login` starts identity resolution (DNS and TLS to hosts the caller
 * chose), so each client address (lib/net/client_address.ts) may start at most {@link LOGIN_ATTEMPTS_PER_MINUTE}
 * per minute, counted in KV with the shared rate limiter (lib/kv/rate_limit.ts).
 */
import { type RateDecision, type RateRule, takeRate } from "../kv/rate_limit.ts";

/** Sign-in attempts per client address per minute: plenty for people (a typo or three), few for a flood. */
export const LOGIN_ATTEMPTS_PER_MINUTE = 20;

/** The rule of the sign-in attempt limit. */
export const LOGIN_RULE: RateRule = { name: "login", limit: LOGIN_ATTEMPTS_PER_MINUTE, windowMs: 60_000 };

/** Counts one sign-in attempt from `source`; refused (with a retry time) past the limit or if it cannot count. */
export async function takeLoginAttempt(kv: Deno.Kv, source: string, now?: number): Promise<RateDecision> {
  return await takeRate(kv, { rule: LOGIN_RULE, subject: source }, { now });
}

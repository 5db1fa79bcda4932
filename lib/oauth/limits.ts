/**
 * @module
 * Abuse limits of a wiki's authorization server, per client address (lib/net/client_address.ts), counted with the
 * KV rate limiter (lib/kv/rate_limit.ts): dynamic registrations per (address, wiki) and per address, and fetches of
 * client ID metadata documents (cache misses only) per address. Each throws {@link RateLimitedError} (429,
 * `Retry-After`) when the limit is reached, or {@link TemporarilyUnavailableError} (503) when it cannot be counted.
 */
import { type RateCheck, type RateDecision, takeRate } from "../kv/rate_limit.ts";
import type { OAuthContext, WikiRef } from "./context.ts";
import { RateLimitedError, TemporarilyUnavailableError } from "./errors.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Counts one registration on `wiki` from `source`; throws when either limit is reached. */
export async function takeRegistration(ctx: OAuthContext, wiki: WikiRef, source: string): Promise<void> {
  const s = ctx.settings;
  const checks: RateCheck[] = [
    {
      rule: { name: "oauth_register_wiki", limit: s.registrationsPerSourceWikiHour, windowMs: HOUR },
      subject: [source, wiki.id],
    },
    { rule: { name: "oauth_register", limit: s.registrationsPerSourceHour, windowMs: HOUR }, subject: source },
  ];
  refuseUnless(
    await takeRate(ctx.kv, checks, { now: ctx.now() }),
    (wait) => `Too many client registrations from your network. Try again in ${wait}.`,
  );
}

/** Counts one client metadata document fetch caused by `source`; throws when the limit is reached. */
export async function takeMetadataFetch(ctx: OAuthContext, source: string): Promise<void> {
  const rule = { name: "oauth_cimd_fetch", limit: ctx.settings.cimdFetchesPerSourceMinute, windowMs: MINUTE };
  refuseUnless(
    await takeRate(ctx.kv, { rule, subject: source }, { now: ctx.now() }),
    (wait) => `Too many client metadata lookups from your network. Try again in ${wait}.`,
  );
}

function refuseUnless(d: RateDecision, message: (wait: string) => string): void {
  if (d.ok) return;
  const wait = d.retryAfterSeconds === 1 ? "1 second" : `${d.retryAfterSeconds} seconds`;
  if (d.reason === "limit") throw new RateLimitedError(message(wait), d.retryAfterSeconds);
  throw new TemporarilyUnavailableError(`The request could not be counted just now. Try again in ${wait}.`, {
    headers: { "Retry-After": String(d.retryAfterSeconds) },
  });
}

/**
 * @module
 * What the OAuth modules need (KV, keys, URLs, clock, outbound fetch) and their tunable lifetimes and limits.
 */
import type { KeyRing } from "../keys.ts";
import type { Urls } from "../urls.ts";
import type { WikiId } from "../kv/keys.ts";

/** A fetch-compatible function (the SSRF-safe fetch of lib/net/safe_fetch.ts in production). */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** The wiki an OAuth request is addressed to: its immutable id and its slug (for URLs). */
export interface WikiRef {
  id: WikiId;
  slug: string;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Lifetimes (ms) and limits; see docs/oauth.md for why each default. */
export interface OAuthSettings {
  /** Access-token lifetime. Default 8 h. */
  accessTokenTtlMs: number;
  /** Refresh-token lifetime, renewed on every rotation (sliding). Default 60 d. */
  refreshTokenTtlMs: number;
  /** How long a rotated refresh token still works (Claude's backend races itself). Default 60 s. */
  refreshGraceMs: number;
  /** Fresh pairs one rotated refresh token may still mint during its grace. Default 3. */
  refreshGraceUses: number;
  /** How long a rotated refresh token is remembered so a late reuse revokes the grant. Default 7 d. */
  refreshReuseMemoryMs: number;
  /** Authorization-code lifetime. Default 60 s. */
  codeTtlMs: number;
  /** How long a used code is remembered so a replay revokes its grant. Default 10 min. */
  codeReplayMemoryMs: number;
  /** Pending consent lifetime. Default 10 min. */
  consentTtlMs: number;
  /** A registered client with no live grant is deleted after this. Default 24 h. */
  unusedClientTtlMs: number;
  /**
   * Registrations accepted per client address and wiki per hour (sliding window). Default 60. There is no limit per
   * wiki alone: one caller could otherwise lock everyone out of a wiki.
   */
  registrationsPerSourceWikiHour: number;
  /**
   * Registrations accepted per client address per hour, all wikis (sliding window). Default 600: sized for a cloud
   * egress shared by many people (Claude.ai registers from a small shared range).
   */
  registrationsPerSourceHour: number;
  /** Largest registration request body, bytes. Default 16 KiB. */
  maxRegistrationBytes: number;
  /** Largest client ID metadata document, bytes. Default 5 KiB. */
  maxCimdBytes: number;
  /** Time allowed for fetching a client ID metadata document. Default 5 s. */
  cimdTimeoutMs: number;
  /** Bounds of the CIMD cache lifetime (Cache-Control max-age is clamped into them). Default 5 min .. 24 h. */
  cimdCacheMinMs: number;
  /** See {@link OAuthSettings.cimdCacheMinMs}. */
  cimdCacheMaxMs: number;
  /** Client metadata document fetches (cache misses) a client address may cause per minute. Default 20. */
  cimdFetchesPerSourceMinute: number;
  /** How long a metadata document that could not be fetched or used is remembered as failing. Default 2 min. */
  cimdNegativeTtlMs: number;
  /** Unknown requested scopes: dropped (default; Claude once sent `claudeai`) or refused with `invalid_scope`. */
  unknownScopes: "drop" | "reject";
}

/** Default settings. */
export const DEFAULT_OAUTH_SETTINGS: Readonly<OAuthSettings> = {
  accessTokenTtlMs: 8 * HOUR,
  refreshTokenTtlMs: 60 * DAY,
  refreshGraceMs: MINUTE,
  refreshGraceUses: 3,
  refreshReuseMemoryMs: 7 * DAY,
  codeTtlMs: MINUTE,
  codeReplayMemoryMs: 10 * MINUTE,
  consentTtlMs: 10 * MINUTE,
  unusedClientTtlMs: DAY,
  registrationsPerSourceWikiHour: 60,
  registrationsPerSourceHour: 600,
  maxRegistrationBytes: 16 * 1024,
  maxCimdBytes: 5 * 1024,
  cimdTimeoutMs: 5_000,
  cimdCacheMinMs: 5 * MINUTE,
  cimdCacheMaxMs: DAY,
  cimdFetchesPerSourceMinute: 20,
  cimdNegativeTtlMs: 2 * MINUTE,
  unknownScopes: "drop",
};

/** Dependencies of the OAuth server. */
export interface OAuthDeps {
  kv: Deno.Kv;
  keys: KeyRing;
  urls: Urls;
  /** Clock (ms); tests move it. Default `Date.now`. */
  now?: () => number;
  /**
   * Outbound fetch for client ID metadata documents: wire the SSRF-safe fetch (`createSafeFetch({ maxBytes,
   * timeoutMs })`). Without it, only the pinned documents (Claude's) resolve.
   */
  fetch?: FetchLike;
  /** Overrides of {@link DEFAULT_OAUTH_SETTINGS}. */
  settings?: Partial<OAuthSettings>;
}

/** Resolved dependencies, as the modules use them. */
export interface OAuthContext {
  kv: Deno.Kv;
  keys: KeyRing;
  urls: Urls;
  now: () => number;
  fetch: FetchLike | null;
  settings: OAuthSettings;
}

/** Resolves defaults. */
export function oauthContext(deps: OAuthDeps | OAuthContext): OAuthContext {
  return {
    kv: deps.kv,
    keys: deps.keys,
    urls: deps.urls,
    now: deps.now ?? Date.now,
    fetch: deps.fetch ?? null,
    settings: { ...DEFAULT_OAUTH_SETTINGS, ...deps.settings },
  };
}

/** Scope names clients send that mean nothing here and are ignored without error. */
export const IGNORED_SCOPES: ReadonlySet<string> = new Set(["offline_access"]);

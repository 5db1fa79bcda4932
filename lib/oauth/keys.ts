/**
 * @module
 * Every KV key of the OAuth authorization server. docs/oauth.md describes the values, lifetimes and atomic checks.
 * Wiki-scoped keys put the wiki's immutable id second, so `revokeAllForWiki` is one `list({ prefix })` per type and
 * a deleted and re-claimed slug (new wiki id) inherits nothing.
 */
import type { WikiId } from "../kv/keys.ts";
import type { WikiScopedData } from "../wiki/wiki_purge.ts";

/** OAuth key constructors. */
export const OK = {
  /** A registered (DCR) client of a wiki's authorization server. */
  client: (wikiId: WikiId, clientId: string) => ["oauth_client", wikiId, clientId] as const,
  /** A cached, validated client ID metadata document (or why it failed), by its URL (shared by all wikis). */
  cimd: (url: string) => ["oauth_cimd", url] as const,
  /** A pending authorization request waiting for the user's click on the consent page. */
  consent: (wikiId: WikiId, requestId: string) => ["oauth_consent", wikiId, requestId] as const,
  /** An authorization code, by the HMAC of the code. */
  code: (wikiId: WikiId, hash: string) => ["oauth_code", wikiId, hash] as const,
  /** A grant: one user's authorization of one client on one wiki. */
  grant: (wikiId: WikiId, grantId: string) => ["oauth_grant", wikiId, grantId] as const,
  /** Index (wiki, user, client) -> grant id: THE grant of that triple (re-authorizing replaces it). */
  grantOf: (wikiId: WikiId, did: string, clientId: string) => ["oauth_grant_of", wikiId, did, clientId] as const,
  /** Index of a user's grants on all wikis (account deletion). */
  userGrant: (did: string, wikiId: WikiId, grantId: string) => ["oauth_user_grant", did, wikiId, grantId] as const,
  /** Last use of a grant's access tokens (`{ at }`), written at most once a minute per token. */
  grantUsed: (wikiId: WikiId, grantId: string) => ["oauth_grant_used", wikiId, grantId] as const,
  /** A refresh token, by the HMAC of the token. */
  refresh: (wikiId: WikiId, hash: string) => ["oauth_refresh", wikiId, hash] as const,
  /** An access token, by the HMAC of the token. */
  access: (wikiId: WikiId, hash: string) => ["oauth_access", wikiId, hash] as const,
} as const;

/** Key types that are scoped to one wiki (second part = wiki id). */
export const OAUTH_WIKI_SCOPED_TYPES = [
  "oauth_client",
  "oauth_consent",
  "oauth_code",
  "oauth_grant",
  "oauth_grant_of",
  "oauth_grant_used",
  "oauth_refresh",
  "oauth_access",
] as const;

/**
 * The OAuth records as data of the wiki (lib/wiki/wiki_purge.ts): every type above, each grant with the
 * `oauth_user_grant` pointer of its person, so deleting a wiki revokes every grant and leaves nothing behind.
 */
export const OAUTH_WIKI_DATA: WikiScopedData = {
  types: OAUTH_WIKI_SCOPED_TYPES,
  companionKey(entry) {
    const [type, wikiId] = entry.key;
    const v = entry.value as { did?: unknown; id?: unknown } | null;
    if (type !== "oauth_grant" || typeof v?.did !== "string" || typeof v?.id !== "string") return null;
    return OK.userGrant(v.did, wikiId as WikiId, v.id);
  },
};

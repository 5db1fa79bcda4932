/**
 * @module
 * What a credential's non-secret prefix says about where it belongs. Authorization codes, refresh tokens and
 * registered client ids name their wiki (by its immutable id), so the origin-root endpoints of path mode (Claude.ai
 * synthesizes `/token`, `/revoke`, `/authorize` at the origin root) can route them to the right authorization
 * server. The secrets stay random and are stored only as HMACs; the HMAC covers the prefix, so an edited wiki or
 * grant id is an unknown credential.
 *
 * | Credential         | New format                                   | Older format (still accepted at its wiki) |
 * | ------------------ | -------------------------------------------- | ----------------------------------------- |
 * | authorization code | `rwac_{wikiId}.{grantId}.{43 random}`        | `rwac_{grantId}.{43 random}`              |
 * | refresh token      | `rwrt_{wikiId}.{grantId}.{43 random}`        | `rwrt_{grantId}.{43 random}`              |
 * | client id          | `rwc_{wikiId}.{24 base32}`                   | `rwc_{24 base32}`                         |
 * | access token       | `rwat_{wikiId}.{grantId}.{did}.{43 random}`  | (always named its wiki)                   |
 */

/** A wiki id as `newId("w")` makes it. */
const WIKI = "w_[a-z2-7]{20}";
/** A grant id as `newId("g")` makes it. */
const GRANT = "g_[a-z2-7]{20}";

/** Authorization code: group 1 the wiki id (absent in the older format), group 2 the grant id. */
export const CODE_SHAPE: RegExp = new RegExp(`^rwac_(?:(${WIKI})\\.)?(${GRANT})\\.[A-Za-z0-9_-]{43}$`);
/** Refresh token: group 1 the wiki id (absent in the older format), group 2 the grant id. */
export const REFRESH_SHAPE: RegExp = new RegExp(`^rwrt_(?:(${WIKI})\\.)?(${GRANT})\\.[A-Za-z0-9_-]{43}$`);
const CLIENT_SHAPE = new RegExp(`^rwc_(${WIKI})\\.[a-z2-7]{24}$`);
const ACCESS_WIKI = new RegExp(`^rwat_(${WIKI})\\.`);

/** The wiki id a registered client id names, or null (older ids, metadata-document URLs, anything else). */
export function wikiIdOfClientId(clientId: string | null): string | null {
  return clientId?.match(CLIENT_SHAPE)?.[1] ?? null;
}

/** The wiki id a code, refresh token or access token names, or null. */
export function wikiIdOfToken(token: string | null): string | null {
  if (!token) return null;
  return token.match(CODE_SHAPE)?.[1] ?? token.match(REFRESH_SHAPE)?.[1] ?? token.match(ACCESS_WIKI)?.[1] ?? null;
}

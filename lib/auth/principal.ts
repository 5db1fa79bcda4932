/**
 * @module
 * The authentication seam of a wiki's protocol endpoints. A request's `Authorization: Bearer ...` is resolved by a
 * chain of verifiers to a {@link Principal} bound to one wiki, or to a failure that becomes an RFC 6750 challenge.
 *
 * Per-wiki tokens (lib/auth/tokens.ts) are the first verifier; the OAuth issue adds another (JWT access tokens)
 * by implementing {@link Verifier} and putting it in the chain. Each verifier claims the tokens it recognises
 * (e.g. by prefix) and returns `null` for the rest, so the chain stays cheap: one claim, one lookup.
 */
import type { Role, WikiRecord } from "../wiki/types.ts";
import type { WikiId } from "../kv/keys.ts";
import type { Scope } from "./access.ts";

/** Scopes of the wiki's protected resource (defined, with who may hold them, by the access policy). */
export type { Scope } from "./access.ts";

/** Who is calling: the result of authentication, handed to every tool. */
export interface Principal {
  /** Stable identity: `token:<id>` for a per-wiki token; a DID for OAuth grants (later). */
  subject: string;
  /** The wiki the credential is bound to (always the wiki being addressed when authentication succeeds). */
  wikiId: WikiId;
  /** The scopes the credential may use NOW (for OAuth: the grant capped by the user's current role). */
  scopes: ReadonlySet<Scope>;
  /**
   * The most the credential could hold by authorizing again (lib/auth/access.ts `scopeStanding`): for OAuth, what
   * the user's current role allows; for a per-wiki token, its own scopes (a token is never re-scoped).
   */
  attainable: ReadonlySet<Scope>;
  /** The user's current role on the wiki (OAuth principals only; a per-wiki token has no role). */
  role?: Role;
  /** Display name of the client or credential (a token's label, an OAuth client's name); recorded on writes. */
  clientName: string;
  /** Which verifier produced the principal. */
  via: "wiki-token" | "oauth";
  /** OAuth grant id (OAuth principals only). */
  grantId?: string;
  /** OAuth client id (OAuth principals only). */
  clientId?: string;
}

/** The failure description of a valid credential of another wiki (the git endpoint answers it with 403, not 401). */
export const OTHER_WIKI_TOKEN = "The token belongs to another wiki.";

/** Why a request is not authenticated. `missing`: no credentials; `invalid`: unknown, expired, other wiki. */
export type AuthFailure = { kind: "missing" } | { kind: "invalid"; description: string };

/** Result of authenticating a request. */
export type AuthResult = { ok: true; principal: Principal } | { ok: false; failure: AuthFailure };

/**
 * One verifier of bearer tokens. `claims` decides cheaply (no I/O) whether the token is this verifier's kind;
 * `lookupKeys` names the KV keys it needs (read together with the wiki's slug entry in one `getMany`), and
 * `verify` decides from their values. Verifiers that need other I/O may ignore `entries` and do their own.
 */
export interface Verifier {
  /** True when the token has this verifier's shape (prefix, JWT structure). */
  claims(token: string): boolean;
  /** KV keys to read for this token (may be empty). */
  lookupKeys(token: string): Promise<Deno.KvKey[]>;
  /** The principal for `token` on `wiki`, or an invalid-token failure description. */
  verify(
    token: string,
    wiki: WikiRecord,
    entries: Deno.KvEntryMaybe<unknown>[],
  ): Promise<{ ok: true; principal: Principal } | { ok: false; description: string }>;
}

/** Extracts the bearer token of a request: null when there is no Authorization header; "" when it is malformed. */
export function bearerToken(req: Request): string | null {
  const header = req.headers.get("authorization");
  if (header === null) return null;
  const m = header.match(/^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)\s*$/i);
  return m ? m[1] : "";
}

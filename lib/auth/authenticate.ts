/**
 * @module
 * `authenticate`: resolves a request's bearer token to a principal of one wiki, reading the wiki's slug entry and
 * the verifier's records in ONE KV round trip (`getMany`).
 */
import { slugLookupKey, wikiOfSlugEntry } from "../wiki/keys.ts";
import type { WikiRecord } from "../wiki/types.ts";
import { type AuthResult, bearerToken, type Verifier } from "./principal.ts";

/** Outcome of authenticating against a wiki: the wiki (null when the slug names none) and the result. */
export interface WikiAuth {
  /** The wiki, when it exists (not looked up when the request carries no credentials). */
  wiki: WikiRecord | null;
  result: AuthResult;
}

/**
 * Authenticates `req` for the wiki named `slug` with the first verifier that claims its token. No credentials:
 * `missing` without any I/O. Unknown token shape, unknown token, or a token of another wiki: `invalid`.
 */
export async function authenticate(
  kv: Deno.Kv,
  req: Request,
  slug: string,
  verifiers: readonly Verifier[],
): Promise<WikiAuth> {
  const token = bearerToken(req);
  if (token === null) return { wiki: null, result: { ok: false, failure: { kind: "missing" } } };
  const verifier = token === "" ? undefined : verifiers.find((v) => v.claims(token));
  const extra = verifier ? (await verifier.lookupKeys(token!)).slice(0, 9) : [];
  const entries = await kv.getMany([slugLookupKey(slug), ...extra]);
  const wiki = wikiOfSlugEntry(entries[0]);
  if (wiki === null) {
    return { wiki, result: { ok: false, failure: { kind: "invalid", description: "No such wiki." } } };
  }
  if (!verifier) {
    const description = token === "" ? "The Authorization header is malformed." : "The token was not issued here.";
    return { wiki, result: { ok: false, failure: { kind: "invalid", description } } };
  }
  const r = await verifier.verify(token, wiki, entries.slice(1));
  return r.ok
    ? { wiki, result: { ok: true, principal: r.principal } }
    : { wiki, result: { ok: false, failure: { kind: "invalid", description: r.description } } };
}

/**
 * The RFC 6750 `WWW-Authenticate` value for a failure: a bare challenge when credentials are missing,
 * `error="invalid_token"` when they are invalid, `error="insufficient_scope"` when a scope is missing.
 */
export function bearerChallenge(
  prmUrl: string,
  kind: "missing" | "invalid_token" | "insufficient_scope",
  scope: string,
  description?: string,
): string {
  const parts = [`resource_metadata="${prmUrl}"`];
  if (kind !== "missing") parts.push(`error="${kind}"`);
  parts.push(`scope="${scope}"`);
  if (description && kind !== "missing") parts.push(`error_description="${description.replaceAll('"', "'")}"`);
  return `Bearer ${parts.join(", ")}`;
}

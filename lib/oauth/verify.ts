/**
 * @module
 * Access-token verification for the MCP endpoint's authentication seam (lib/auth/principal.ts `Verifier`).
 *
 * The token's non-secret prefix names the wiki id, the grant and the user's DID, so the seam reads everything in
 * ONE `getMany` together with the wiki's slug entry: `[wiki_slug, oauth_access(hmac), oauth_grant, wiki_member]`.
 * That checks, on every call: the token exists and is unexpired, it belongs to the addressed wiki (by immutable
 * id), its grant is not revoked, and the user is still a member, whose CURRENT role caps the scopes (a removed
 * member loses access at once, a demoted one loses `wiki:write` at once). With the page read that is two round
 * trips per tools/call. Last use is written at most once a minute per token.
 */
import { OTHER_WIKI_TOKEN, type Principal, type Scope, type Verifier } from "../auth/principal.ts";
import { scopesForRole, scopesWithinRole } from "../auth/access.ts";
import { memberLookupKey, roleOfMemberEntry } from "../wiki/keys.ts";
import type { OAuthContext, WikiRef } from "./context.ts";
import { type GrantRecord, touchAccessToken } from "./store.ts";
import { accessLookupKeys, readAccessLookup } from "./store_tokens.ts";
import { ACCESS_TOKEN_PREFIX, type AccessRecord } from "./tokens.ts";

/** Last-use times are written at most this often per token (ms). */
export const LAST_USED_RESOLUTION_MS = 60_000;
const LOOKUP_CACHE_SIZE = 1000;
const ACCESS_SHAPE = /^rwat_(w_[a-z2-7]{20})\.(g_[a-z2-7]{20})\.([A-Za-z0-9_-]{1,400})\.[A-Za-z0-9_-]{43}$/;

/** Why a token was refused. */
export type VerifyReason = "malformed" | "unknown" | "expired" | "revoked" | "wrong-wiki" | "not-member";

/** Result of verifying an access token. */
export type VerifyResult =
  | { ok: true; principal: Principal }
  | { ok: false; reason: VerifyReason; description: string };

/** The routing parts of an access token (not secret), or null when it is not one of ours. */
export function parseAccessToken(token: string): { wikiId: string; grantId: string; did: string } | null {
  const m = token.match(ACCESS_SHAPE);
  if (!m) return null;
  try {
    const b64 = m[3].replaceAll("-", "+").replaceAll("_", "/");
    const bytes = Uint8Array.from(atob(b64 + "=".repeat((4 - b64.length % 4) % 4)), (c) => c.charCodeAt(0));
    return { wikiId: m[1], grantId: m[2], did: new TextDecoder("utf-8", { fatal: true }).decode(bytes) };
  } catch {
    return null;
  }
}

const DESCRIPTIONS: Record<VerifyReason, string> = {
  "malformed": "The access token is malformed.",
  "unknown": "The access token is unknown or was revoked.",
  "expired": "The access token has expired; refresh it.",
  "revoked": "The authorization behind this token was revoked; connect the app again.",
  "wrong-wiki": OTHER_WIKI_TOKEN,
  "not-member": "The user who authorized this app is no longer a member of this wiki.",
};

function refuse(reason: VerifyReason): VerifyResult {
  return { ok: false, reason, description: DESCRIPTIONS[reason] };
}

/** Creates the verifier of OAuth access tokens (and `verify` for direct use). */
export function createAccessTokenVerifier(ctx: OAuthContext): Verifier & {
  /** Verifies `token` for `wiki` with its own single `getMany` (outside the seam). */
  verifyAccessToken(token: string, wiki: WikiRef): Promise<VerifyResult>;
  /** Decides from entries read for {@link Verifier.lookupKeys}. */
  decide(token: string, wiki: WikiRef, entries: Deno.KvEntryMaybe<unknown>[]): Promise<VerifyResult>;
} {
  const cache = new Map<string, Deno.KvKey[]>();

  async function lookupKeys(token: string): Promise<Deno.KvKey[]> {
    const hit = cache.get(token);
    if (hit) return hit;
    const parts = parseAccessToken(token);
    if (!parts) return [];
    const hashes = await ctx.keys.hmacAll("token-hash", token);
    const keys = accessLookupKeys(parts.wikiId, parts.grantId, memberLookupKey(parts.wikiId, parts.did), hashes);
    if (cache.size >= LOOKUP_CACHE_SIZE) cache.delete(cache.keys().next().value!);
    cache.set(token, keys);
    return keys;
  }

  async function decide(token: string, wiki: WikiRef, entries: Deno.KvEntryMaybe<unknown>[]): Promise<VerifyResult> {
    const parts = parseAccessToken(token);
    if (!parts || entries.length < 3) return refuse("malformed");
    if (parts.wikiId !== wiki.id) return refuse("wrong-wiki");
    const [grantEntry, memberEntry, ...accessEntries] = entries;
    const accessEntry = accessEntries.find((e) => e.value !== null) as Deno.KvEntry<AccessRecord> | undefined;
    if (!accessEntry) return refuse("unknown");
    const a = accessEntry.value;
    if (a.wikiId !== wiki.id || a.grantId !== parts.grantId || a.did !== parts.did) return refuse("malformed");
    const t = ctx.now();
    if (a.expiresAt <= t) return refuse("expired");
    const g = grantEntry.value as GrantRecord | null;
    if (!g || g.expiresAt <= t || g.status !== "active" || g.id !== a.grantId) return refuse("revoked");
    const role = roleOfMemberEntry(memberEntry);
    if (role === null) return refuse("not-member");
    const scopes = new Set<Scope>(scopesWithinRole(a.scopes.filter((s) => g.scopes.includes(s)), role));
    if (a.lastUsedAt === null || t - a.lastUsedAt >= LAST_USED_RESOLUTION_MS) {
      // Guarded by the versionstamp: a lost race is harmless; a deleted record is never written back.
      await touchAccessToken(ctx.kv, accessEntry, g, t);
    }
    return {
      ok: true,
      principal: {
        subject: a.did,
        wikiId: wiki.id,
        scopes,
        attainable: new Set(scopesForRole(role)),
        role,
        clientName: g.clientName,
        via: "oauth",
        grantId: g.id,
        clientId: g.clientId,
      },
    };
  }

  return {
    claims: (token) => token.startsWith(ACCESS_TOKEN_PREFIX),
    lookupKeys,
    async verify(token, wiki, entries) {
      const r = await decide(token, wiki, entries);
      return r.ok ? r : { ok: false, description: r.description };
    },
    decide,
    async verifyAccessToken(token, wiki) {
      const keys = await lookupKeys(token);
      if (keys.length === 0) return refuse("malformed");
      return await decide(token, wiki, await readAccessLookup(ctx.kv, keys));
    },
  };
}

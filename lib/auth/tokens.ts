/**
 * @module
 * Per-wiki bearer tokens (for Claude Code and scripts): `rwtf_` + 43 random base64url chars, shown once at creation
 * and stored only as an HMAC-SHA256 under the key registry's `token-hash` key. A token is bound to the wiki's
 * immutable id, carries `wiki:read` (and `wiki:write` unless read-only), a label, and its creation and last-use
 * times. A wiki can have several; revoking deletes the lookup record at once.
 */
import { fitsKeyPart, type WikiId } from "../kv/keys.ts";
import type { KeyRing } from "../keys.ts";
import { newId, randomToken } from "../ids.ts";
import { InvalidInputError, NotFoundError } from "../errors.ts";
import type { WikiRecord } from "../wiki/types.ts";
import { OTHER_WIKI_TOKEN, type Principal, type Verifier } from "./principal.ts";
import { tokenScopes } from "./access.ts";
import {
  deleteToken,
  insertToken,
  listTokenRecords,
  tokenLookupKeys,
  tokenOfEntries,
  type TokenRecord,
  touchToken,
} from "./token_store.ts";

export type { TokenRecord } from "./token_store.ts";

/** Prefix of every per-wiki token: lets the verifier chain pick the right verifier without I/O. */
export const TOKEN_PREFIX = "rwtf_";
/** Last-use times are written at most this often per token (ms). */
export const LAST_USED_RESOLUTION_MS = 60_000;
/** Tokens whose lookup keys (HMACs) are kept in memory per process. */
const LOOKUP_CACHE_SIZE = 1000;
/** Longest label accepted. */
export const MAX_LABEL_LENGTH = 80;

/** Token management and verification for all wikis. */
export interface WikiTokens {
  /** Creates a token; the secret is returned once and never stored. */
  create(
    wiki: WikiRecord,
    opts: { label: string; readOnly?: boolean },
  ): Promise<{ token: string; record: TokenRecord }>;
  /** A wiki's tokens, oldest first. */
  list(wikiId: WikiId): Promise<TokenRecord[]>;
  /** Revokes a token at once (NotFoundError when the wiki has no such token). */
  revoke(wikiId: WikiId, tokenId: string): Promise<void>;
  /** The verifier for the authentication chain. */
  verifier(): Verifier;
}

/** Creates the token registry on KV with the key registry's `token-hash` secret. */
export function createWikiTokens(deps: { kv: Deno.Kv; keys: KeyRing; now?: () => number }): WikiTokens {
  const { kv, keys } = deps;
  const now = deps.now ?? Date.now;

  // token -> lookup keys: the HMACs cost ~0.05 ms per request; the record itself is still read from KV every time,
  // so a revoked token is refused at once. Bounded; oldest entries go first.
  const lookupCache = new Map<string, Deno.KvKey[]>();
  async function lookupKeys(token: string): Promise<Deno.KvKey[]> {
    const hit = lookupCache.get(token);
    if (hit) return hit;
    const keysFor = tokenLookupKeys(await keys.hmacAll("token-hash", token));
    if (lookupCache.size >= LOOKUP_CACHE_SIZE) lookupCache.delete(lookupCache.keys().next().value!);
    lookupCache.set(token, keysFor);
    return keysFor;
  }

  async function touch(entry: Deno.KvEntry<TokenRecord>): Promise<void> {
    const t = now();
    if (entry.value.lastUsedAt !== null && t - entry.value.lastUsedAt < LAST_USED_RESOLUTION_MS) return;
    // Guarded by the versionstamp: a revoked (deleted) token is never written back; a lost race is harmless.
    await touchToken(kv, entry, t);
  }

  return {
    async create(wiki, opts) {
      const label = String(opts.label ?? "").trim();
      if (label === "" || label.length > MAX_LABEL_LENGTH) {
        throw new InvalidInputError(`A token needs a label of 1 to ${MAX_LABEL_LENGTH} characters (e.g. "laptop").`);
      }
      const token = TOKEN_PREFIX + randomToken(32);
      const hash = await keys.hmac("token-hash", token);
      const record: TokenRecord = {
        id: newId("tok"),
        wikiId: wiki.id,
        scopes: tokenScopes(Boolean(opts.readOnly)),
        label,
        createdAt: now(),
        lastUsedAt: null,
      };
      if (!(await insertToken(kv, hash, record))) throw new Error("token collision (should never happen)");
      return { token, record };
    },

    async list(wikiId) {
      const out = await listTokenRecords(kv, wikiId);
      return out.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
    },

    async revoke(wikiId, tokenId) {
      const missing = () =>
        new NotFoundError(`This wiki has no token ${tokenId.slice(0, 40)}. List the tokens to see ids.`);
      // An id from a URL can be any length; one too long for a KV key names no token (and KV would throw).
      if (!fitsKeyPart(tokenId)) throw missing();
      if (!(await deleteToken(kv, wikiId, tokenId))) throw missing();
    },

    verifier(): Verifier {
      return {
        claims: (token) => token.startsWith(TOKEN_PREFIX),
        lookupKeys,
        async verify(_token, wiki, entries) {
          const entry = tokenOfEntries(entries);
          if (!entry) return { ok: false, description: "The token is unknown or was revoked." };
          const rec = entry.value;
          if (rec.wikiId !== wiki.id) return { ok: false, description: OTHER_WIKI_TOKEN };
          await touch(entry);
          const principal: Principal = {
            subject: `token:${rec.id}`,
            wikiId: rec.wikiId,
            scopes: new Set(rec.scopes),
            attainable: new Set(rec.scopes),
            clientName: rec.label,
            via: "wiki-token",
          };
          return { ok: true, principal };
        },
      };
    },
  };
}

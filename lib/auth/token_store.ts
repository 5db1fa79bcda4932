/**
 * @module
 * The token store: every KV record of the per-wiki `rwtf_` tokens (lib/auth/tokens.ts), their keys, reads and
 * writes, and the part's deletion hooks. A token is found by the HMAC of its secret (`wiki_token_hash`, holding the
 * record); `wiki_token` indexes a wiki's tokens by id and holds that HMAC, so revoking and deleting a wiki remove
 * both. docs/kv-schema.md "MCP tokens" describes the values.
 */
import { type KeyPrefix, parseKeyPrefixes, type StorePart, type WikiId } from "../kv/keys.ts";
import { deletePrefix } from "../kv/purge.ts";
import type { Scope } from "./principal.ts";

/** A stored token (everything but the secret). */
export interface TokenRecord {
  id: string;
  wikiId: WikiId;
  scopes: Scope[];
  label: string;
  createdAt: number;
  lastUsedAt: number | null;
}

/** Value of `wiki_token`: the hash, so revoking can delete the lookup record. */
interface WikiTokenIndex {
  hash: string;
}

/** KV keys of the token store. */
export const TokenKeys = {
  /** A per-wiki bearer token, found by the HMAC of the secret (the secret itself is never stored). */
  tokenByHash: (hash: string) => ["wiki_token_hash", hash] as const,
  /** A wiki's token, by id: listing and revoking (holds the hash to delete the lookup key with it). */
  wikiToken: (wikiId: WikiId, tokenId: string) => ["wiki_token", wikiId, tokenId] as const,
  /** Prefix of a wiki's tokens. */
  wikiTokens: (wikiId: WikiId) => ["wiki_token", wikiId] as const,
} as const;

/** The token store's prefixes. */
export const TOKEN_PREFIXES: readonly KeyPrefix[] = parseKeyPrefixes(`
  wiki   wiki_token_hash  a per-wiki token's record, by the HMAC of the token
  wiki   wiki_token       index of a wiki's tokens by id (holds the HMAC)
`);

/** Stores a new token under its HMAC; false when that HMAC is taken (never, for random tokens). */
export async function insertToken(kv: Deno.Kv, hash: string, record: TokenRecord): Promise<boolean> {
  const res = await kv.atomic()
    .check({ key: TokenKeys.tokenByHash(hash), versionstamp: null })
    .set(TokenKeys.tokenByHash(hash), record)
    .set(TokenKeys.wikiToken(record.wikiId, record.id), { hash } satisfies WikiTokenIndex)
    .commit();
  return res.ok;
}

/** A wiki's token records, in no particular order. */
export async function listTokenRecords(kv: Deno.Kv, wikiId: WikiId): Promise<TokenRecord[]> {
  const hashes: string[] = [];
  for await (const e of kv.list<WikiTokenIndex>({ prefix: TokenKeys.wikiTokens(wikiId) })) hashes.push(e.value.hash);
  const out: TokenRecord[] = [];
  for (let i = 0; i < hashes.length; i += 10) {
    const got = await kv.getMany<TokenRecord[]>(hashes.slice(i, i + 10).map((h) => TokenKeys.tokenByHash(h)));
    for (const e of got) if (e.value) out.push(e.value);
  }
  return out;
}

/** Deletes a wiki's token `tokenId` (index and record in one commit); false when the wiki has no such token. */
export async function deleteToken(kv: Deno.Kv, wikiId: WikiId, tokenId: string): Promise<boolean> {
  const idx = await kv.get<WikiTokenIndex>(TokenKeys.wikiToken(wikiId, tokenId));
  if (idx.value === null) return false;
  await kv.atomic().delete(TokenKeys.wikiToken(wikiId, tokenId)).delete(TokenKeys.tokenByHash(idx.value.hash))
    .commit();
  return true;
}

/** The keys to read (in the caller's `getMany`) for a token with these HMACs ({@link tokenOfEntries}). */
export function tokenLookupKeys(hashes: readonly string[]): Deno.KvKey[] {
  return hashes.map((h) => TokenKeys.tokenByHash(h));
}

/** The token found among entries read at {@link tokenLookupKeys}, or undefined. */
export function tokenOfEntries(entries: readonly Deno.KvEntryMaybe<unknown>[]): Deno.KvEntry<TokenRecord> | undefined {
  return entries.find((e) => e.value !== null) as Deno.KvEntry<TokenRecord> | undefined;
}

/** Records the token's last use at `t`, guarded by the entry's versionstamp: a revoked token is never written back. */
export async function touchToken(kv: Deno.Kv, entry: Deno.KvEntry<TokenRecord>, t: number): Promise<void> {
  await kv.atomic().check(entry).set(entry.key, { ...entry.value, lastUsedAt: t }).commit();
}

/** Deletes every token of a wiki, each `wiki_token` with the `wiki_token_hash` it points at. Returns how many. */
export async function forgetWiki(kv: Deno.Kv, wikiId: WikiId): Promise<number> {
  return await deletePrefix(kv, TokenKeys.wikiTokens(wikiId), (entry) => {
    const hash = (entry.value as { hash?: unknown } | null)?.hash;
    return typeof hash === "string" ? TokenKeys.tokenByHash(hash) : null;
  });
}

/** Tokens belong to wikis, not to people: nothing to forget of a person. */
export function forgetUser(_kv: Deno.Kv, _did: string): Promise<number> {
  return Promise.resolve(0);
}

/** The token store as a part of the app (lib/platform/key_registry.ts, lib/platform/wiki_lifecycle.ts). */
export const TOKEN_STORE: StorePart = {
  part: "lib/auth/token_store.ts",
  prefixes: TOKEN_PREFIXES,
  forgetWiki,
  forgetUser,
};

/**
 * @module
 * The OAuth store's records of the token endpoint and of token checks (part of the OAuth store, lib/oauth/store.ts,
 * which owns the keys): one read of everything a code exchange or a refresh needs (secret, grant, member, client),
 * the commit that writes its result, and the writes of issued tokens. lib/oauth/tokens.ts and verify.ts decide;
 * these functions are their only KV access.
 */
import type { WikiId } from "../kv/keys.ts";
import { type GrantRecord, OK } from "./store.ts";
import type { ClientRecord } from "./clients.ts";
import type { AccessRecord, RefreshRecord } from "./tokens.ts";
import type { CodeRecord } from "./authorize.ts";

/** What a token request reads in one round trip. */
export interface TokenRequestRead<S> {
  /** The code or refresh token, found under one of its hashes (one per `token-hash` key version). */
  secret: Deno.KvEntry<S> | null;
  grant: Deno.KvEntryMaybe<GrantRecord>;
  /** The member record asked for (the grant's user's, when known), else undefined. */
  member: Deno.KvEntryMaybe<unknown> | undefined;
  /** The registered client asked for, else null. */
  client: Deno.KvEntryMaybe<ClientRecord> | null;
}

/** Which records to read for a token request. */
export interface TokenRequestKeys {
  kind: "code" | "refresh";
  wikiId: WikiId;
  /** The secret's HMACs, one per key version. */
  hashes: readonly string[];
  grantId: string;
  /** The member record to read alongside (lib/oauth/role_now.ts), if its user is known. */
  memberKey?: Deno.KvKey;
  /** The registered client's key (client_auth.ts), if the request names one. */
  clientKey?: Deno.KvKey | null;
}

/** Reads a token request's records with ONE `getMany`. */
export async function readTokenRequest<S extends CodeRecord | RefreshRecord>(
  kv: Deno.Kv,
  k: TokenRequestKeys,
): Promise<TokenRequestRead<S>> {
  const secretKey = k.kind === "code" ? OK.code : OK.refresh;
  const keys: Deno.KvKey[] = k.hashes.map((h) => secretKey(k.wikiId, h));
  keys.push(OK.grant(k.wikiId, k.grantId));
  if (k.memberKey) keys.push(k.memberKey);
  if (k.clientKey) keys.push(k.clientKey);
  const read = await kv.getMany<unknown[]>(keys);
  const client = k.clientKey ? read.pop() as Deno.KvEntryMaybe<ClientRecord> : null;
  const member = k.memberKey ? read.pop() : undefined;
  const grant = read.pop() as Deno.KvEntryMaybe<GrantRecord>;
  const secret = (read.find((e) => e.value !== null) as Deno.KvEntry<S> | undefined) ?? null;
  return { secret, grant, member, client };
}

/** Opens the commit of a token request, checked against the entries it read (none changed meanwhile). */
export function tokenCommit(kv: Deno.Kv, ...read: Deno.KvEntryMaybe<unknown>[]): Deno.AtomicOperation {
  const op = kv.atomic();
  for (const e of read) op.check(e);
  return op;
}

/** Adds the rewrite of a code or refresh token record read as `entry` (consumed, rotated) to `op`. */
export function rewriteSecret<S extends CodeRecord | RefreshRecord>(
  op: Deno.AtomicOperation,
  entry: Deno.KvEntry<S>,
  value: S,
  ttlMs: number,
): Deno.AtomicOperation {
  return op.set(entry.key, value, { expireIn: Math.max(1, ttlMs) });
}

/** Adds a new access token's record (by its HMAC) to `op`. */
export function putAccessToken(op: Deno.AtomicOperation, hash: string, rec: AccessRecord, ttlMs: number) {
  return op.set(OK.access(rec.wikiId, hash), rec, { expireIn: ttlMs });
}

/** Adds a new refresh token's record (by its HMAC) to `op`. */
export function putRefreshToken(op: Deno.AtomicOperation, hash: string, rec: RefreshRecord, ttlMs: number) {
  return op.set(OK.refresh(rec.wikiId, hash), rec, { expireIn: ttlMs });
}

/**
 * Adds the extension of a registered client's lifetime to `op`, under a check of `entry` (read in the same attempt):
 * when it would expire before `until`, to `until + slackMs`. A client that vanished meanwhile (wiki deleted) fails
 * the check.
 */
export function extendClient(
  op: Deno.AtomicOperation,
  entry: Deno.KvEntryMaybe<ClientRecord>,
  until: number,
  slackMs: number,
  now: number,
): void {
  op.check(entry);
  const rec = entry.value;
  if (!rec || rec.expiresAt >= until) return;
  const expiresAt = until + slackMs;
  op.set(entry.key, { ...rec, expiresAt }, { expireIn: expiresAt - now });
}

/** The keys a check of an access token reads (its grant, its user's member record, the token by each HMAC). */
export function accessLookupKeys(
  wikiId: WikiId,
  grantId: string,
  memberKey: Deno.KvKey,
  hashes: readonly string[],
): Deno.KvKey[] {
  return [OK.grant(wikiId, grantId), memberKey, ...hashes.map((h) => OK.access(wikiId, h))];
}

/** Reads the records of {@link accessLookupKeys} in one round trip. */
export async function readAccessLookup(kv: Deno.Kv, keys: Deno.KvKey[]): Promise<Deno.KvEntryMaybe<unknown>[]> {
  return await kv.getMany(keys);
}

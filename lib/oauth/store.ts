/**
 * @module
 * The OAuth store: every KV key of the authorization server (docs/oauth.md describes the values, lifetimes and
 * atomic checks), their registered prefixes, the grant records every token points to, and the part's deletion
 * hooks. With lib/oauth/store_requests.ts (clients, metadata-document cache, consents, approvals) and
 * lib/oauth/store_tokens.ts (the token endpoint's reads and commits, token checks) it is the part's only KV access. Wiki-scoped keys put the wiki's immutable id second, so deleting a wiki is one `list({ prefix })` per type
 * and a deleted and re-claimed slug (new wiki id) inherits nothing.
 *
 * Grants: one user's authorization of one client on one wiki. Revoking a grant (deleting it) invalidates its access
 * and refresh tokens at once, because both are checked against the live grant on every use. There is at most one
 * grant per (wiki, user, app), an app being a metadata-document client id, or a registered client's name and
 * redirect URIs ({@link appKeyOf}): re-authorizing replaces it, also when the app registered again (Claude.ai
 * registers a new client on every connect), so Connected apps does not fill with copies of the same app.
 */
import type { Scope } from "../auth/principal.ts";
import { type KeyPrefix, parseKeyPrefixes, type StorePart, type WikiId } from "../kv/keys.ts";
import { getLive, isLive } from "../kv/expiring.ts";
import { deleteKeys, deletePrefix } from "../kv/purge.ts";
import { base64url } from "../ids.ts";
import { wikiIdsOfUser } from "../wiki/keys.ts";
import type { AccessRecord, RefreshRecord } from "./tokens.ts";

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
  /** Prefix of a wiki's grants. */
  grants: (wikiId: WikiId) => ["oauth_grant", wikiId] as const,
  /**
   * Index (wiki, user, app) -> grant id: THE grant of that triple (re-authorizing replaces it). `appKey` is
   * {@link appKeyOf}: a metadata-document client id, or `app:` and a hash of a registered client's name and redirect
   * URIs (grants stored before app keys existed are indexed by their client id).
   */
  grantOf: (wikiId: WikiId, did: string, appKey: string) => ["oauth_grant_of", wikiId, did, appKey] as const,
  /** Index of a user's grants on all wikis (account deletion). */
  userGrant: (did: string, wikiId: WikiId, grantId: string) => ["oauth_user_grant", did, wikiId, grantId] as const,
  /** Prefix of a user's grants on all wikis. */
  userGrants: (did: string) => ["oauth_user_grant", did] as const,
  /** Last use of a grant's access tokens (`{ at }`), written at most once a minute per token. */
  grantUsed: (wikiId: WikiId, grantId: string) => ["oauth_grant_used", wikiId, grantId] as const,
  /** A refresh token, by the HMAC of the token. */
  refresh: (wikiId: WikiId, hash: string) => ["oauth_refresh", wikiId, hash] as const,
  /** An access token, by the HMAC of the token. */
  access: (wikiId: WikiId, hash: string) => ["oauth_access", wikiId, hash] as const,
} as const;

/** The OAuth store's prefixes. */
export const OAUTH_PREFIXES: readonly KeyPrefix[] = parseKeyPrefixes(`
  wiki   oauth_client      a registered (DCR) client of a wiki
  wiki   oauth_consent     an authorization request waiting for consent
  wiki   oauth_code        an authorization code, by HMAC
  wiki   oauth_grant       a grant: one user's authorization of one client
  wiki   oauth_grant_of    index (wiki, user, app) -> grant id
  wiki   oauth_grant_used  last use of a grant's access tokens
  wiki   oauth_refresh     a refresh token, by HMAC
  wiki   oauth_access      an access token, by HMAC
  global oauth_cimd        a cached client ID metadata document, by URL
  user   oauth_user_grant  index of a user's grants on all wikis
`);

/** Types deleted with a wiki by prefix `[type, wikiId]`: every wiki-scoped type, grants first. */
const WIKI_TYPES = OAUTH_PREFIXES.filter((p) => p.scope === "wiki").map((p) => p.type)
  .sort((a, b) => (a === "oauth_grant" ? -1 : b === "oauth_grant" ? 1 : 0));

/** Wiki-scoped types whose records name the person they were issued to (`did`): account deletion removes them. */
const PERSONAL_TYPES = ["oauth_consent", "oauth_code", "oauth_refresh", "oauth_access"] as const;

/** A grant as stored under `OK.grant`. `pending` until its code is exchanged. */
export interface GrantRecord {
  id: string;
  wikiId: WikiId;
  did: string;
  clientId: string;
  clientName: string;
  clientKind: "registered" | "metadata-document";
  /** The redirect URI the grant was made for (its host is shown in Connected apps). */
  redirectUri: string;
  scopes: Scope[];
  resource: string;
  /** True when refresh tokens are issued (the client registered the refresh_token grant). */
  refresh: boolean;
  status: "pending" | "active";
  createdAt: number;
  expiresAt: number;
  /** The app this grant is for ({@link appKeyOf}); absent on grants stored before app keys (then: the client id). */
  appKey?: string;
}

/** What names an app: the client id, its kind, display name and registered redirect URIs. */
export interface AppIdentity {
  clientId: string;
  clientKind: "registered" | "metadata-document";
  /** The registered `client_name`, or null when the client registered none. */
  name: string | null;
  redirectUris: readonly string[];
}

/**
 * The key of the app a client stands for: a metadata-document client is its URL (one client id per app); a
 * registered client with a name is `app:` plus the SHA-256 of its name and sorted redirect URIs, so each of the
 * registrations Claude.ai makes (a new one per connect) is the same app; a registered client without a name is
 * only itself (its client id).
 */
export async function appKeyOf(app: AppIdentity): Promise<string> {
  if (app.clientKind === "metadata-document" || app.name === null) return app.clientId;
  const text = JSON.stringify([app.name, [...new Set(app.redirectUris)].sort()]);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return "app:" + base64url(new Uint8Array(digest));
}

/** The `grantOf` key component of a stored grant (its app key; its client id for grants stored before app keys). */
export function grantAppKey(grant: Pick<GrantRecord, "clientId" | "appKey">): string {
  return grant.appKey ?? grant.clientId;
}

/** Value of the `grantOf` and `userGrant` indexes. */
export interface GrantPointer {
  grantId: string;
  expiresAt: number;
}

/** Adds the writes that store `grant` and its indexes with its `expiresAt` to `op`. */
export function putGrant(op: Deno.AtomicOperation, grant: GrantRecord, now: number): Deno.AtomicOperation {
  const ttl = Math.max(1, grant.expiresAt - now);
  const ptr: GrantPointer = { grantId: grant.id, expiresAt: grant.expiresAt };
  return op
    .set(OK.grant(grant.wikiId, grant.id), grant, { expireIn: ttl })
    .set(OK.grantOf(grant.wikiId, grant.did, grantAppKey(grant)), ptr, { expireIn: ttl })
    .set(OK.userGrant(grant.did, grant.wikiId, grant.id), ptr, { expireIn: ttl });
}

/** Adds the deletes of `grant` and its index entries to `op` (the `grantOf` pointer only if it points to it). */
export function deleteGrantOps(
  op: Deno.AtomicOperation,
  grant: Pick<GrantRecord, "id" | "wikiId" | "did" | "clientId" | "appKey">,
  pointsHere: boolean,
): Deno.AtomicOperation {
  op.delete(OK.grant(grant.wikiId, grant.id))
    .delete(OK.userGrant(grant.did, grant.wikiId, grant.id))
    .delete(OK.grantUsed(grant.wikiId, grant.id));
  if (pointsHere) op.delete(OK.grantOf(grant.wikiId, grant.did, grantAppKey(grant)));
  return op;
}

/** Reads a live grant. */
export async function getGrant(kv: Deno.Kv, wikiId: WikiId, grantId: string, now: number): Promise<GrantRecord | null> {
  return (await getLive<GrantRecord>(kv, OK.grant(wikiId, grantId), now)).value;
}

/**
 * Revokes a grant: deletes it and its indexes, so every access and refresh token of it fails at once (their
 * records expire on their own). Returns false when there was no live grant.
 */
export async function deleteGrant(kv: Deno.Kv, wikiId: WikiId, grantId: string, now: number): Promise<boolean> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const entry = await kv.get<GrantRecord>(OK.grant(wikiId, grantId));
    const g = entry.value;
    if (!g) return false;
    const of = await kv.get<GrantPointer>(OK.grantOf(wikiId, g.did, grantAppKey(g)));
    const pointsHere = of.value?.grantId === grantId;
    const op = kv.atomic().check(entry).check(of);
    if ((await deleteGrantOps(op, g, pointsHere).commit()).ok) return isLive(g, now);
  }
  throw new Error(`could not revoke grant ${grantId}: it kept changing`);
}

/** A wiki's live, active grants with their last use (`null`: never used), in no particular order. */
export async function listActiveGrants(
  kv: Deno.Kv,
  wikiId: WikiId,
  now: number,
): Promise<{ grant: GrantRecord; lastUsedAt: number | null }[]> {
  const grants: GrantRecord[] = [];
  for await (const e of kv.list<GrantRecord>({ prefix: OK.grants(wikiId) })) {
    if (isLive(e.value, now) && e.value.status === "active") grants.push(e.value);
  }
  const out: { grant: GrantRecord; lastUsedAt: number | null }[] = [];
  for (let i = 0; i < grants.length; i += 10) {
    const chunk = grants.slice(i, i + 10);
    const used = await kv.getMany<{ at: number }[]>(chunk.map((g) => OK.grantUsed(wikiId, g.id)));
    chunk.forEach((grant, j) => out.push({ grant, lastUsedAt: used[j].value?.at ?? null }));
  }
  return out;
}

/** Deletes the access token stored under one of `hashes` when it is `clientId`'s; true when one was deleted. */
export async function revokeAccessToken(
  kv: Deno.Kv,
  wikiId: WikiId,
  hashes: readonly string[],
  clientId: string,
): Promise<boolean> {
  for (const h of hashes) {
    const e = await kv.get<AccessRecord>(OK.access(wikiId, h));
    if (e.value && e.value.clientId === clientId) {
      await kv.atomic().check(e).delete(e.key).commit();
      return true;
    }
  }
  return false;
}

/**
 * Deletes the refresh token stored under one of `hashes` when it is `clientId`'s, and its whole grant (RFC 7009
 * §2.1); true when one was found.
 */
export async function revokeRefreshToken(
  kv: Deno.Kv,
  wikiId: WikiId,
  hashes: readonly string[],
  clientId: string,
  now: number,
): Promise<boolean> {
  for (const h of hashes) {
    const e = await kv.get<RefreshRecord>(OK.refresh(wikiId, h));
    if (e.value && e.value.clientId === clientId) {
      await kv.delete(e.key);
      await deleteGrant(kv, wikiId, e.value.grantId, now);
      return true;
    }
  }
  return false;
}

/**
 * Records the last use of an access token and of its grant at `t`, guarded by the token entry's versionstamp: a
 * lost race is harmless; a deleted (revoked) record is never written back.
 */
export async function touchAccessToken(
  kv: Deno.Kv,
  entry: Deno.KvEntry<AccessRecord>,
  grant: GrantRecord,
  t: number,
): Promise<void> {
  await kv.atomic().check(entry)
    .set(entry.key, { ...entry.value, lastUsedAt: t }, { expireIn: Math.max(1, entry.value.expiresAt - t) })
    .set(OK.grantUsed(entry.value.wikiId, grant.id), { at: t, expiresAt: grant.expiresAt }, {
      expireIn: Math.max(1, grant.expiresAt - t),
    })
    .commit();
}

/**
 * Deletes every OAuth record of a wiki: clients, grants (each with its person's `oauth_user_grant` pointer, in the
 * same commit), codes, tokens, consents, last-use records. Returns how many keys it deleted.
 */
export async function forgetWiki(kv: Deno.Kv, wikiId: WikiId): Promise<number> {
  let n = 0;
  for (const type of WIKI_TYPES) {
    n += await deletePrefix(kv, [type, wikiId], (entry) => {
      const v = entry.value as { did?: unknown; id?: unknown } | null;
      if (type !== "oauth_grant" || typeof v?.did !== "string" || typeof v?.id !== "string") return null;
      return OK.userGrant(v.did, wikiId, v.id);
    });
  }
  return n;
}

/** Revokes every grant a person gave, on every wiki. Returns how many were live, and the wikis of all of them. */
export async function revokeUserGrants(kv: Deno.Kv, did: string, now: number): Promise<{ n: number; wikis: WikiId[] }> {
  const ids: { wikiId: string; grantId: string; key: Deno.KvKey }[] = [];
  for await (const e of kv.list<GrantPointer>({ prefix: OK.userGrants(did) })) {
    ids.push({ wikiId: e.key[2] as string, grantId: e.key[3] as string, key: e.key });
  }
  let n = 0;
  for (const { wikiId, grantId, key } of ids) {
    if (await deleteGrant(kv, wikiId, grantId, now)) n++;
    await deleteKeys(kv, [key]);
  }
  return { n, wikis: ids.map((i) => i.wikiId) };
}

/**
 * Account deletion: revokes every grant a person gave, on every wiki ({@link revokeUserGrants}), and deletes their
 * consents, codes and tokens there (revoking a grant already makes those fail; as the person's account goes, their
 * records go too instead of lapsing at expiry). The wikis looked at are those of the person's grants and
 * memberships. Returns how many grants were live (`now`, default the clock).
 */
export async function forgetUser(kv: Deno.Kv, did: string, now: number = Date.now()): Promise<number> {
  const revoked = await revokeUserGrants(kv, did, now);
  for (const wikiId of new Set([...revoked.wikis, ...await wikiIdsOfUser(kv, did)])) {
    for (const type of PERSONAL_TYPES) {
      const doomed: Deno.KvKey[] = [];
      for await (const e of kv.list<{ did?: unknown }>({ prefix: [type, wikiId] })) {
        if (e.value?.did === did) doomed.push(e.key);
      }
      await deleteKeys(kv, doomed);
    }
  }
  return revoked.n;
}

/** The OAuth store as a part of the app (lib/platform/key_registry.ts, lib/platform/wiki_lifecycle.ts). */
export const OAUTH_STORE: StorePart = { part: "lib/oauth/store.ts", prefixes: OAUTH_PREFIXES, forgetWiki, forgetUser };

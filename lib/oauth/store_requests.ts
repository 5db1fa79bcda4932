/**
 * @module
 * The OAuth store's records of the authorization steps (part of the OAuth store, lib/oauth/store.ts, which owns the
 * keys): registered clients, the cache of client ID metadata documents, pending consents, and the approval that
 * stores a grant with its authorization code. The endpoint modules (registration.ts, clients.ts, consent.ts) decide;
 * these functions are their only KV access.
 */
import type { WikiId } from "../kv/keys.ts";
import { getLive, isLive, setExpiring } from "../kv/expiring.ts";
import { deleteGrantOps, type GrantPointer, type GrantRecord, OK, putGrant } from "./store.ts";
import type { ClientRecord } from "./clients.ts";
import type { CodeRecord } from "./authorize.ts";

/** A live registered client, or null. */
export async function readClient(kv: Deno.Kv, wikiId: WikiId, clientId: string, now: number) {
  return (await getLive<ClientRecord>(kv, OK.client(wikiId, clientId), now)).value;
}

/** The entry of a registered client under `key` (a key from {@link OK.client}), for a check in the same commit. */
export async function readClientEntry(kv: Deno.Kv, key: Deno.KvKey): Promise<Deno.KvEntryMaybe<ClientRecord>> {
  return await kv.get<ClientRecord>(key);
}

/** Stores a new registration, expiring `ttlMs` after `now` unless used; false if its id was taken (never in practice). */
export async function createClient(kv: Deno.Kv, record: ClientRecord, ttlMs: number, now: number): Promise<boolean> {
  const key = OK.client(record.wikiId, record.clientId);
  const { expiresAt: _e, ...value } = record;
  return (await setExpiring(kv.atomic().check({ key, versionstamp: null }), key, value, ttlMs, now).commit()).ok;
}

/** A cached metadata-document lookup by URL: the validated client, or why it failed. */
export type CachedDocument<C> = { client: C } | { failure: string };

/** The live cache entry of the metadata document at `url`, or null. */
export async function readCachedDocument<C>(kv: Deno.Kv, url: string, now: number): Promise<CachedDocument<C> | null> {
  return (await getLive<CachedDocument<C>>(kv, OK.cimd(url), now)).value;
}

/** Caches a metadata-document lookup for `ttlMs`. */
export async function cacheDocument<C>(
  kv: Deno.Kv,
  url: string,
  value: CachedDocument<C>,
  ttlMs: number,
  now: number,
): Promise<void> {
  await setExpiring(kv.atomic(), OK.cimd(url), value, ttlMs, now).commit();
}

/** Stores a pending consent (single use) for `ttlMs`. */
export async function putConsent<R extends { wikiId: WikiId; id: string }>(
  kv: Deno.Kv,
  record: R,
  ttlMs: number,
): Promise<void> {
  await kv.set(OK.consent(record.wikiId, record.id), record, { expireIn: ttlMs });
}

/**
 * Takes a pending consent: `check` decides from the live record (null: it is gone) whether it may be used; when it
 * says yes, the record is deleted under a check of the read, so it is used once. Returns the record, "gone" (absent,
 * expired, or taken concurrently), or what `check` refused with.
 */
export async function takeConsentRecord<R, E>(
  kv: Deno.Kv,
  wikiId: WikiId,
  requestId: string,
  now: number,
  check: (record: R) => E | null,
): Promise<R | E | "gone"> {
  const key = OK.consent(wikiId, requestId);
  const entry = await getLive<R>(kv, key, now);
  if (!entry.value) return "gone";
  const refused = check(entry.value);
  if (refused !== null) return refused;
  const res = await kv.atomic().check({ key, versionstamp: entry.versionstamp }).delete(key).commit();
  return res.ok ? entry.value : "gone";
}

/** The live grant the pointer (wiki, user, app) names, or null. */
export async function grantOfApp(kv: Deno.Kv, wikiId: WikiId, did: string, appKey: string, now: number) {
  const ptr = (await getLive<GrantPointer>(kv, OK.grantOf(wikiId, did, appKey), now)).value;
  return ptr ? (await getLive<GrantRecord>(kv, OK.grant(wikiId, ptr.grantId), now)).value : null;
}

/** What {@link storeApproval} stores: THE grant of (wiki, user, app) and its authorization code. */
export interface Approval {
  grant: GrantRecord;
  /** The app's grant pointers to replace: its app key's first, then a legacy client-id pointer, if different. */
  appKeys: readonly string[];
  code: { hash: string; record: CodeRecord; ttlMs: number };
  /** A registered client to keep alive until the grant expires (`unusedTtlMs` from now): its id. */
  registeredClientId: string | null;
  unusedClientTtlMs: number;
}

/**
 * Stores an approval in one commit: the new grant replaces the app's previous grants (whose tokens fail their grant
 * check from then on), the code is stored, and a registered client's expiry is pushed out so that it cannot expire
 * between approval and code exchange. "client-expired" when the registered client is gone; retries a lost race.
 */
export async function storeApproval(kv: Deno.Kv, a: Approval, now: number): Promise<"stored" | "client-expired"> {
  const { grant } = a;
  const ofKeys = [...new Set(a.appKeys)].map((k) => OK.grantOf(grant.wikiId, grant.did, k));
  for (let attempt = 0; attempt < 5; attempt++) {
    const ofs = await kv.getMany<GrantPointer[]>(ofKeys);
    const op = kv.atomic();
    const replacing = new Set<string>();
    for (const [i, of] of ofs.entries()) {
      op.check(of);
      if (!of.value || replacing.has(of.value.grantId)) continue;
      replacing.add(of.value.grantId);
      const old = await kv.get<GrantRecord>(OK.grant(grant.wikiId, of.value.grantId));
      const replaced = { id: of.value.grantId, wikiId: grant.wikiId, did: grant.did, clientId: grant.clientId };
      // The new grant's pointer replaces the app's; a legacy pointer (by client id) goes.
      deleteGrantOps(op.check(old), replaced, false);
      if (i > 0) op.delete(of.key);
    }
    putGrant(op, grant, now);
    op.set(OK.code(grant.wikiId, a.code.hash), a.code.record, { expireIn: a.code.ttlMs });
    if (a.registeredClientId !== null) {
      const client = await kv.get<ClientRecord>(OK.client(grant.wikiId, a.registeredClientId));
      if (!isLive(client.value, now)) return "client-expired";
      if (client.value.expiresAt < grant.expiresAt) {
        const expiresAt = now + a.unusedClientTtlMs;
        op.check(client).set(client.key, { ...client.value, expiresAt }, { expireIn: expiresAt - now });
      }
    }
    if ((await op.commit()).ok) return "stored";
  }
  throw new Error("could not store the grant: it kept changing");
}

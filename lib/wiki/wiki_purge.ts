/**
 * @module
 * Removing everything stored under a wiki's id, in commits of at most 500 keys, so that it can be interrupted (a KV
 * failure, a crash) and finished later. Two things leave such work behind, each marked with a
 * `["wiki_purge", wikiId]` record ({@link PurgeMarker}) written in the same commit that starts it:
 *
 * - **delete**: `Wikis.delete` hides the wiki in one commit (record and state deleted, slug tombstoned, marker
 *   set), then purges. Sending the delete again, or the sweeper, finishes an interrupted purge.
 * - **create**: `Wikis.create` writes a seeded wiki's pages before the wiki becomes visible (the marker is set with
 *   its empty state and deleted by the commit that publishes it). A creation that never published leaves invisible
 *   pages and its marker; the sweeper purges it once it is older than {@link ABANDONED_CREATE_MS}.
 *
 * The marker is deleted last, under a check, so a purge is idempotent: running it again after a failure, or twice
 * at once, only deletes what is left. A purge of a staged creation first claims its marker (rewriting it), so a
 * creation still in progress can no longer publish.
 */
import { K, WIKI_SCOPED_TYPES, type WikiId } from "../kv/keys.ts";
import { forgetCatalog } from "./catalog.ts";

/** Keys deleted per commit. */
export const PURGE_BATCH = 500;
/** Age after which a seeded wiki that never published is garbage (a creation takes well under a second). */
export const ABANDONED_CREATE_MS = 15 * 60 * 1000;
/** Markers examined per sweep (the rest wait for the next run). */
const SWEEP_MAX_MARKERS = 200;

/** Value of `["wiki_purge", wikiId]`: why the wiki's keys are to be removed, and since when. */
export interface PurgeMarker {
  kind: "delete" | "create";
  slug: string;
  ownerDid: string;
  /** Epoch ms when the deletion or creation started. */
  since: number;
  /** Set when a purge of a staged creation claimed it. */
  claimedAt?: number;
}

/**
 * What another part of the app stores under a wiki's id (its key types with the wiki id second), registered by that
 * part (the per-wiki tokens in lib/auth/tokens.ts, the OAuth records in lib/oauth/keys.ts) and handed to the wiki
 * registry, so that the wiki core deletes them with the wiki without knowing their layout. They go first: after
 * them no token or grant of the wiki resolves, even if the rest of the purge is interrupted.
 */
export interface WikiScopedData {
  /** Key types whose second part is the wiki id. */
  readonly types: readonly string[];
  /** A key outside the wiki's prefixes that an entry points at, deleted in the same commit as the entry. */
  companionKey?(entry: Deno.KvEntry<unknown>): Deno.KvKey | null;
}

/**
 * Removes every key of the wiki `wikiId` when its purge marker exists (else does nothing and returns false):
 * the members' `user_wiki` entries, then credentials (after that no token or grant of the wiki resolves, even if
 * the rest is interrupted), then every wiki-scoped prefix, then the marker.
 */
export async function purgeWiki(
  kv: Deno.Kv,
  wikiId: WikiId,
  foreign: readonly WikiScopedData[],
  now: () => number = Date.now,
): Promise<boolean> {
  let marker: Deno.KvEntryMaybe<PurgeMarker> = await kv.get<PurgeMarker>(K.wikiPurge(wikiId));
  if (marker.value === null) return false;
  if (marker.value.kind === "create" && marker.value.claimedAt === undefined) {
    // Claim it: a creation still running fails its publishing commit's check of the marker from now on.
    const claimed: PurgeMarker = { ...marker.value, claimedAt: now() };
    const res = await kv.atomic().check(marker).set(K.wikiPurge(wikiId), claimed).commit();
    if (!res.ok) return false; // published, or claimed by another purge, meanwhile
    marker = { key: marker.key, value: claimed, versionstamp: res.versionstamp };
  }
  const memberDids: string[] = [];
  for await (const e of kv.list({ prefix: ["wiki_member", wikiId] })) memberDids.push(e.key[2] as string);
  for (let i = 0; i < memberDids.length; i += PURGE_BATCH) {
    const op = kv.atomic();
    for (const did of memberDids.slice(i, i + PURGE_BATCH)) op.delete(K.userWiki(did, wikiId));
    await op.commit();
  }
  for (const part of foreign) {
    for (const type of part.types) await deletePrefix(kv, [type, wikiId], part.companionKey);
  }
  // `list({ prefix })` does not return the prefix key itself: `wiki_state` is a key of its own.
  await kv.delete(K.wikiState(wikiId));
  for (const type of WIKI_SCOPED_TYPES) await deletePrefix(kv, [type, wikiId]);
  await kv.atomic().check(marker).delete(K.wikiPurge(wikiId)).commit();
  forgetCatalog(kv, wikiId);
  return true;
}

/**
 * Finishes the purges that are due: every interrupted deletion, and creations that never published and are older
 * than `abandonedAfterMs`. Returns how many wikis were purged.
 */
export async function finishWikiPurges(
  kv: Deno.Kv,
  foreign: readonly WikiScopedData[],
  opts: { now?: number; abandonedAfterMs?: number } = {},
): Promise<number> {
  const now = opts.now ?? Date.now();
  const age = opts.abandonedAfterMs ?? ABANDONED_CREATE_MS;
  const due: WikiId[] = [];
  for await (const e of kv.list<PurgeMarker>({ prefix: ["wiki_purge"] }, { limit: SWEEP_MAX_MARKERS })) {
    if (e.value.kind === "delete" || e.value.since + age <= now) due.push(e.key[1] as WikiId);
  }
  let n = 0;
  for (const id of due) if (await purgeWiki(kv, id, foreign, () => now)) n++;
  return n;
}

/**
 * Deletes every key under `prefix`, at most PURGE_BATCH keys per commit, each together with its companion key
 * (an index entry and what it points at go in the same commit).
 */
async function deletePrefix(
  kv: Deno.Kv,
  prefix: Deno.KvKey,
  companionKey?: WikiScopedData["companionKey"],
): Promise<void> {
  for (let round = 0; round < 1_000_000; round++) {
    const keys: Deno.KvKey[] = [];
    for await (const e of kv.list({ prefix }, { limit: PURGE_BATCH / 2 })) {
      keys.push(e.key);
      const companion = companionKey?.(e);
      if (companion) keys.push(companion);
    }
    if (keys.length === 0) return;
    const op = kv.atomic();
    for (const k of keys) op.delete(k);
    await op.commit();
  }
}

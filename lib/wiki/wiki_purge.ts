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
import type { StorePart, WikiId } from "../kv/keys.ts";
import { BlobKeys } from "../kv/blobs.ts";
import { deleteKeys, deletePrefix } from "../kv/purge.ts";
import { K, WIKI_PREFIXES, WIKI_PURGED_TYPES, wikiIdsOfUser } from "./keys.ts";
import type { WikiRecord } from "./types.ts";
import { forgetCatalog } from "./catalog.ts";

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
 * What another part of the app keeps under a wiki's id, and how it forgets it: that part's store (lib/kv/keys.ts
 * `StorePart`). lib/platform/wiki_lifecycle.ts hands the parts to the wiki registry in their deletion order
 * (credentials first), so that the wiki core deletes their records with the wiki without importing them: after the
 * credentials no token or grant of the wiki resolves, even if the rest of the purge is interrupted.
 */
export type WikiScopedData = Pick<StorePart, "part" | "forgetWiki">;

/**
 * Removes every key of the wiki `wikiId` when its purge marker exists (else does nothing and returns false): what
 * the other parts keep of it (`foreign`, in order), then the wiki core's own keys ({@link forgetWiki}), then the
 * marker.
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
  for (const part of foreign) await part.forgetWiki(kv, wikiId);
  await forgetWiki(kv, wikiId);
  await kv.atomic().check(marker).delete(K.wikiPurge(wikiId)).commit();
  return true;
}

/**
 * The wiki store's `forgetWiki` hook: deletes the wiki core's keys of a wiki that is hidden (its `wiki` record gone,
 * lib/wiki/wikis.ts `delete`) or never published: the members' `user_wiki` entries, `wiki_state`, every
 * wiki-scoped prefix (members, pages, history, revisions, changes, links, attachments, blobs). Not the slug's
 * tombstone (it reserves the slug for the cooling-off period) and not the purge marker ({@link purgeWiki} deletes
 * it last). Returns how many keys under the wiki's prefixes it deleted.
 */
export async function forgetWiki(kv: Deno.Kv, wikiId: WikiId): Promise<number> {
  const memberDids: string[] = [];
  for await (const e of kv.list({ prefix: K.wikiMembers(wikiId) })) memberDids.push(e.key[2] as string);
  await deleteKeys(kv, memberDids.map((did) => K.userWiki(did, wikiId)));
  // `list({ prefix })` does not return the prefix key itself: `wiki_state` is a key of its own.
  await kv.delete(K.wikiState(wikiId));
  let n = 0;
  for (const type of WIKI_PURGED_TYPES) n += await deletePrefix(kv, [type, wikiId]);
  n += await deletePrefix(kv, BlobKeys.wikiBlobs(wikiId));
  n += await deletePrefix(kv, BlobKeys.wikiStaging(wikiId));
  forgetCatalog(kv, wikiId);
  return n;
}

/**
 * The wiki store's `forgetUser` hook: removes `did` from every wiki they belong to but do not own (member and
 * `user_wiki` entries in one commit each). The wikis they own are deleted first, by lib/platform/wiki_lifecycle.ts;
 * one still live here is left alone. Returns how many memberships it removed.
 */
export async function forgetUser(kv: Deno.Kv, did: string): Promise<number> {
  let n = 0;
  for (const wikiId of await wikiIdsOfUser(kv, did)) {
    const wiki = (await kv.get<WikiRecord>(K.wiki(wikiId))).value;
    if (wiki?.ownerDid === did) continue;
    await kv.atomic().delete(K.wikiMember(wikiId, did)).delete(K.userWiki(did, wikiId)).commit();
    n++;
  }
  return n;
}

/** The wiki store as a part of the app (lib/platform/key_registry.ts, lib/platform/wiki_lifecycle.ts). */
export const WIKI_STORE: StorePart = {
  part: "lib/wiki/wiki_purge.ts",
  prefixes: WIKI_PREFIXES,
  forgetWiki,
  forgetUser,
};

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
  for await (const e of kv.list<PurgeMarker>({ prefix: K.wikiPurges() }, { limit: SWEEP_MAX_MARKERS })) {
    if (e.value.kind === "delete" || e.value.since + age <= now) due.push(e.key[1] as WikiId);
  }
  let n = 0;
  for (const id of due) if (await purgeWiki(kv, id, foreign, () => now)) n++;
  return n;
}

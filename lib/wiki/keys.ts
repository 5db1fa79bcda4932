/**
 * @module
 * The wiki store's keys: every KV key of the wiki core (wiki records, members, pages, history, links,
 * attachments), built by one function each, their registered prefixes, and the reads other parts make of wiki
 * records in their own round trips (a slug's wiki, a member's role), so that the record layout stays here.
 * docs/kv-schema.md describes the values, lifetimes and atomic checks.
 */
import { type KeyPrefix, type PageId, parseKeyPrefixes, type RevId, type WikiId } from "../kv/keys.ts";
import type { Member, Role, WikiRecord } from "./types.ts";

/** Key constructors of the wiki core. */
export const K = {
  // ---- wikis (lib/wiki/wikis.ts) ----
  /** The wiki record. */
  wiki: (wikiId: WikiId) => ["wiki", wikiId] as const,
  /** Unique index slug -> wiki id (also holds a tombstone for a deleted wiki's slug until it may be reclaimed). */
  wikiSlug: (slug: string) => ["wiki_slug", slug] as const,
  /** A member of a wiki with a role. */
  wikiMember: (wikiId: WikiId, did: string) => ["wiki_member", wikiId, did] as const,
  /** Prefix of a wiki's members. */
  wikiMembers: (wikiId: WikiId) => ["wiki_member", wikiId] as const,
  /** Reverse index: wikis a user owns or belongs to. */
  userWiki: (did: string, wikiId: WikiId) => ["user_wiki", did, wikiId] as const,
  /** Prefix of a user's wikis. */
  userWikis: (did: string) => ["user_wiki", did] as const,
  /** Wikis a person owns: `{ owned }`, checked and changed by every wiki create and delete (lib/wiki/owner_count.ts). */
  userWikiCount: (did: string) => ["user_wiki_count", did] as const,
  /** Usage counters and the wiki's write sequence: `{ pages, bytes, seq }`; every write checks and bumps it. */
  wikiState: (wikiId: WikiId) => ["wiki_state", wikiId] as const,
  /** A wiki whose keys are being removed (a deletion, or a creation that never published): lib/wiki/wiki_purge.ts. */
  wikiPurge: (wikiId: WikiId) => ["wiki_purge", wikiId] as const,
  /** Prefix of every purge marker (the maintenance sweep). */
  wikiPurges: () => ["wiki_purge"] as const,

  // ---- pages (lib/wiki/store.ts) ----
  /** The current head of a page at a canonical path (also kept, marked deleted, after delete). */
  page: (wikiId: WikiId, path: string) => ["page", wikiId, path] as const,
  /** Prefix of all page heads of a wiki. */
  pages: (wikiId: WikiId) => ["page", wikiId] as const,
  /** One entry of a page's history: the page's state written by the revision at write sequence `seq`. */
  pageHist: (wikiId: WikiId, pageId: PageId, seq: number) => ["page_hist", wikiId, pageId, seq] as const,
  /** Prefix of a page's history, ordered by `seq`. */
  pageHistAll: (wikiId: WikiId, pageId: PageId) => ["page_hist", wikiId, pageId] as const,
  /** Prefix of every page's history in a wiki, by page id then `seq` (the history export, lib/wiki/history_feed.ts). */
  pageHists: (wikiId: WikiId) => ["page_hist", wikiId] as const,
  /** A revision (one write: one or more pages changed together). */
  rev: (wikiId: WikiId, revId: RevId) => ["rev", wikiId, revId] as const,
  /** Prefix of all revisions of a wiki (string order: prefix lookups). */
  revs: (wikiId: WikiId) => ["rev", wikiId] as const,
  /** Wiki change feed by write sequence: recent changes, and the search cache's refresh log. */
  change: (wikiId: WikiId, seq: number) => ["change", wikiId, seq] as const,
  /** Prefix of the change feed. */
  changes: (wikiId: WikiId) => ["change", wikiId] as const,
  /** Backlink index: `source` links to `target` (both canonical paths). */
  link: (wikiId: WikiId, target: string, source: string) => ["link", wikiId, target, source] as const,
  /** Prefix of pages linking to `target`. */
  linksTo: (wikiId: WikiId, target: string) => ["link", wikiId, target] as const,
  /** Attachment metadata, keyed by the page's stable id. */
  attachment: (wikiId: WikiId, pageId: PageId, filename: string) => ["att", wikiId, pageId, filename] as const,
  /** Prefix of a page's attachments. */
  attachments: (wikiId: WikiId, pageId: PageId) => ["att", wikiId, pageId] as const,
  /** What the attach or detach revision at write sequence `seq` did to one attachment (its history). */
  attHist: (wikiId: WikiId, seq: number) => ["att_hist", wikiId, seq] as const,
  /** Prefix of a wiki's attachment history, by `seq`. */
  attHists: (wikiId: WikiId) => ["att_hist", wikiId] as const,

  // ---- meaning layer (lib/wiki/meaning/vector_store.ts) ----
  /** A page's vector of one embedding model (static or remote). */
  pageVec: (wikiId: WikiId, pageId: PageId, model: string) => ["page_vec", wikiId, pageId, model] as const,
  /** Prefix of a page's vectors (every model). */
  pageVecs: (wikiId: WikiId, pageId: PageId) => ["page_vec", wikiId, pageId] as const,
  /** Prefix of every page vector of a wiki. */
  wikiVecs: (wikiId: WikiId) => ["page_vec", wikiId] as const,
} as const;

/** The wiki core's key prefixes. */
export const WIKI_PREFIXES: readonly KeyPrefix[] = parseKeyPrefixes(`
  wiki   wiki             a wiki record
  wiki   wiki_member      a member of a wiki with a role
  wiki   wiki_state       a wiki's usage counters and write sequence
  wiki   wiki_purge       a wiki whose keys are being removed
  wiki   page             the head of a page at a path
  wiki   page_hist        one entry of a page's history
  wiki   rev              a revision (one write)
  wiki   change           the wiki's change feed by write sequence
  wiki   link             backlink index: source links to target
  wiki   att              attachment metadata of a page
  wiki   att_hist         what one attach or detach revision did to an attachment
  wiki   page_vec         a page's vector of one embedding model
  global wiki_slug        slug -> live wiki, or a deleted wiki's tombstone
  user   user_wiki        index: the wikis a person owns or belongs to
  user   user_wiki_count  how many live wikis a person owns
`);

/**
 * Types deleted with a wiki by prefix `[type, wikiId]` (lib/wiki/wiki_purge.ts). Not `wiki` and `wiki_state`
 * (single keys, deleted by the commit that hides the wiki and again by the purge), not `wiki_purge` (deleted last,
 * under a check).
 */
export const WIKI_PURGED_TYPES: readonly string[] = [
  "wiki_member",
  "page",
  "page_hist",
  "rev",
  "change",
  "link",
  "att",
  "att_hist",
  "page_vec",
];

/** Value of `wiki_slug`: the live wiki (denormalized record), or a tombstone after deletion. */
export type SlugEntry =
  | { wikiId: WikiId; record: WikiRecord }
  | { deletedAt: number; reclaimableAt: number; wikiId: WikiId; ownerDid?: string };

/** The key another part reads, in its own `getMany`, to find the live wiki named `slug` ({@link wikiOfSlugEntry}). */
export function slugLookupKey(slug: string): Deno.KvKey {
  return K.wikiSlug(slug);
}

/** The live wiki in an entry read at {@link slugLookupKey}; null when the slug names none (or a deleted one). */
export function wikiOfSlugEntry(entry: Deno.KvEntryMaybe<unknown>): WikiRecord | null {
  const v = entry.value as SlugEntry | null;
  return v !== null && "record" in v ? v.record : null;
}

/** The key another part reads, in its own `getMany`, for `did`'s membership of `wikiId` ({@link roleOfMemberEntry}). */
export function memberLookupKey(wikiId: WikiId, did: string): Deno.KvKey {
  return K.wikiMember(wikiId, did);
}

/** The member's role in an entry read at {@link memberLookupKey}; null when they are not a member. */
export function roleOfMemberEntry(entry: Deno.KvEntryMaybe<unknown>): Role | null {
  return (entry.value as Member | null)?.role ?? null;
}

/** `did`'s current role on `wikiId` (one read), for other parts; null when they are not a member. */
export async function roleOfMember(kv: Deno.Kv, wikiId: WikiId, did: string): Promise<Role | null> {
  return roleOfMemberEntry(await kv.get(K.wikiMember(wikiId, did)));
}

/** The ids of the wikis `did` owns or belongs to (the `user_wiki` index), for other parts' per-person deletion. */
export async function wikiIdsOfUser(kv: Deno.Kv, did: string): Promise<WikiId[]> {
  const ids: WikiId[] = [];
  for await (const e of kv.list({ prefix: K.userWikis(did) })) ids.push(e.key[2] as WikiId);
  return ids;
}

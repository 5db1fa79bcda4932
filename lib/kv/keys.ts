/**
 * @module
 * Every Deno KV key the app uses, built by one function each. docs/kv-schema.md describes the same keys with
 * their values, lifetimes and atomic checks; change both together.
 *
 * Conventions: the first part names the record type; wiki-scoped records put the wiki's immutable id second, so
 * deleting a wiki is a `list({ prefix: [type, wikiId] })` per type.
 */

/** Id of a wiki (`w_` + 20 base32 chars), immutable, never reused. */
export type WikiId = string;
/** Id of a page (`p_` + 20 base32 chars), stable across renames. */
export type PageId = string;
/** Id of a revision: 32 lowercase hex chars; any unambiguous prefix of 7+ names it. */
export type RevId = string;
/** Id of a staged blob (chunked content). */
export type BlobId = string;

/** Deno KV refuses keys larger than this (bytes, as encoded; writes 2048, reads 2049). */
export const KV_MAX_KEY_BYTES = 2048;

/**
 * Longest text taken from a request (a slug, id, code, state or other lookup value) that may become one part of a
 * key, in UTF-8 bytes. Half the KV limit, so the type name, a wiki id and a second part still fit. Longer input
 * cannot name any record: look-ups answer "not found" without asking KV (which would throw "Key too large").
 */
export const MAX_INPUT_KEY_PART_BYTES = 1024;

/** True when `text`, taken from a request, is short enough to be a key part ({@link MAX_INPUT_KEY_PART_BYTES}). */
export function fitsKeyPart(text: string, maxBytes = MAX_INPUT_KEY_PART_BYTES): boolean {
  if (text.length > maxBytes) return false; // every UTF-16 unit is at least one UTF-8 byte
  if (text.length * 3 <= maxBytes) return true; // every UTF-16 unit is at most three
  return new TextEncoder().encode(text).length <= maxBytes;
}

/** Key constructors, grouped by owner module. */
export const K = {
  // ---- keys (lib/keys.ts) ----
  /** A named secret of the key registry: `{ current, previous[] }`. */
  secret: (name: string) => ["secret", name] as const,

  // ---- wikis (lib/wiki/wikis.ts) ----
  /** The wiki record. */
  wiki: (wikiId: WikiId) => ["wiki", wikiId] as const,
  /** Unique index slug -> wiki id (also holds a tombstone for a deleted wiki's slug until it may be reclaimed). */
  wikiSlug: (slug: string) => ["wiki_slug", slug] as const,
  /** A member of a wiki with a role. */
  wikiMember: (wikiId: WikiId, did: string) => ["wiki_member", wikiId, did] as const,
  /** Reverse index: wikis a user owns or belongs to. */
  userWiki: (did: string, wikiId: WikiId) => ["user_wiki", did, wikiId] as const,
  /** Wikis a person owns: `{ owned }`, checked and changed by every wiki create and delete (lib/wiki/owner_count.ts). */
  userWikiCount: (did: string) => ["user_wiki_count", did] as const,
  /** Usage counters and the wiki's write sequence: `{ pages, bytes, seq }`; every write checks and bumps it. */
  wikiState: (wikiId: WikiId) => ["wiki_state", wikiId] as const,
  /** A wiki whose keys are being removed (a deletion, or a creation that never published): lib/wiki/wiki_purge.ts. */
  wikiPurge: (wikiId: WikiId) => ["wiki_purge", wikiId] as const,

  // ---- pages (lib/wiki/store.ts) ----
  /** The current head of a page at a canonical path (also kept, marked deleted, after delete). */
  page: (wikiId: WikiId, path: string) => ["page", wikiId, path] as const,
  /** Prefix of all page heads of a wiki. */
  pages: (wikiId: WikiId) => ["page", wikiId] as const,
  /** One entry of a page's history: the page's state written by the revision at write sequence `seq`. */
  pageHist: (wikiId: WikiId, pageId: PageId, seq: number) => ["page_hist", wikiId, pageId, seq] as const,
  /** Prefix of a page's history, ordered by `seq`. */
  pageHistAll: (wikiId: WikiId, pageId: PageId) => ["page_hist", wikiId, pageId] as const,
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

  // ---- blobs (lib/kv/blobs.ts) ----
  /** Chunk `i` of a blob. Invisible until a record that references the blob is committed. */
  blobChunk: (wikiId: WikiId, blobId: BlobId, i: number) => ["blob", wikiId, blobId, i] as const,
  /** Prefix of a blob's chunks. */
  blobChunks: (wikiId: WikiId, blobId: BlobId) => ["blob", wikiId, blobId] as const,
  /** Staging marker of a blob being written; removed by the commit that publishes it. Expires: garbage. */
  blobStaging: (wikiId: WikiId, blobId: BlobId) => ["blob_staging", wikiId, blobId] as const,

  // ---- MCP auth (lib/auth/tokens.ts) ----
  /** A per-wiki bearer token, found by the HMAC of the secret (the secret itself is never stored). */
  tokenByHash: (hash: string) => ["wiki_token_hash", hash] as const,
  /** A wiki's token, by id: listing and revoking (holds the hash to delete the lookup key with it). */
  wikiToken: (wikiId: WikiId, tokenId: string) => ["wiki_token", wikiId, tokenId] as const,
  /** Prefix of a wiki's tokens. */
  wikiTokens: (wikiId: WikiId) => ["wiki_token", wikiId] as const,

  // ---- rate limits (lib/kv/rate_limit.ts) ----
  /** A `Deno.KvU64` counter: actions of `subject` under `rule` in bucket number `bucket` (time / bucket length). */
  rate: (rule: string, bucket: number, subject: readonly string[]) => ["rate", rule, bucket, ...subject] as const,
  /** Prefix of every counter of a rule (the sweep's range start). */
  rateRule: (rule: string) => ["rate", rule] as const,
  /** Range end: the counters of a rule in buckets before `bucket` sort before this key. */
  rateBefore: (rule: string, bucket: number) => ["rate", rule, bucket] as const,

  // ---- ATProto OAuth client (lib/atproto/stores.ts) ----
  /** A pending ATProto login, by its OAuth `state` (expiring: the PKCE verifier, DPoP key, issuer, app state). */
  atprotoState: (state: string) => ["atproto_state", state] as const,
  /** A person's ATProto OAuth session (DPoP key and tokens) at their PDS, by DID (expiring). */
  atprotoSession: (did: string) => ["atproto_session", did] as const,
} as const;

/** Every wiki-scoped key prefix type, used when a wiki is deleted. */
export const WIKI_SCOPED_TYPES = [
  "wiki_member",
  "wiki_state",
  "page",
  "page_hist",
  "rev",
  "change",
  "link",
  "att",
  "blob",
  "blob_staging",
  "wiki_member_handle",
] as const;

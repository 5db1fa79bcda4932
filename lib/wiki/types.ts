/**
 * @module
 * Types of the wiki core's public API (lib/wiki/). Framework-free: routes and the MCP adapter consume these.
 */
import type { PageId, RevId, WikiId } from "../kv/keys.ts";

/** Who may read a wiki in the browser. Default: private. */
export type Visibility = "private" | "logged_in" | "public";

/** A member's role on a wiki. The owner is always admin. */
export type Role = "admin" | "editor" | "viewer";

/** A wiki. `id` is immutable and never reused; `slug` is its public name. */
export interface WikiRecord {
  id: WikiId;
  slug: string;
  title: string;
  /** Owner's DID, or `local:<name>` for wikis created before login exists (the demo, CLI-created wikis). */
  ownerDid: string;
  visibility: Visibility;
  createdAt: number;
  /** Per-wiki quota (defaults from config at creation). */
  quota: { pages: number; bytes: number };
}

/** A wiki member. */
export interface Member {
  did: string;
  role: Role;
  addedAt: number;
  addedBy: string;
}

/** Who writes: recorded on every revision. */
export interface Actor {
  /** Stable identity: a DID, `local:<name>`, or `token:<token id>`. */
  id: string;
  /** Display name (handle, token label), shown in history. */
  name: string;
  /** The app or client that made the write: `web`, `system`, `mcp:<client name>`, `cli`. */
  client: string;
  /**
   * The connection that made the write, for writes through MCP: `oauth:<grant id>` or `token:<token id>`
   * (lib/wiki/connections.ts). Absent for people's writes in the browser and for the system.
   */
  connection?: string;
}

/** What a revision did. */
export type RevisionAction =
  | "create"
  | "update"
  | "edit"
  | "delete"
  | "restore"
  | "rename"
  | "attach"
  | "detach";

/** A revision: one write that changed one or more pages together. */
export interface RevisionInfo {
  id: RevId;
  /** The wiki's write sequence number of this revision (monotonic per wiki). */
  seq: number;
  /** Epoch milliseconds. */
  time: number;
  author: string;
  authorName: string;
  client: string;
  /** The connection that made the write (see {@link Actor.connection}); absent when none. */
  connection?: string;
  message: string;
  action: RevisionAction;
  /** Canonical paths touched (for a rename: the new path first, then rewritten backlinks). */
  paths: string[];
}

/** Frontmatter-derived metadata of a page. */
export interface PageMeta {
  path: string;
  pageId: PageId;
  /** Frontmatter `title`, else the last path segment. */
  title: string;
  category: string | null;
  tags: string[];
  /** Whole parsed frontmatter (empty when absent or unparsable). */
  frontmatter: Record<string, unknown>;
  /** Words in the body (frontmatter excluded). */
  words: number;
  /** UTF-8 bytes of the whole content. */
  bytes: number;
  /** Canonical targets of WikiLinks in the content, sorted, unique. */
  links: string[];
  /** Current revision id. */
  revision: RevId;
  createdAt: number;
  updatedAt: number;
}

/** A page as read: current head or a historical state. */
export interface Page extends PageMeta {
  /** Raw content, frontmatter block included. */
  content: string;
  /** True when this state is a deletion (content is the last content before it). */
  deleted: boolean;
  /** The revision that produced this state. */
  lastRevision: RevisionInfo;
}

/** One entry of a page's history. */
export interface HistoryEntry {
  revision: RevisionInfo;
  /** Path of the page at that revision (differs from today's after a rename). */
  path: string;
  deleted: boolean;
  bytes: number;
}

/** Options of a full write. */
export interface WriteOptions {
  /** Required when the page exists (optimistic locking); any unambiguous prefix of 7+ chars. */
  revision?: string;
  message?: string;
}

/** Result of a write, edit, delete, restore. */
export interface WriteResult {
  path: string;
  revision: RevId;
  created: boolean;
}

/** Result of a rename. */
export interface RenameResult {
  from: string;
  to: string;
  revision: RevId;
  /** Pages whose WikiLinks were rewritten (the renamed page itself excluded). */
  updatedPages: string[];
}

/** Filters for listing pages, ANDed. Category and tag match case-insensitively. */
export interface ListFilter {
  prefix?: string;
  category?: string;
  tag?: string;
  /** Only pages updated at or after this instant (epoch ms). */
  updatedSince?: number;
}

/** One search result. */
export interface SearchHit {
  path: string;
  title: string;
  /** 0..1, best first. */
  score: number;
  /** About 150 characters around the first match. */
  snippet: string;
  /** Why the page matched: its terms, its meaning (lib/wiki/meaning/hybrid.ts), or both. */
  match?: SearchMatch;
  /** Why the page matched: one entry a matched query term (forgiving searches). */
  matched?: TermMatch[];
  /** Heading path of the section closest in meaning, when a section's vector matched better than the page's
   * (read_note's `section` argument reads it). */
  section?: string;
}

/** Why a search hit matched: query terms, similar meaning, or both. */
export type SearchMatch = "terms" | "meaning" | "both";

/** A page related to another by meaning (lib/wiki/meaning/hybrid.ts `relatedPages`). */
export interface RelatedPage {
  path: string;
  title: string;
  /** Cosine similarity, -1..1. */
  score: number;
}

/** How a page's word matched a query term: as written, by stem, with a typo, or as the last word's completion. */
export type MatchKind = "exact" | "stem" | "typo" | "prefix";

/** A query term and the page's word that matched it (the same word for an exact match). */
export interface TermMatch {
  /** The query term. */
  query: string;
  /** The page's word. */
  word: string;
  kind: MatchKind;
}

/** How a search ranks: terms and meaning fused, terms only, or meaning only. */
export type SearchMode = "hybrid" | "lexical" | "meaning";

/** Options of a search. */
export interface SearchOptions {
  /** Most hits returned. */
  limit?: number;
  /** Stems, typos and the last word's completions also match (default true); false ranks exact terms only. */
  forgiving?: boolean;
  /** Terms and meaning fused (default), terms only, or meaning only (lib/wiki/meaning/hybrid.ts). */
  mode?: SearchMode;
}

/** Outgoing and incoming links of a page. */
export interface Links {
  path: string;
  linksTo: string[];
  linkedFrom: string[];
}

/** A diff between two states of a page. */
export interface PageDiff {
  path: string;
  from: RevId;
  to: RevId;
  /** Unified diff text (`--- a` / `+++ b` / `@@` hunks); empty when identical. */
  unified: string;
  added: number;
  removed: number;
}

/** Attachment metadata. */
export interface AttachmentInfo {
  filename: string;
  size: number;
  mime: string;
  updatedAt: number;
  sha256: string;
}

/** Usage against quota. */
export interface Usage {
  pages: number;
  bytes: number;
  quotaPages: number;
  quotaBytes: number;
}

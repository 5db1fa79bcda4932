/**
 * @module
 * Page storage of one wiki on Deno KV: reads, optimistic-locked writes, revisions, history, rename with backlink
 * rewrite, delete/restore, links, listing, search and attachments. See docs/kv-schema.md for the records and the
 * write protocol (every write checks and bumps the wiki's `wiki_state`, so a wiki's writes are serialized).
 */
import type { WikiRecord } from "./types.ts";
import type {
  Actor,
  AttachmentInfo,
  HistoryEntry,
  Links,
  ListFilter,
  Page,
  PageDiff,
  PageMeta,
  RelatedPage,
  RenameResult,
  RevisionInfo,
  SearchHit,
  SearchOptions,
  Usage,
  WriteOptions,
  WriteResult,
} from "./types.ts";
import type { Limits } from "../config.ts";
import type { WikiId } from "../kv/keys.ts";
import type { RemoteQueryVector } from "./meaning/hybrid.ts";

/** Page operations on one wiki. Obtain with `Wikis.pages(wiki)`. All paths are canonicalized on entry. */
export interface PageStore {
  readonly wiki: WikiRecord;
  /** Reads a page (current, or at `revision`: an id or unambiguous 7+ char prefix). NotFoundError if absent/deleted. */
  read(path: string, opts?: { revision?: string; includeDeleted?: boolean }): Promise<Page>;
  /** Reads metadata only (no content); null when absent or deleted. */
  meta(path: string): Promise<PageMeta | null>;
  /** Creates or overwrites. Overwriting an existing page requires its current revision (ConflictError otherwise). */
  write(path: string, content: string, opts: WriteOptions, actor: Actor): Promise<WriteResult>;
  /** Replaces `oldString` (must occur exactly once) with `newString`; `revision` required. */
  edit(
    path: string,
    edit: { revision: string; oldString: string; newString: string; message?: string },
    actor: Actor,
  ): Promise<WriteResult>;
  /** Deletes a page (history kept; restorable). `revision`, when given, must be current. */
  delete(path: string, opts: { revision?: string; message?: string }, actor: Actor): Promise<WriteResult>;
  /** Writes the content of `revision` (default: the last state before deletion) as a new revision; undeletes. */
  restore(path: string, opts: { revision?: string; message?: string }, actor: Actor): Promise<WriteResult>;
  /** Renames a page and rewrites every WikiLink to it, as one visible change. */
  rename(from: string, to: string, opts: { message?: string }, actor: Actor): Promise<RenameResult>;
  /** History of a page, newest first (works for deleted pages). */
  history(path: string, limit?: number): Promise<HistoryEntry[]>;
  /** Recent changes of the wiki, newest first. */
  recentChanges(limit?: number): Promise<RevisionInfo[]>;
  /** Resolves a revision id or prefix (7+ chars). NotFoundError / AmbiguousError / InvalidInputError. */
  resolveRevision(prefix: string): Promise<RevisionInfo>;
  /** Diff of a page between two revisions (ids or prefixes); `to` defaults to current. */
  diff(path: string, from: string, to?: string): Promise<PageDiff>;
  /** Outgoing and incoming links of a page (works for missing pages: incoming only). */
  links(path: string): Promise<Links>;
  /** Lists live pages, sorted by path. */
  list(filter?: ListFilter): Promise<PageMeta[]>;
  /**
   * Ranked search, best first: by default terms (title weighted; forgiving stems, typos and the last word's
   * completions unless `forgiving: false`) and meaning fused; `mode` "lexical" or "meaning" ranks by one of them
   * (lib/wiki/meaning/hybrid.ts). InvalidInputError for an empty query.
   */
  search(query: string, opts?: SearchOptions): Promise<{ total: number; hits: SearchHit[] }>;
  /** Live pages nearest a page by meaning, without the pages it links to or from; NotFoundError when not live. */
  related(path: string, limit?: number): Promise<RelatedPage[]>;
  /** Live pages with no incoming link from another page, `Home` excluded. Sorted. */
  orphans(): Promise<string[]>;
  /** Attachments of a page, sorted by filename. */
  listAttachments(path: string): Promise<AttachmentInfo[]>;
  /** Adds or replaces an attachment (10 MB cap, quota). Filename sanitized; returns the stored info. */
  putAttachment(
    path: string,
    filename: string,
    data: Uint8Array,
    opts: { mime?: string; message?: string },
    actor: Actor,
  ): Promise<AttachmentInfo>;
  /** Reads an attachment. */
  getAttachment(path: string, filename: string): Promise<{ info: AttachmentInfo; data: Uint8Array }>;
  /** Deletes an attachment. */
  deleteAttachment(path: string, filename: string, opts: { message?: string }, actor: Actor): Promise<void>;
  /** Current usage against quota. */
  usage(): Promise<Usage>;
  /**
   * Reads a live page and the pages linking to it in ONE KV round trip (head + wiki state); the backlinks come
   * from the in-process catalog when it is current, else from one more list of the backlink index. The first call
   * for a wiki in a process builds that catalog (as list and search would).
   */
  readWithBacklinks(path: string): Promise<Page & { linkedFrom: string[] }>;
}

/** Dependencies of the store. */
export interface StoreDeps {
  kv: Deno.Kv;
  limits: Limits;
  /** Clock (epoch ms), injectable for tests. */
  now?: () => number;
  /** Revision id generator (32 lowercase hex chars), injectable for tests; default random. */
  revisionId?: () => string;
  /**
   * Told the live paths of every committed write, after the commit and without being awaited (the remote embedder's
   * deferred write path, lib/wiki/meaning/remote_write_queue.ts). Must return at once; what it throws is ignored.
   */
  afterCommit?: (wikiId: WikiId, livePaths: string[]) => void;
  /**
   * The query's vector of the remote embedder, for search by meaning (lib/wiki/meaning/hybrid.ts); null (or absent:
   * `EMBEDDINGS_URL` unset) ranks with the static layer. Sends the query text to the endpoint.
   */
  remoteQueryVector?: RemoteQueryVector;
  /**
   * The remote embedder's model id (`remote:<name>`), when one is configured: related pages are compared by their
   * vectors of this model where they have one (lib/wiki/meaning/hybrid.ts `relatedPages`).
   */
  remoteModel?: string;
}

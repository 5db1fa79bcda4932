/**
 * @module
 * The records the page store keeps in Deno KV (page heads, history entries, revisions, attachments), how big they
 * are once serialized, and where their content lives (inline text or a chunked blob). docs/kv-schema.md shows
 * each record with an example.
 */
import type { PageId, RevId } from "../kv/keys.ts";
import { type BlobRef, readBlob } from "../kv/blobs.ts";
import type { Page, PageMeta, RevisionInfo } from "./types.ts";
import { analyzeContent, findFrontmatterBlock } from "./frontmatter.ts";
import { utf8Bytes } from "./text.ts";

/** Deno KV's value size limit. */
export const KV_MAX_VALUE_BYTES = 65_536;
/** Largest estimated value we write: the limit minus room for the estimate's error. */
export const VALUE_BUDGET_BYTES = 60_000;
/** Deno KV's mutation limit per atomic commit. */
export const KV_MAX_MUTATIONS = 1000;
/** Largest estimated size of one atomic commit (Deno KV's limit is 819 200 bytes). */
export const COMMIT_BUDGET_BYTES = 780_000;
/** Paths kept in a stored revision (the rest are counted in `pathCount`). */
const MAX_STORED_PATHS = 100;
/** Characters of paths kept in a stored revision. */
const MAX_STORED_PATH_CHARS = 4000;
/** Longest commit message kept, in characters. */
export const MAX_MESSAGE_CHARS = 1000;

/** The content of a page state: inline text, or a reference to a chunked UTF-8 blob. */
export type StoredContent = { text: string } | BlobRef;

/** A revision as stored: `paths` may be truncated, `pathCount` is the full number. */
export interface StoredRevision extends RevisionInfo {
  pathCount: number;
}

/** Wiki write state: usage counters and the write sequence number. Every write checks and bumps it. */
export interface WikiState {
  pages: number;
  bytes: number;
  seq: number;
}

/** The head of a page: everything `read()` needs in one value. */
export interface PageHead {
  pageId: PageId;
  path: string;
  revision: RevId;
  seq: number;
  content: StoredContent;
  /** Offset (UTF-16) where the body starts after the frontmatter block (0 without one). */
  bodyStart: number;
  title: string;
  category: string | null;
  tags: string[];
  frontmatter: Record<string, unknown>;
  words: number;
  bytes: number;
  links: string[];
  createdAt: number;
  updatedAt: number;
  deleted: boolean;
  last: StoredRevision;
}

/** One history entry of a page: its state after the revision at `revision.seq`. */
export interface HistRecord {
  revision: StoredRevision;
  path: string;
  content: StoredContent;
  deleted: boolean;
  bytes: number;
  title: string;
}

/** An attachment as stored: metadata plus inline bytes or a blob reference. */
export interface AttachmentRecord {
  filename: string;
  size: number;
  mime: string;
  updatedAt: number;
  sha256: string;
  content: { bytes: Uint8Array } | BlobRef;
}

/**
 * One entry of the attachment history: the attachment an attach revision wrote (its content stays readable after
 * a later replacement or detachment), or a detachment (`content: null`).
 */
export interface AttachmentHistRecord {
  pageId: PageId;
  filename: string;
  size: number;
  sha256: string;
  content: { bytes: Uint8Array } | BlobRef | null;
}

/** True when the stored content is inline text. */
export function isInline(c: StoredContent): c is { text: string } {
  return "text" in c;
}

/** Loads the text of a stored content (one blob read when it is not inline). */
export async function loadText(kv: Deno.Kv, wikiId: string, c: StoredContent): Promise<string> {
  if (isInline(c)) return c.text;
  return new TextDecoder().decode(await readBlob(kv, wikiId, c));
}

/** The metadata part of a head. */
export function headMeta(h: PageHead): PageMeta {
  return {
    path: h.path,
    pageId: h.pageId,
    title: h.title,
    category: h.category,
    tags: [...h.tags],
    frontmatter: h.frontmatter,
    words: h.words,
    bytes: h.bytes,
    links: [...h.links],
    revision: h.revision,
    createdAt: h.createdAt,
    updatedAt: h.updatedAt,
  };
}

/** A `Page` from a head and its content. */
export function headPage(h: PageHead, content: string): Page {
  return { ...headMeta(h), content, deleted: h.deleted, lastRevision: h.last };
}

/**
 * Conservative estimate of a value's serialized size in bytes: strings at 2 bytes per character (V8 stores
 * non-Latin1 strings as UTF-16), numbers at 9, plus a small overhead per entry.
 */
export function estimateSize(value: unknown): number {
  if (value === null || value === undefined) return 2;
  if (typeof value === "string") return 2 * value.length + 8;
  if (typeof value === "number" || typeof value === "bigint") return 10;
  if (typeof value === "boolean") return 2;
  if (value instanceof Uint8Array) return value.length + 16;
  if (Array.isArray(value)) {
    let n = 8;
    for (const v of value) n += estimateSize(v);
    return n;
  }
  if (typeof value === "object") {
    let n = 8;
    for (const [k, v] of Object.entries(value)) n += 2 * k.length + 8 + estimateSize(v);
    return n;
  }
  return 16;
}

/** Estimated size of a key. */
export function estimateKeySize(key: Deno.KvKey): number {
  let n = 4;
  for (const part of key) n += typeof part === "string" ? 3 * part.length + 2 : 10;
  return n;
}

/** A revision record with `paths` cut to fit in a value next to other data; `pathCount` keeps the real count. */
export function storedRevision(info: RevisionInfo): StoredRevision {
  const paths: string[] = [];
  let chars = 0;
  for (const p of info.paths) {
    if (paths.length >= MAX_STORED_PATHS || chars + p.length > MAX_STORED_PATH_CHARS) break;
    paths.push(p);
    chars += p.length;
  }
  return { ...info, paths, pathCount: info.paths.length };
}

/** Paths kept in the copy of a revision inside page heads and history entries (the `rev` record keeps more). */
const MAX_EMBEDDED_PATHS = 8;
/** Characters of paths kept in an embedded revision. */
const MAX_EMBEDDED_PATH_CHARS = 1000;

/**
 * The copy of a revision embedded in every page head and history entry it wrote: `paths` cut shorter than in the
 * `rev` record (a rename of 200 pages would otherwise repeat 100 paths 400 times in one commit).
 */
export function embeddedRevision(rev: StoredRevision): StoredRevision {
  if (rev.paths.length <= MAX_EMBEDDED_PATHS && rev.paths.join("").length <= MAX_EMBEDDED_PATH_CHARS) return rev;
  const paths: string[] = [];
  let chars = 0;
  for (const p of rev.paths) {
    if (paths.length >= MAX_EMBEDDED_PATHS || chars + p.length > MAX_EMBEDDED_PATH_CHARS) break;
    paths.push(p);
    chars += p.length;
  }
  return { ...rev, paths };
}

/** A commit message: trimmed, the default when empty, cut to MAX_MESSAGE_CHARS. */
export function commitMessage(given: string | undefined, fallback: string): string {
  const m = (given ?? "").trim();
  if (m === "") return fallback;
  return m.length > MAX_MESSAGE_CHARS ? m.slice(0, MAX_MESSAGE_CHARS - 1) + "…" : m;
}

/** The head of a page before its content is placed: metadata derived from `text`. */
export function bareHead(
  base: { pageId: PageId; path: string; createdAt: number },
  text: string,
  rev: StoredRevision,
): Omit<PageHead, "content"> {
  const a = analyzeContent(base.path, text);
  return {
    pageId: base.pageId,
    path: base.path,
    revision: rev.id,
    seq: rev.seq,
    bodyStart: findFrontmatterBlock(text)?.bodyStart ?? 0,
    title: a.title,
    category: a.category,
    tags: a.tags,
    frontmatter: a.frontmatter,
    words: a.words,
    bytes: utf8Bytes(text),
    links: a.links,
    createdAt: base.createdAt,
    updatedAt: rev.time,
    deleted: false,
    last: embeddedRevision(rev),
  };
}

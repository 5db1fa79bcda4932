/**
 * @module
 * The layout of this project's export (docs/export.md): what the zip holds besides the vault, and the JSON lines that
 * carry the history so an import restores it losslessly.
 *
 * - `{page path}.md`: each live page, frontmatter included, attachment references as Obsidian embeds.
 * - `_attachments/{page path}/{file name}`: each attachment.
 * - `.robot-wtf/manifest.json`: {@link Manifest}.
 * - `.robot-wtf/pages/00001.jsonl`, …: every page head (live and deleted), without content, with a {@link ContentRef}.
 * - `.robot-wtf/history/00001.jsonl`, …: every page history entry (`pageId`, `seq`, the stored entry, a reference).
 * - `.robot-wtf/revisions/00001.jsonl`, …: every revision, by write sequence.
 * - `.robot-wtf/attachments/00001.jsonl`, …: every attachment's metadata, its page id and its file in the zip.
 *
 * Each kind of line is cut into parts of {@link LINES_PER_PART} lines (the first part is always written, empty when
 * there is nothing), so neither the export nor the import holds a whole wiki's metadata as one string.
 * - `.robot-wtf/content/{sha256}.md`: exact page texts that no page file holds as they are (older states, deleted
 *   pages, pages whose attachment references were rewritten for Obsidian), each once.
 * - `wiki.bundle` (when the git exporter provides it): the history as a git bundle, for `git clone wiki.bundle`.
 */
import type { AttachmentRecord, HistRecord, PageHead, StoredRevision } from "../wiki/records.ts";

/** The folder of this project's metadata in an export. */
export const META_DIR = ".robot-wtf";
/** Paths of the metadata files. */
export const META = {
  manifest: `${META_DIR}/manifest.json`,
  pages: `${META_DIR}/pages/`,
  history: `${META_DIR}/history/`,
  revisions: `${META_DIR}/revisions/`,
  attachments: `${META_DIR}/attachments/`,
  contentDir: `${META_DIR}/content/`,
} as const;
/** Lines per metadata part. */
export const LINES_PER_PART = 1000;

/** The name of part `n` (1-based) of a metadata folder: `.robot-wtf/pages/00001.jsonl`. */
export function partName(folder: string, n: number): string {
  return `${folder}${String(n).padStart(5, "0")}.jsonl`;
}
/** The entry the git exporter's bundle goes to (the merge hook: lib/archive/export.ts `ExportOptions.gitBundle`, lib/git/bundle.ts). */
export const GIT_BUNDLE_ENTRY = "wiki.bundle";
/** The `format` of a manifest. */
export const EXPORT_FORMAT = "robot.wtf-export";
/** The version of the layout. */
export const EXPORT_VERSION = 1;

/** `.robot-wtf/manifest.json`. */
export interface Manifest {
  format: typeof EXPORT_FORMAT;
  version: number;
  title: string;
  pages: number;
  attachments: number;
  revisions: number;
  historyEntries: number;
}

/** Where a state's exact text is in the zip: a page file (its bytes as they are), or a content file by SHA-256. */
export type ContentRef = { file: string } | { sha256: string };

/** A line of pages.jsonl. */
export type PageLine = Omit<PageHead, "content"> & { content: ContentRef };
/** A line of history.jsonl. */
export type HistoryLine = Omit<HistRecord, "content"> & { pageId: string; seq: number; content: ContentRef };
/** A line of revisions.jsonl. */
export type RevisionLine = StoredRevision;
/** A line of attachments.jsonl. */
export type AttachmentLine = Omit<AttachmentRecord, "content"> & { pageId: string; file: string };

/** The content file of a SHA-256. */
export function contentFile(sha256: string): string {
  return `${META.contentDir}${sha256}.md`;
}

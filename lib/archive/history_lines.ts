/**
 * @module
 * Reading and checking the history files of this project's export (lib/archive/export_format.ts) before anything is
 * written: every line parses, ids and paths have their shapes, every content reference names a file of the archive,
 * every record fits a KV value. A problem is an ArchiveError naming the file and line.
 */
import { isCanonicalPath } from "../wiki/paths.ts";
import { BLOB_PLACEHOLDER } from "../wiki/commit.ts";
import { estimateSize, VALUE_BUDGET_BYTES } from "../wiki/records.ts";
import { sanitizeFilename } from "../wiki/attachments.ts";
import { type Archive, readTextFile } from "./archive.ts";
import { ArchiveError } from "./archive_error.ts";
import {
  type AttachmentLine,
  contentFile,
  type ContentRef,
  type HistoryLine,
  META,
  type PageLine,
  partName,
  type RevisionLine,
} from "./export_format.ts";

/** The checked history of an export. */
export interface HistoryFiles {
  pages: PageLine[];
  history: HistoryLine[];
  revisions: RevisionLine[];
  attachments: AttachmentLine[];
}

const PAGE_ID = /^p_[a-z0-9]{1,40}$/;
const REV_ID = /^[0-9a-f]{32}$/;

/** True when the archive carries history files (the first part of each kind). */
export function hasHistory(archive: Archive): boolean {
  return [META.pages, META.history, META.revisions, META.attachments].every((f) => archive.files.has(partName(f, 1)));
}

/** Reads and checks the four history files. */
export async function readHistoryFiles(archive: Archive): Promise<HistoryFiles> {
  const revisions = await lines<RevisionLine>(archive, META.revisions, (r) => {
    if (!REV_ID.test(String(r.id)) || !Number.isSafeInteger(r.seq) || r.seq < 1) return "bad revision id or seq";
    if (!Array.isArray(r.paths) || estimateSize(r) > VALUE_BUDGET_BYTES) return "bad or oversized revision";
    return null;
  });
  const seqs = new Set<number>();
  for (const r of revisions) {
    if (seqs.has(r.seq)) throw new ArchiveError("corrupt", META.revisions, `write sequence ${r.seq} appears twice.`);
    seqs.add(r.seq);
  }
  const pages = await lines<PageLine>(archive, META.pages, (p) => {
    if (!PAGE_ID.test(String(p.pageId)) || !isCanonicalPath(p.path)) return "bad page id or path";
    if (!seqs.has(p.seq) || !checkRef(archive, p.content)) return "unknown revision or missing content";
    if (estimateSize({ ...p, content: BLOB_PLACEHOLDER }) > VALUE_BUDGET_BYTES) return "page metadata too large";
    return null;
  });
  const ids = new Set(pages.map((p) => p.pageId));
  const history = await lines<HistoryLine>(archive, META.history, (h) => {
    if (!ids.has(h.pageId) || !isCanonicalPath(h.path) || !seqs.has(h.seq)) return "unknown page, path or seq";
    if (!checkRef(archive, h.content)) return "missing content";
    if (estimateSize({ ...h, content: BLOB_PLACEHOLDER }) > VALUE_BUDGET_BYTES) return "entry too large";
    return null;
  });
  const attachments = await lines<AttachmentLine>(archive, META.attachments, (a) => {
    if (!ids.has(a.pageId) || !archive.files.has(a.file)) return "unknown page or missing file";
    try {
      if (sanitizeFilename(a.filename) !== a.filename) return "bad file name";
    } catch {
      return "bad file name";
    }
    return null;
  });
  return { pages, history, revisions, attachments };
}

/** True when a content reference names a file of the archive. */
function checkRef(archive: Archive, ref: ContentRef): boolean {
  if (ref === null || typeof ref !== "object") return false;
  if ("file" in ref) return typeof ref.file === "string" && archive.files.has(ref.file);
  return typeof ref.sha256 === "string" && /^[0-9a-f]{64}$/.test(ref.sha256) &&
    archive.files.has(contentFile(ref.sha256));
}

/** The parsed lines of a metadata folder's parts, in order, each checked by `check` (a reason when bad). */
async function lines<T>(archive: Archive, folder: string, check: (v: T) => string | null): Promise<T[]> {
  const out: T[] = [];
  for (let part = 1; archive.files.has(partName(folder, part)); part++) {
    await partLines(archive, partName(folder, part), check, out);
  }
  return out;
}

/** Adds the checked lines of one part to `out`. */
async function partLines<T>(archive: Archive, name: string, check: (v: T) => string | null, out: T[]): Promise<void> {
  const text = await readTextFile(archive, name);
  let n = 0;
  for (const line of text.split("\n")) {
    n++;
    if (line.trim() === "") continue;
    let value: T;
    try {
      value = JSON.parse(line);
    } catch {
      throw new ArchiveError("corrupt", name, `line ${n} is not JSON.`);
    }
    const bad = value !== null && typeof value === "object" ? check(value) : "not an object";
    if (bad) throw new ArchiveError("corrupt", name, `line ${n}: ${bad}.`);
    out.push(value);
  }
}

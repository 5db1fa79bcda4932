/**
 * @module
 * Export of a wiki as a zip that opens as an Obsidian vault and carries the whole history
 * (lib/archive/export_format.ts). Streamed: records are read from KV as the download pulls, one page or attachment
 * in memory at a time, plus the metadata lines (about 1 KB a page) and the central directory.
 */
import { readBlob } from "../kv/blobs.ts";
import { K } from "../wiki/keys.ts";
import {
  type AttachmentRecord,
  type HistRecord,
  loadText,
  type PageHead,
  type StoredRevision,
} from "../wiki/records.ts";
import type { WikiRecord } from "../wiki/types.ts";
import { sha256Hex } from "../ids.ts";
import { type ZipInput, zipStream } from "./zip_write.ts";
import { attachmentFile, toObsidianRefs } from "./attachment_refs.ts";
import {
  type AttachmentLine,
  contentFile,
  type ContentRef,
  EXPORT_FORMAT,
  EXPORT_VERSION,
  GIT_BUNDLE_ENTRY,
  type HistoryLine,
  LINES_PER_PART,
  type Manifest,
  META,
  type PageLine,
  partName,
} from "./export_format.ts";

/** Options of an export. */
export interface ExportOptions {
  /**
   * The wiki's history as a git bundle (lib/git/bundle.ts `historyBundleBytes`), written to the zip as `wiki.bundle`
   * (GIT_BUNDLE_ENTRY); null or absent leaves it out.
   */
  gitBundle?: (wiki: WikiRecord) => Promise<Uint8Array | null>;
  /** Progress: called after each file with the number of files written. */
  onFile?: (files: number) => void;
}

const UTF8 = new TextEncoder();

/** The export of `wiki` as a zip byte stream. */
export function exportWikiZip(kv: Deno.Kv, wiki: WikiRecord, opts: ExportOptions = {}): ReadableStream<Uint8Array> {
  return zipStream(exportEntries(kv, wiki, opts));
}

/** What the page pass remembers of each page for the history pass: the head's state and where its text is. */
interface PageMark {
  seq: number;
  ref: ContentRef;
}

/** The files of an export, in order: pages, attachments, older contents, then the metadata. */
export async function* exportEntries(
  kv: Deno.Kv,
  wiki: WikiRecord,
  opts: ExportOptions = {},
): AsyncGenerator<ZipInput> {
  const w = wiki.id;
  const marks = new Map<string, PageMark>();
  const paths = new Map<string, string>();
  const seen = new Set<string>();
  const usedFiles = new Set<string>();
  const pageLines = new Parts(META.pages);
  let files = 0;
  const emit = (input: ZipInput): ZipInput => {
    opts.onFile?.(++files);
    return input;
  };
  /** The reference of a text no page file holds as is: its content file, written once. */
  async function* contentRef(text: string, mtime: number, out: { ref: ContentRef | null }): AsyncGenerator<ZipInput> {
    const sha = await sha256Hex(text);
    if (!seen.has(sha)) {
      seen.add(sha);
      yield emit({ name: contentFile(sha), data: UTF8.encode(text), mtime });
    }
    out.ref = { sha256: sha };
  }
  let livePages = 0;
  for await (const e of kv.list<PageHead>({ prefix: K.pages(w) })) {
    const head = e.value;
    const text = await loadText(kv, w, head.content);
    paths.set(head.pageId, head.path);
    const out: { ref: ContentRef | null } = { ref: null };
    if (!head.deleted) {
      livePages++;
      const name = uniqueFile(usedFiles, head.path, ".md");
      const vaultText = toObsidianRefs(text);
      yield emit({ name, data: UTF8.encode(vaultText), mtime: head.updatedAt });
      if (vaultText === text) out.ref = { file: name };
    }
    if (out.ref === null) yield* contentRef(text, head.updatedAt, out);
    marks.set(head.pageId, { seq: head.seq, ref: out.ref! });
    const { content: _c, ...meta } = head;
    const part = pageLines.push(JSON.stringify({ ...meta, content: out.ref! } satisfies PageLine));
    if (part) yield emit(part);
  }
  const attachmentLines = new Parts(META.attachments);
  for await (const e of kv.list<AttachmentRecord>({ prefix: ["att", w] })) {
    const pageId = e.key[2] as string;
    const rec = e.value;
    const path = paths.get(pageId);
    if (path === undefined) continue; // an attachment of a page replaced by a rename: unreachable
    const data = "bytes" in rec.content ? rec.content.bytes : await readBlob(kv, w, rec.content);
    const name = uniqueFile(usedFiles, attachmentFile(path, rec.filename), "");
    yield emit({ name, data, mtime: rec.updatedAt });
    const { content: _c, ...meta } = rec;
    const part = attachmentLines.push(JSON.stringify({ ...meta, pageId, file: name } satisfies AttachmentLine));
    if (part) yield emit(part);
  }
  const historyLines = new Parts(META.history);
  for await (const e of kv.list<HistRecord>({ prefix: ["page_hist", w] })) {
    const pageId = e.key[2] as string;
    const seq = e.key[3] as number;
    const hist = e.value;
    const mark = marks.get(pageId);
    // The entry written with the current head holds the head's text: no need to read or hash it again.
    const out: { ref: ContentRef | null } = { ref: mark?.seq === seq ? mark.ref : null };
    if (out.ref === null) yield* contentRef(await loadText(kv, w, hist.content), hist.revision.time, out);
    const { content: _c, ...meta } = hist;
    const part = historyLines.push(JSON.stringify({ ...meta, pageId, seq, content: out.ref! } satisfies HistoryLine));
    if (part) yield emit(part);
  }
  const revisionLines = new Parts(META.revisions);
  for await (const e of kv.list<StoredRevision>({ prefix: K.changes(w) })) {
    const part = revisionLines.push(JSON.stringify(e.value));
    if (part) yield emit(part);
  }
  for (const parts of [pageLines, attachmentLines, historyLines, revisionLines]) {
    const last = parts.finish();
    if (last) yield emit(last);
  }
  const manifest: Manifest = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    title: wiki.title,
    pages: livePages,
    attachments: attachmentLines.count,
    revisions: revisionLines.count,
    historyEntries: historyLines.count,
  };
  yield emit({ name: META.manifest, data: UTF8.encode(JSON.stringify(manifest, null, 2) + "\n") });
  const bundle = opts.gitBundle ? await opts.gitBundle(wiki) : null;
  if (bundle) yield emit({ name: GIT_BUNDLE_ENTRY, data: bundle });
}

/** Lines of one kind, cut into parts of LINES_PER_PART: `push` returns a full part to write. */
class Parts {
  readonly #folder: string;
  #lines: string[] = [];
  #written = 0;
  /** Lines pushed so far. */
  count = 0;
  constructor(folder: string) {
    this.#folder = folder;
  }
  push(line: string): ZipInput | null {
    this.#lines.push(line);
    this.count++;
    return this.#lines.length >= LINES_PER_PART ? this.#part() : null;
  }
  /** The last part (the first one even when empty), or null when a full part ended the lines. */
  finish(): ZipInput | null {
    return this.#lines.length > 0 || this.#written === 0 ? this.#part() : null;
  }
  #part(): ZipInput {
    const data = UTF8.encode(this.#lines.length === 0 ? "" : this.#lines.join("\n") + "\n");
    this.#lines = [];
    return { name: partName(this.#folder, ++this.#written), data };
  }
}

/**
 * A file name not yet used in the zip, compared case-insensitively (pages `A` and `a` must not become two files that
 * one case-insensitive file system, or the importer's duplicate check, would see as one): `a.md`, then `a~2.md`.
 */
function uniqueFile(used: Set<string>, base: string, ext: string): string {
  let name = base + ext;
  for (let n = 2; used.has(name.toLowerCase()); n++) name = `${base}~${n}${ext}`;
  used.add(name.toLowerCase());
  return name;
}

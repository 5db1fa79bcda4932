/**
 * @module
 * Import of this project's export WITH its history: the page heads, history entries, revisions and attachments are
 * written as the export recorded them (same ids, sequence numbers, authors, times and messages), so export -> import
 * -> export gives the same files. Only into a wiki that holds nothing but its starter pages (every revision by the
 * system): those are removed first, as the dry run says. The archive is checked whole before anything is written; a
 * failure while writing removes everything written, leaving the wiki empty, and says so (nothing half-imported).
 */
import { K } from "../wiki/keys.ts";
import { forgetCatalog } from "../wiki/catalog.ts";
import { SEED_ACTOR } from "../wiki/seed.ts";
import { INLINE_ATTACHMENT_BYTES } from "../wiki/attachments.ts";
import { deletePrefix } from "../kv/purge.ts";
import { BlobKeys, type BlobRef, stageBlob } from "../kv/blobs.ts";
import { WIKI_PURGED_TYPES } from "../wiki/keys.ts";
import {
  type AttachmentRecord,
  COMMIT_BUDGET_BYTES,
  estimateKeySize,
  estimateSize,
  type HistRecord,
  type PageHead,
  type StoredContent,
  type StoredRevision,
  VALUE_BUDGET_BYTES,
  type WikiState,
} from "../wiki/records.ts";
import { sha256Hex } from "../ids.ts";
import { WikiError } from "../errors.ts";
import { type Archive, readFile, readTextFile } from "./archive.ts";
import { ArchiveError } from "./archive_error.ts";
import { contentFile, type ContentRef } from "./export_format.ts";
import { type HistoryFiles, readHistoryFiles } from "./history_lines.ts";
import type { ImportPlan, ImportTarget } from "./import_plan.ts";
import { formatLimit } from "../wiki/commit.ts";

/** True when the wiki has only starter pages (every revision written by the system), so history can be restored. */
export async function acceptsHistory(kv: Deno.Kv, wikiId: string): Promise<boolean> {
  for await (const e of kv.list<StoredRevision>({ prefix: K.changes(wikiId) })) {
    if (e.value.author !== SEED_ACTOR.id || e.value.client !== SEED_ACTOR.client) return false;
  }
  for await (const _ of kv.list({ prefix: ["att", wikiId] }, { limit: 1 })) return false;
  return true;
}

/** The plan of a history import: every live page and attachment is created. */
export async function planHistoryImport(target: ImportTarget, archive: Archive): Promise<ImportPlan> {
  const h = await readHistoryFiles(archive);
  const live = h.pages.filter((p) => !p.deleted);
  const pathOf = new Map(h.pages.map((p) => [p.pageId, p.path]));
  const refused = live.filter((p) => p.bytes > target.limits.maxPageBytes).map((p) => ({
    entry: "file" in p.content ? p.content.file : p.path,
    reason: `the page is ${p.bytes} bytes; the largest page this wiki holds is ${target.limits.maxPageBytes} bytes`,
  }));
  const starters = (await target.pages.list()).map((p) => p.path);
  const newBytes = live.reduce((n, p) => n + p.bytes, 0) + h.attachments.reduce((n, a) => n + a.size, 0);
  const { quota } = target.wiki;
  const over = live.length > quota.pages
    ? `The archive has ${live.length} pages; this wiki's quota is ${quota.pages} pages.`
    : newBytes > quota.bytes
    ? `The archive holds ${formatLimit(newBytes)}; this wiki's quota is ${formatLimit(quota.bytes)}.`
    : null;
  return {
    format: "robot.wtf",
    root: archive.root,
    history: {
      restored: true,
      revisions: h.revisions.length,
      note: starters.length === 0 ? null : `The wiki's starter pages (${starters.join(", ")}) are replaced by the ` +
        `archive's pages and history.`,
    },
    pages: live.map((p) => ({
      entry: "file" in p.content ? p.content.file : p.path,
      path: p.path,
      renamedFrom: null,
      action: "create",
      bytes: p.bytes,
    })),
    attachments: h.attachments.map((a) => ({
      entry: a.file,
      path: pathOf.get(a.pageId)!,
      filename: a.filename,
      action: "create",
      bytes: a.size,
    })),
    skipped: archive.skipped,
    refused,
    newPages: live.length,
    newBytes,
    quotaError: over,
  };
}

/** Writes the archive's history into the wiki (see the module comment). Returns the number of revisions. */
export async function applyHistoryImport(target: ImportTarget, archive: Archive): Promise<number> {
  const files = await readHistoryFiles(archive);
  const { kv } = target;
  const w = target.wiki.id;
  await clearPages(kv, w);
  const cleared = await kv.get<WikiState>(K.wikiState(w));
  try {
    const writer = new BatchWriter(kv);
    const state = await writeRecords(target, archive, files, writer);
    await writer.flush();
    const res = await kv.atomic().check(cleared).set(K.wikiState(w), state).commit();
    if (!res.ok) throw new WikiError("conflict", "The wiki changed while its history was being imported.");
    forgetCatalog(kv, w);
    return files.revisions.length;
  } catch (err) {
    await clearPages(kv, w);
    forgetCatalog(kv, w);
    if (!(err instanceof WikiError)) throw err;
    throw new WikiError(
      err.code,
      `The import stopped (${err.message}) and everything it had written was removed: the wiki is now empty (its starter ` +
        `pages were removed before writing). Nothing of the archive was kept; run the import again.`,
    );
  }
}

/** Removes every page record of the wiki and sets its state to empty. */
async function clearPages(kv: Deno.Kv, w: string): Promise<void> {
  for (const type of WIKI_PURGED_TYPES) if (type !== "wiki_member") await deletePrefix(kv, [type, w]);
  await deletePrefix(kv, BlobKeys.wikiBlobs(w));
  await deletePrefix(kv, BlobKeys.wikiStaging(w));
  await kv.set(K.wikiState(w), { pages: 0, bytes: 0, seq: 0 } satisfies WikiState);
}

/** Writes revisions, history entries, heads, backlinks and attachments; returns the wiki's new state. */
async function writeRecords(
  target: ImportTarget,
  archive: Archive,
  files: HistoryFiles,
  writer: BatchWriter,
): Promise<WikiState> {
  const w = target.wiki.id;
  const blobs = new Map<string, BlobRef>();
  const place = async (ref: ContentRef, record: object): Promise<StoredContent> => {
    const name = "file" in ref ? ref.file : contentFile(ref.sha256);
    const text = await readTextFile(archive, name);
    if ("sha256" in ref && (await sha256Hex(text)) !== ref.sha256) {
      throw new ArchiveError("corrupt", name, "its content does not match its SHA-256 name.");
    }
    if (estimateSize({ ...record, content: { text } }) <= VALUE_BUDGET_BYTES) return { text };
    const sha = "sha256" in ref ? ref.sha256 : await sha256Hex(text);
    let blob = blobs.get(sha);
    if (!blob) blobs.set(sha, blob = await stageBlob(target.kv, w, new TextEncoder().encode(text)));
    return blob;
  };
  let seq = 0;
  for (const r of files.revisions) {
    await writer.set(K.rev(w, r.id), r);
    await writer.set(K.change(w, r.seq), r);
    seq = Math.max(seq, r.seq);
  }
  for (const { pageId, seq: s, content, ...rest } of files.history) {
    const hist: Omit<HistRecord, "content"> = rest;
    await writer.set(K.pageHist(w, pageId, s), { ...hist, content: await place(content, hist) });
  }
  let pages = 0;
  let bytes = 0;
  for (const { content, ...rest } of files.pages) {
    const head: PageHead = { ...rest, content: await place(content, rest) };
    await writer.set(K.page(w, head.path), head);
    if (head.deleted) continue;
    pages++;
    bytes += head.bytes;
    for (const t of head.links) await writer.set(K.link(w, t, head.path), true);
  }
  for (const { pageId, file, ...meta } of files.attachments) {
    const data = await readFile(archive, file);
    if (data.length !== meta.size || (await sha256Hex(data)) !== meta.sha256) {
      throw new ArchiveError("corrupt", file, "its bytes do not match the size and SHA-256 recorded for it.");
    }
    const content = data.length > INLINE_ATTACHMENT_BYTES ? await stageBlob(target.kv, w, data) : { bytes: data };
    if (!("bytes" in content)) blobs.set(`att:${pageId}:${meta.filename}`, content);
    await writer.set(K.attachment(w, pageId, meta.filename), { ...meta, content } satisfies AttachmentRecord);
    bytes += meta.size;
  }
  for (const ref of blobs.values()) await writer.delete(BlobKeys.blobStaging(w, ref.blob));
  return { pages, bytes, seq };
}

/** Sets and deletes in commits within Deno KV's mutation and size limits. */
class BatchWriter {
  #op: Deno.AtomicOperation;
  #count = 0;
  #bytes = 0;
  readonly #kv: Deno.Kv;
  constructor(kv: Deno.Kv) {
    this.#kv = kv;
    this.#op = kv.atomic();
  }
  async set(key: Deno.KvKey, value: unknown): Promise<void> {
    const size = estimateKeySize(key) + estimateSize(value);
    if (this.#count >= 500 || this.#bytes + size > COMMIT_BUDGET_BYTES) await this.flush();
    this.#op.set(key, value);
    this.#count++;
    this.#bytes += size;
  }
  async delete(key: Deno.KvKey): Promise<void> {
    if (this.#count >= 500) await this.flush();
    this.#op.delete(key);
    this.#count++;
    this.#bytes += estimateKeySize(key);
  }
  async flush(): Promise<void> {
    if (this.#count === 0) return;
    const res = await this.#op.commit();
    if (!res.ok) throw new Error("a history import commit failed");
    this.#op = this.#kv.atomic();
    this.#count = 0;
    this.#bytes = 0;
  }
}

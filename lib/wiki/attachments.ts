/**
 * @module
 * Page attachments: files stored with a page (keyed by its stable page id, so they follow renames). Small files
 * are inline in the record; larger ones are staged as chunked blobs and published by the write's final commit.
 * Attaching and detaching create revisions (actions `attach`/`detach`) and an attachment history entry (`att_hist`,
 * by write sequence) but no page history entry; a replaced or detached file's bytes stay, for the history (the git
 * view, lib/git/), and keep counting toward the storage quota, so that attach/detach cycles cannot grow storage
 * without bound (there is no pruning of attachment history yet).
 */
import { type BlobRef, readBlob } from "../kv/blobs.ts";
import { K } from "./keys.ts";
import { sha256Hex } from "../ids.ts";
import { InvalidInputError, NotFoundError, TooLargeError } from "../errors.ts";
import type { Actor, AttachmentInfo } from "./types.ts";
import { type AttachmentHistRecord, type AttachmentRecord, commitMessage, type PageHead } from "./records.ts";
import { BlobStager, discardOnRefusal, formatLimit, readState, runWrite } from "./commit.ts";
import { getHead, makeRevision, requireLive, type StoreContext } from "./store_context.ts";
import { utf8Bytes } from "./text.ts";

/** Longest filename, in UTF-8 bytes. */
export const MAX_FILENAME_BYTES = 255;
/** Attachments up to this size are stored inline in their record. */
export const INLINE_ATTACHMENT_BYTES = 48 * 1024;

/** Shape of an acceptable given MIME type (`type/subtype`, no parameters); anything else falls back to the extension. */
const MIME_SHAPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$/;

/** MIME types by lowercase file extension; anything else is `application/octet-stream`. */
const MIME_TYPES: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  svg: "image/svg+xml",
  avif: "image/avif",
  ico: "image/x-icon",
  pdf: "application/pdf",
  txt: "text/plain",
  md: "text/markdown",
  csv: "text/csv",
  json: "application/json",
  html: "text/html",
  xml: "application/xml",
  zip: "application/zip",
  gz: "application/gzip",
  mp3: "audio/mpeg",
  wav: "audio/wav",
  mp4: "video/mp4",
  webm: "video/webm",
};

/**
 * A safe attachment filename: the last segment after any `/` or `\`, NFC, control characters and unpaired
 * surrogates (broken Unicode) removed, trimmed, no leading dots, at most MAX_FILENAME_BYTES UTF-8 bytes (the
 * extension kept when cutting). InvalidInputError when nothing usable remains.
 */
export function sanitizeFilename(input: string): string {
  const raw = typeof input === "string" ? input : "";
  let name = raw.normalize("NFC").split(/[/\\]/).pop()!.replace(/[\p{Cc}\p{Cs}]/gu, "").trim().replace(/^\.+/, "")
    .trim();
  if (utf8Bytes(name) > MAX_FILENAME_BYTES) {
    const dot = name.lastIndexOf(".");
    const ext = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : "";
    name = cutToBytes(name.slice(0, name.length - ext.length), MAX_FILENAME_BYTES - utf8Bytes(ext)).trimEnd() + ext;
  }
  if (name === "") {
    throw new InvalidInputError(
      `Invalid attachment filename ${JSON.stringify(raw.slice(0, 60))}: nothing usable remains after removing ` +
        `folders, control characters and leading dots. Use a name such as "diagram.png".`,
    );
  }
  return name;
}

/** The longest prefix of `text` (whole code points) of at most `max` UTF-8 bytes; one pass over the text. */
function cutToBytes(text: string, max: number): string {
  let bytes = 0;
  let end = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    const n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (bytes + n > max) break;
    bytes += n;
    end += ch.length;
  }
  return text.slice(0, end);
}

/** MIME type for a filename, from its extension. */
export function mimeFor(filename: string): string {
  const dot = filename.lastIndexOf(".");
  return (dot >= 0 && MIME_TYPES[filename.slice(dot + 1).toLowerCase()]) || "application/octet-stream";
}

/** Public metadata of a stored attachment. */
function infoOf(r: AttachmentRecord): AttachmentInfo {
  return { filename: r.filename, size: r.size, mime: r.mime, updatedAt: r.updatedAt, sha256: r.sha256 };
}

/** Attachments of a page (live or deleted), sorted by filename. NotFoundError when the page never existed. */
export async function listAttachments(ctx: StoreContext, path: string): Promise<AttachmentInfo[]> {
  const head = await getHead(ctx, path);
  if (head === null) requireLive(path, head);
  const out: AttachmentInfo[] = [];
  for await (const e of ctx.kv.list<AttachmentRecord>({ prefix: K.attachments(ctx.wikiId, head!.pageId) })) {
    out.push(infoOf(e.value));
  }
  return out.sort((a, b) => (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0));
}

/** Reads an attachment's metadata and bytes. */
export async function getAttachment(
  ctx: StoreContext,
  path: string,
  filename: string,
): Promise<{ info: AttachmentInfo; data: Uint8Array }> {
  const name = sanitizeFilename(filename);
  const head = await getHead(ctx, path);
  if (head === null) requireLive(path, head);
  const rec = (await ctx.kv.get<AttachmentRecord>(K.attachment(ctx.wikiId, head!.pageId, name))).value;
  if (rec === null) throw notFound(path, name);
  const data = "bytes" in rec.content ? rec.content.bytes : await readBlob(ctx.kv, ctx.wikiId, rec.content);
  return { info: infoOf(rec), data };
}

/** Adds or replaces an attachment of a live page (size cap, quota), as one revision. */
export async function putAttachment(
  ctx: StoreContext,
  path: string,
  filename: string,
  data: Uint8Array,
  opts: { mime?: string; message?: string },
  actor: Actor,
): Promise<AttachmentInfo> {
  const name = sanitizeFilename(filename);
  if (!(data instanceof Uint8Array)) throw new InvalidInputError("Attachment data must be bytes.");
  const max = ctx.deps.limits.maxAttachmentBytes;
  if (data.length > max) {
    throw new TooLargeError(
      `Attachment too large (${data.length} bytes). Maximum size is ${max} bytes (${formatLimit(max)}).`,
    );
  }
  const sha256 = await sha256Hex(data);
  const given = opts.mime?.trim().toLowerCase() ?? "";
  const mime = MIME_SHAPE.test(given) ? given : mimeFor(name);
  const stager = new BlobStager(ctx.kv, ctx.wikiId, ctx.now);
  let staged: BlobRef | null = null;
  try {
    return await runWrite(ctx, async () => {
      const { state, versionstamp, values } = await readState(ctx.kv, ctx.wikiId, [K.page(ctx.wikiId, path)]);
      const head = requireLive(path, values[0] as PageHead | null);
      const key = K.attachment(ctx.wikiId, head.pageId, name);
      const msg = commitMessage(opts.message, `Attach: ${path}/${name}`);
      const rev = makeRevision(ctx, state, "attach", msg, [path], actor);
      if (data.length > INLINE_ATTACHMENT_BYTES && staged === null) staged = await stager.bytes(data);
      const rec: AttachmentRecord = {
        filename: name,
        size: data.length,
        mime,
        updatedAt: rev.time,
        sha256,
        content: staged ?? { bytes: data },
      };
      return {
        stateVersionstamp: versionstamp,
        state,
        revision: rev,
        pages: [],
        sets: [[key, rec], [K.attHist(ctx.wikiId, rev.seq), histOf(head.pageId, rec)]],
        // A replaced file's bytes stay for the history (git view), so they keep counting toward the quota.
        extraBytes: data.length,
        publish: staged ? [staged] : [],
        result: infoOf(rec),
      };
    });
  } catch (err) {
    return await discardOnRefusal(stager, err);
  }
}

/** Deletes an attachment, as one revision. */
export async function deleteAttachment(
  ctx: StoreContext,
  path: string,
  filename: string,
  opts: { message?: string },
  actor: Actor,
): Promise<void> {
  const name = sanitizeFilename(filename);
  await runWrite(ctx, async () => {
    const { state, versionstamp, values } = await readState(ctx.kv, ctx.wikiId, [K.page(ctx.wikiId, path)]);
    const head = values[0] as PageHead | null;
    if (head === null) requireLive(path, head);
    const key = K.attachment(ctx.wikiId, head!.pageId, name);
    const removed = (await ctx.kv.get<AttachmentRecord>(key)).value;
    if (removed === null) throw notFound(path, name);
    const rev = makeRevision(
      ctx,
      state,
      "detach",
      commitMessage(opts.message, `Detach: ${path}/${name}`),
      [path],
      actor,
    );
    return {
      stateVersionstamp: versionstamp,
      state,
      revision: rev,
      pages: [],
      sets: [[K.attHist(ctx.wikiId, rev.seq), { ...histOf(head!.pageId, removed), content: null }]],
      deletes: [key],
      extraBytes: 0, // the bytes stay for the history (git view) and keep counting toward the quota
      result: undefined,
    };
  });
}

/** The history entry of an attachment record written by an attach revision. */
function histOf(pageId: string, rec: AttachmentRecord): AttachmentHistRecord {
  return { pageId, filename: rec.filename, size: rec.size, sha256: rec.sha256, content: rec.content };
}

function notFound(path: string, name: string): NotFoundError {
  return new NotFoundError(`Page "${path}" has no attachment "${name}". List its attachments to see the names.`);
}

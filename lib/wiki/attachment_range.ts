/**
 * @module
 * Reading part of an attachment: its metadata first, then any byte range, fetching only the blob chunks that hold
 * it (a 10 MB file is read in windows without loading all of it for each window). Absent pages and files answer
 * null: the caller asks `PageStore.getAttachment` for the error to show.
 */
import { BlobKeys, CHUNK_BYTES } from "../kv/blobs.ts";
import { K } from "./keys.ts";
import { canonicalPath } from "./paths.ts";
import { sanitizeFilename } from "./attachments.ts";
import type { AttachmentRecord, PageHead } from "./records.ts";
import type { AttachmentInfo, WikiRecord } from "./types.ts";

/** An attachment opened for ranged reads. */
export interface OpenAttachment {
  info: AttachmentInfo;
  /** Bytes `start` to `end` (exclusive, within the size); null when the file changed and its bytes are gone. */
  read(start: number, end: number): Promise<Uint8Array | null>;
}

/** Opens the attachment `filename` of the page at `path` (live or deleted); null when there is none. */
export async function openAttachment(
  kv: Deno.Kv,
  wiki: Pick<WikiRecord, "id">,
  path: string,
  filename: string,
): Promise<OpenAttachment | null> {
  const head = (await kv.get<PageHead>(K.page(wiki.id, canonicalPath(path)))).value;
  if (head === null) return null;
  const rec = (await kv.get<AttachmentRecord>(K.attachment(wiki.id, head.pageId, sanitizeFilename(filename)))).value;
  if (rec === null) return null;
  const info = { filename: rec.filename, size: rec.size, mime: rec.mime, updatedAt: rec.updatedAt, sha256: rec.sha256 };
  const content = rec.content;
  return {
    info,
    async read(start, end) {
      const from = Math.max(0, Math.min(start, rec.size));
      const to = Math.max(from, Math.min(end, rec.size));
      if ("bytes" in content) return content.bytes.slice(from, to);
      if (to === from) return new Uint8Array(0);
      const first = Math.floor(from / CHUNK_BYTES);
      const last = Math.floor((to - 1) / CHUNK_BYTES);
      const prefix = BlobKeys.blobChunks(wiki.id, content.blob);
      const out = new Uint8Array(to - from);
      let expected = first;
      for await (const e of kv.list<Uint8Array>({ start: [...prefix, first], end: [...prefix, last + 1] })) {
        if (e.key[3] !== expected) return null;
        const chunkStart = expected * CHUNK_BYTES;
        const a = Math.max(from, chunkStart) - chunkStart;
        const b = Math.min(to, chunkStart + e.value.length) - chunkStart;
        out.set(e.value.subarray(a, b), chunkStart + a - from);
        expected++;
      }
      return expected === last + 1 ? out : null;
    },
  };
}

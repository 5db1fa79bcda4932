/**
 * @module
 * Attachment tools: list_attachments, download_attachment (read); upload_attachment, delete_attachment (write).
 * Content travels as base64, validated and size-checked before it is decoded.
 */
import { z } from "zod";
import { ARG_BOUNDS, boundedText } from "./bounds.ts";
import { fail, ok } from "./errors.ts";
import { formatAttachments, isoSeconds } from "./format.ts";
import { resultBudget } from "./budget.ts";
import { attachmentWindow } from "./attachment_window.ts";
import { openAttachment } from "../wiki/attachment_range.ts";
import { linePart } from "./line_pages.ts";
import { canonicalPath } from "../wiki/paths.ts";
import { actorOf, READ, tool, type WikiTool } from "./tool.ts";
import { OUTPUT } from "./output.ts";

const path = boundedText(ARG_BOUNDS.path).describe('Path of the page the file is attached to, e.g. "Design/Auth".');
const filename = boundedText(ARG_BOUNDS.filename).describe('File name, e.g. "diagram.png".');

/**
 * Decodes standard base64 (ASCII whitespace, such as line breaks every 76 characters, is ignored); null when it is
 * not valid base64. Native and linear: no regular expression over the whole text.
 */
export function decodeBase64(text: string): Uint8Array | null {
  try {
    return Uint8Array.fromBase64(text);
  } catch {
    return null;
  }
}

/** Bytes that `text` decodes to, counted without decoding (whitespace skipped, padding subtracted): one pass. */
export function base64DecodedLength(text: string): number {
  let chars = 0;
  let pad = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d) continue;
    chars++;
    pad = c === 0x3d ? pad + 1 : 0;
  }
  return Math.floor((chars - pad) * 3 / 4);
}

/** Encodes bytes as standard base64 (native; no call-stack limit on large files). */
export function encodeBase64(bytes: Uint8Array): string {
  return bytes.toBase64();
}

/** The attachment tools. */
export const ATTACHMENT_TOOLS: WikiTool[] = [
  tool({
    name: "list_attachments",
    title: "List attachments of a note",
    scope: "wiki:read",
    description: "Files attached to a page: name, size, type and last change.",
    annotations: READ,
    output: OUTPUT.list_attachments,
    input: z.object({
      path,
      cursor: boundedText(ARG_BOUNDS.cursor).optional().describe(
        "Where to continue: the cursor a cut result gave. Omit to start.",
      ),
    }),
    async run({ path, cursor }, { pages, limits }) {
      const items = await pages.listAttachments(path);
      const attachments = items.map((a) => ({
        filename: a.filename,
        size: a.size,
        mime: a.mime,
        updated: isoSeconds(a.updatedAt),
        sha256: a.sha256,
      }));
      const key = canonicalPath(path);
      const text = formatAttachments(path, items);
      return linePart("list_attachments", key, text, cursor, resultBudget(limits), { path: key, attachments });
    },
  }),
  tool({
    name: "upload_attachment",
    title: "Attach a file to a note",
    scope: "wiki:write",
    description: "Attach a file to an existing page (replacing a file of the same name). `content` is the file " +
      "as standard base64. Limit: 10 MB per file. Link it from the page text as needed.",
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    input: z.object({
      path,
      filename,
      content: boundedText(ARG_BOUNDS.body).describe("The file's bytes, base64-encoded."),
      commit_message: boundedText(ARG_BOUNDS.message).optional().describe(
        "Short description of the change, for the history.",
      ),
    }),
    async run({ path, filename, content, commit_message }, ctx) {
      const max = ctx.limits.maxAttachmentBytes;
      const size = base64DecodedLength(content);
      if (size > max) {
        return fail(`Too large: the file is ${size} bytes; attachments are limited to ${max} bytes.`);
      }
      const data = decodeBase64(content);
      if (data === null) {
        return fail("Invalid request: `content` is not valid base64. Encode the file's bytes as standard base64.");
      }
      const info = await ctx.pages.putAttachment(
        path,
        filename,
        data,
        { message: commit_message || undefined },
        actorOf(ctx.principal),
      );
      return ok(`Uploaded ${info.filename} to ${path} (${info.size} bytes)`);
    },
  }),
  tool({
    name: "download_attachment",
    title: "Download an attachment",
    scope: "wiki:read",
    description: "Read a file attached to a page; the bytes come back as base64. A file larger than one result " +
      "comes in byte windows: the result says which bytes it holds and the `offset` to pass for the rest " +
      "(`length` asks for a smaller window).",
    annotations: READ,
    output: OUTPUT.download_attachment,
    input: z.object({
      path,
      filename,
      offset: z.number().int().min(0).optional().describe("First byte to return (default 0)."),
      length: z.number().int().min(1).optional().describe(
        "At most this many bytes; a window never exceeds what fits the server's result budget as base64.",
      ),
    }),
    async run({ path, filename, offset, length }, { pages, limits, kv, wiki }) {
      let file = await openAttachment(kv, wiki, path, filename);
      if (file === null) {
        // Absent: the store says why (no such page, no such file), in its words; or it appeared meanwhile.
        const { info, data } = await pages.getAttachment(path, filename);
        file = { info, read: (start, end) => Promise.resolve(data.slice(start, end)) };
      }
      return await attachmentWindow(file, offset, length, resultBudget(limits));
    },
  }),
  tool({
    name: "delete_attachment",
    title: "Delete an attachment",
    scope: "wiki:write",
    description: "Remove a file from a page. Confirm with the user first.",
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    input: z.object({
      path,
      filename,
      commit_message: boundedText(ARG_BOUNDS.message).optional().describe(
        "Short description of the change, for the history.",
      ),
    }),
    async run({ path, filename, commit_message }, ctx) {
      await ctx.pages.deleteAttachment(
        path,
        filename,
        { message: commit_message || undefined },
        actorOf(ctx.principal),
      );
      return ok(`Deleted attachment ${filename}`);
    },
  }),
];

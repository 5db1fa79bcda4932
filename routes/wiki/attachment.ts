/**
 * @module
 * Attachment download: `/-/attachment/{path}/{filename}`. Only PNG, JPEG, GIF and WebP images whose bytes match
 * their type are shown inline; everything else (SVG and HTML included) is sent with `Content-Disposition:
 * attachment`, and every response carries `nosniff` and a sandboxing Content-Security-Policy, so an uploaded file
 * can never run script on the wiki's origin.
 */
import type { Context } from "hono";
import { NotFoundError } from "../../lib/errors.ts";
import { canonicalPath } from "../../lib/wiki/paths.ts";
import type { WikiEnv } from "../env.ts";
import { pathAfter, wikiContext } from "../components/wiki_context.ts";

/** The Content-Security-Policy of files served from the wiki (attachments, raw text): no script, no subresources. */
export const SANDBOX_CSP =
  "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; object-src 'none'; frame-ancestors 'none'; sandbox";

const MIME_SHAPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/;

/** Raster image types shown inline, each with a check of the file's leading bytes. */
const INLINE_IMAGES: Record<string, (b: Uint8Array) => boolean> = {
  "image/png": (b) => startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  "image/jpeg": (b) => startsWith(b, [0xff, 0xd8, 0xff]),
  "image/gif": (b) => startsWith(b, [0x47, 0x49, 0x46, 0x38]),
  "image/webp": (b) => startsWith(b, [0x52, 0x49, 0x46, 0x46]) && startsWith(b.subarray(8), [0x57, 0x45, 0x42, 0x50]),
};

/** GET `/-/attachment/{path}/{filename}`. */
export async function attachmentRoute(c: Context<WikiEnv>): Promise<Response> {
  const { pages } = wikiContext(c);
  const tail = pathAfter(c, "/-/attachment/");
  const slash = tail.lastIndexOf("/");
  if (slash <= 0 || slash === tail.length - 1) {
    throw new NotFoundError("Attachment URLs look like /-/attachment/{page path}/{file name}.");
  }
  const { info, data } = await pages.getAttachment(canonicalPath(tail.slice(0, slash)), tail.slice(slash + 1));
  const etag = `"${info.sha256}"`;
  const headers: Record<string, string> = {
    "Content-Type": contentType(info.mime),
    "Content-Disposition": contentDisposition(isInlineImage(info.mime, data) ? "inline" : "attachment", info.filename),
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": SANDBOX_CSP,
    "Cache-Control": "public, max-age=0, must-revalidate",
    "ETag": etag,
  };
  if (c.req.header("if-none-match") === etag) return c.body(null, 304, headers);
  return c.body(data.slice().buffer, 200, headers);
}

/** True when the file is a PNG, JPEG, GIF or WebP by both its declared type and its bytes. */
export function isInlineImage(mime: string, data: Uint8Array): boolean {
  const check = INLINE_IMAGES[mime.toLowerCase()];
  return check !== undefined && check(data);
}

/** A `Content-Disposition` value with an ASCII fallback name and the RFC 8187 UTF-8 name. */
export function contentDisposition(kind: "inline" | "attachment", filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\%]/g, "_");
  const encoded = encodeURIComponent(filename.toWellFormed()).replace(
    /['()*]/g,
    (ch) => "%" + ch.charCodeAt(0).toString(16),
  );
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** The stored MIME type when well-formed, else `application/octet-stream`. */
function contentType(mime: string): string {
  const m = mime.trim().toLowerCase();
  return MIME_SHAPE.test(m) ? m : "application/octet-stream";
}

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);
}

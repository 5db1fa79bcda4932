/**
 * @module
 * download_attachment within the result budget: the whole file as base64 when it fits and no window was asked for
 * (as before), else the bytes from `offset`, as many as fit as base64 (4 characters per 3 bytes) or `length`, with a
 * line saying where the window sits and the offset to pass for the rest.
 */
import { fail, ok, type ToolText } from "./errors.ts";
import { withData } from "./output.ts";
import type { OpenAttachment } from "../wiki/attachment_range.ts";

/** The download_attachment result for the window of `file` from `offset`, at most `length` bytes. */
export async function attachmentWindow(
  file: OpenAttachment,
  offset: number | undefined,
  length: number | undefined,
  budget: number,
): Promise<ToolText> {
  const info = file.info;
  const size = info.size;
  const head = `Downloaded ${info.filename} (${info.size} bytes, ${info.mime})`;
  const label = "Content (base64):";
  const asked = offset !== undefined || length !== undefined;
  if (!asked && head.length + label.length + 2 + Math.ceil(size / 3) * 4 <= budget) {
    const all = await file.read(0, size);
    if (all === null) return changed();
    return withData(ok(`${head}\n${label}\n${all.toBase64()}`), windowData(info, 0, all, budget));
  }
  const start = offset ?? 0;
  if (start > size) {
    return fail(
      `Invalid request: offset ${start} is past the end of ${info.filename} (${size} bytes). Use an offset ` +
        `from 0 to ${size}.`,
    );
  }
  const partLine = (end: number) => {
    const where = `Part: bytes ${start} to ${end} of ${size} (${end - start} bytes; sha256 of the whole ` +
      `file: ${info.sha256}).`;
    if (end >= size) return `${where} This is the end.`;
    return `${where} More: call download_attachment again with offset=${end} (the same path and filename).`;
  };
  const room = budget - head.length - label.length - partLine(size - 1).length - 3;
  const fits = Math.max(3, Math.floor(room / 4) * 3);
  const end = Math.min(size, start + Math.min(length ?? Infinity, fits));
  const bytes = await file.read(start, end);
  if (bytes === null) return changed();
  return withData(
    ok(`${head}\n${partLine(end)}\n${label}\n${bytes.toBase64()}`),
    windowData(info, start, bytes, budget),
  );
}

/** Characters the structured content of a window takes besides its base64 (names, numbers, the sha256). */
const WINDOW_DATA_OVERHEAD = 600;

/**
 * The structured content of the window of `bytes` from `start` (lib/mcp/output.ts): fewer bytes when their base64
 * would not fit `budget` with the other fields (next_offset then says where the data stops).
 */
function windowData(info: OpenAttachment["info"], start: number, bytes: Uint8Array, budget: number) {
  const fits = Math.max(3, Math.floor((budget - WINDOW_DATA_OVERHEAD - info.filename.length * 6) / 4) * 3);
  const kept = bytes.length <= fits ? bytes : bytes.subarray(0, fits);
  const end = start + kept.length;
  return {
    filename: info.filename,
    mime: info.mime,
    size: info.size,
    sha256: info.sha256,
    offset: start,
    length: kept.length,
    content_base64: kept.toBase64(),
    next_offset: end < info.size ? end : undefined,
  };
}

function changed(): ToolText {
  return fail("Conflict: the file was replaced while it was being read. Call download_attachment again.");
}

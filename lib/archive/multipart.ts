/**
 * @module
 * A streaming reader of one `multipart/form-data` upload (the import form: small text fields, then one file), for
 * bodies larger than lib/net/body.ts's cap: text fields are kept (each at most 1 KiB, at most 20 of them) and the file
 * part's bytes are handed on as they arrive, never buffered whole. A malformed body is an InvalidInputError.
 */
import { InvalidInputError } from "../errors.ts";

/** Largest text field kept, in bytes. */
const MAX_FIELD_BYTES = 1024;
/** Largest part header block, in bytes. */
const MAX_HEADER_BYTES = 4096;
const MAX_FIELDS = 20;
const UTF8 = new TextDecoder();
const CRLFCRLF = new Uint8Array([13, 10, 13, 10]);

/** The file part of an upload: its form field name and file name, and its bytes as a stream. */
export interface UploadedFile {
  field: string;
  filename: string;
  bytes: AsyncIterable<Uint8Array>;
}

/** The boundary of a `multipart/form-data` content type, or null. */
export function multipartBoundary(contentType: string | null | undefined): string | null {
  const m = /^multipart\/form-data\s*;.*?boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType ?? "");
  return m ? (m[1] ?? m[2]) : null;
}

/**
 * Reads `body` up to the first file part: returns the text fields before it and the file (whose `bytes` must be
 * consumed before the fields after it exist; they are ignored). `file` is null when the body has no file part.
 */
export async function readMultipartUpload(
  body: ReadableStream<Uint8Array>,
  boundary: string,
): Promise<{ fields: Record<string, string>; file: UploadedFile | null }> {
  const reader = body.getReader();
  const delimiter = new TextEncoder().encode(`\r\n--${boundary}`);
  // The body starts with `--boundary`: pretend a CRLF came before it so every delimiter looks the same.
  let buf: Uint8Array = new Uint8Array([13, 10]);
  let done = false;
  const more = async (): Promise<boolean> => {
    if (done) return false;
    const r = await reader.read();
    if (r.done) {
      done = true;
      return false;
    }
    buf = concat(buf, r.value);
    return true;
  };
  const fields: Record<string, string> = {};
  let at = await until(delimiter, () => buf, more, MAX_HEADER_BYTES);
  if (at < 0) throw bad("it has no parts");
  buf = buf.subarray(at + delimiter.length);
  for (let part = 0; part <= MAX_FIELDS; part++) {
    while (buf.length < 2 && await more());
    if (buf[0] === 45 && buf[1] === 45) break; // "--": the closing delimiter
    const end = await until(CRLFCRLF, () => buf, more, MAX_HEADER_BYTES);
    if (end < 0) throw bad("a part's headers are missing or too long");
    const headers = UTF8.decode(buf.subarray(0, end));
    buf = buf.subarray(end + 4);
    const name = /name="([^"]*)"/i.exec(headers)?.[1] ?? "";
    const filename = /filename="([^"]*)"/i.exec(headers)?.[1];
    if (filename !== undefined) {
      return { fields, file: { field: name, filename, bytes: fileBytes() } };
    }
    at = await until(delimiter, () => buf, more, MAX_FIELD_BYTES + delimiter.length);
    if (at < 0) throw bad(`the field "${name.slice(0, 40)}" is too long or unterminated`);
    fields[name] = UTF8.decode(buf.subarray(0, at));
    buf = buf.subarray(at + delimiter.length);
  }
  await reader.cancel().catch(() => {});
  return { fields, file: null };

  async function* fileBytes(): AsyncGenerator<Uint8Array> {
    try {
      while (true) {
        const at = indexOf(buf, delimiter);
        if (at >= 0) {
          if (at > 0) yield buf.slice(0, at);
          return;
        }
        const keep = delimiter.length - 1;
        if (buf.length > keep) {
          yield buf.slice(0, buf.length - keep);
          buf = buf.slice(buf.length - keep);
        }
        if (!(await more())) throw bad("the file part ends before its closing boundary");
      }
    } finally {
      await reader.cancel().catch(() => {});
    }
  }
}

/** Index of `needle` in the buffer, reading more while it is absent and the buffer is under `max`; -1 otherwise. */
async function until(
  needle: Uint8Array,
  buffer: () => Uint8Array,
  more: () => Promise<boolean>,
  max: number,
): Promise<number> {
  while (true) {
    const at = indexOf(buffer(), needle);
    if (at >= 0) return at;
    if (buffer().length > max || !(await more())) return -1;
  }
}

function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  const first = needle[0];
  outer: for (let i = hay.indexOf(first); i >= 0 && i <= hay.length - needle.length; i = hay.indexOf(first, i + 1)) {
    for (let j = 1; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function bad(why: string): InvalidInputError {
  return new InvalidInputError(`The upload is not a readable form: ${why}. Use the import form on the settings page.`);
}

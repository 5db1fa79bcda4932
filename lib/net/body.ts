/**
 * @module
 * The one bounded body reader, for request bodies (the MCP endpoint, OAuth registration and token requests, sign-in
 * and consent forms, the dashboard's and the wiki editor's forms with their uploads) and for response bodies (the SSRF-safe fetch, client metadata documents). It reads at most
 * `max` bytes and refuses more with a {@link BodyError} (`reason: "too-large"`), whatever the body says of itself:
 * a declared `Content-Length` over the limit is refused before reading (and the body cancelled), a body without one
 * is read as a stream and cancelled as soon as it passes the limit (never buffered whole).
 *
 * Each caller turns a BodyError into its own protocol's answer (a JSON-RPC 413, an OAuth `invalid_request`, an empty
 * form, a SafeFetchError). Text is decoded as UTF-8 with U+FFFD for invalid bytes, as `Request.text()` does.
 */

/** Why a body was refused: too large, not JSON (the JSON variant), not a parsable form (the multipart variant). */
export type BodyFailure = "too-large" | "not-json" | "not-form";

/** A body the reader refused. `limit` is the byte limit it was read under. */
export class BodyError extends Error {
  /** Why the body was refused. */
  readonly reason: BodyFailure;
  /** The byte limit of the read. */
  readonly limit: number;

  /** A refusal for `reason` under the byte limit `limit`. */
  constructor(reason: BodyFailure, limit: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "BodyError";
    this.reason = reason;
    this.limit = limit;
  }
}

/** What has a body to read: a Request or a Response. */
export type BodySource = Request | Response;

const UTF8 = new TextDecoder();

/**
 * The body's bytes, at most `max` of them (else a `too-large` BodyError). A request with a declared length is
 * read in one piece: on the wire that length frames the body, and the size is checked again afterwards for
 * in-process callers whose header understates it. A response is always streamed: its declared length may be that
 * of the compressed body.
 */
export async function readBytes(from: BodySource, max: number): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(from.headers.get("content-length") ?? NaN);
  if (declared > max) {
    await from.body?.cancel().catch(() => {});
    throw tooLarge(max);
  }
  if (!from.body) return new Uint8Array(0);
  if (from instanceof Request && Number.isFinite(declared)) {
    const bytes = await from.bytes();
    if (bytes.byteLength > max) throw tooLarge(max);
    return bytes;
  }
  return await readStream(from.body, max);
}

/** The body as UTF-8 text (invalid bytes become U+FFFD), at most `max` bytes. */
export async function readText(from: BodySource, max: number): Promise<string> {
  return UTF8.decode(await readBytes(from, max));
}

/** The body parsed as JSON, at most `max` bytes; a body that is not JSON is a `not-json` BodyError. */
export async function readJson(from: BodySource, max: number): Promise<unknown> {
  const text = await readText(from, max);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new BodyError("not-json", max, "The body is not valid JSON.", { cause: err });
  }
}

/**
 * The body parsed as `application/x-www-form-urlencoded` fields, at most `max` bytes (the content type is the
 * caller's to check: each protocol words that refusal itself).
 */
export async function readUrlEncoded(from: BodySource, max: number): Promise<URLSearchParams> {
  return new URLSearchParams(await readText(from, max));
}

/**
 * A form body (`application/x-www-form-urlencoded` or `multipart/form-data`, files included), at most `max` bytes; a
 * body that does not parse as its declared form type (no boundary, broken parts, another type) is a `not-form`
 * BodyError.
 */
export async function readFormData(from: BodySource, max: number): Promise<FormData> {
  const bytes = await readBytes(from, max);
  try {
    const type = from.headers.get("content-type") ?? "";
    return await new Response(bytes, { headers: { "content-type": type } }).formData();
  } catch (err) {
    throw new BodyError("not-form", max, "The body is not a readable form.", { cause: err });
  }
}

const formsRead = new WeakMap<Request, Promise<FormData>>();

/**
 * {@link readFormData} of a request, read once: a second call for the same request (a guard checked the CSRF field,
 * then the handler reads the form) gets the same answer instead of an already-consumed body.
 */
export function requestForm(req: Request, max: number): Promise<FormData> {
  let form = formsRead.get(req);
  if (form === undefined) formsRead.set(req, form = readFormData(req, max));
  return form;
}

/**
 * The text fields of a `multipart/form-data` body (files are left out; of a repeated field the last wins), at most
 * `max` bytes; a body that does not parse as multipart (no boundary, broken parts) is a `not-form` BodyError.
 */
export async function readMultipartText(from: BodySource, max: number): Promise<URLSearchParams> {
  const data = await readFormData(from, max);
  const out = new URLSearchParams();
  for (const [name, value] of data) if (typeof value === "string") out.set(name, value);
  return out;
}

/** Reads `stream` to its end, cancelling it once it passes `max` bytes. */
async function readStream(stream: ReadableStream<Uint8Array>, max: number): Promise<Uint8Array<ArrayBuffer>> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      throw tooLarge(max);
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return all;
}

function tooLarge(max: number): BodyError {
  return new BodyError("too-large", max, `The body is larger than ${max} bytes.`);
}

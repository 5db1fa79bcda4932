/**
 * @module
 * The service backup file (`deno task backup`, `deno task restore`): a versioned, streaming, line-oriented format,
 * gzip-compressed as a whole (a file starting with the gzip magic bytes is decompressed on read; plain text is also
 * read, for inspection and hand-made test files).
 *
 * Lines, each one JSON object followed by `\n`:
 * 1. the header: `{"format":"robot.wtf-kv-backup","version":1,"createdAt":"<ISO time>"}`;
 * 2. one line per record, in key order: `{"k":[<key parts>],"v":<value>}` plus `"x":<epoch ms>` when the record
 *    expires (it is restored with `expireIn` = x - now, and not at all once x has passed). Keys and values use the
 *    lossless encoding of lib/kv/backup/codec.ts;
 * 3. the trailer: `{"end":{"records":N,"sha256":"<hex>","skipped":{"<type>":n,...}}}`, where `sha256` is the SHA-256
 *    of every record line (its bytes, newline included) in file order. A file without a trailer is truncated.
 *
 * A reader refuses another `format`, a `version` it does not know, a malformed line, a count or checksum that does
 * not match, and anything after the trailer (BackupFormatError, with the line number).
 */
import { createHash, type Hash } from "node:crypto";
import { decodeKey, decodeValue, type Encoded } from "./codec.ts";

/** The `format` of the header line. */
export const BACKUP_FORMAT = "robot.wtf-kv-backup";
/** The version this code writes and reads. */
export const BACKUP_VERSION = 1;

/** The header line. */
export interface BackupHeader {
  format: typeof BACKUP_FORMAT;
  version: number;
  createdAt: string;
}

/** The trailer's summary. */
export interface BackupSummary {
  records: number;
  sha256: string;
  /** Records left out by type (rate counters, one-time codes...), for the operator's information. */
  skipped: Record<string, number>;
}

/** One record as stored in the file: its key parts and value encoded, and its expiry time if it expires. */
export interface RecordLine {
  k: Encoded[];
  v: Encoded;
  x?: number;
}

/** One record decoded from a file. */
export interface BackupRecord {
  key: Deno.KvKey;
  value: unknown;
  /** Epoch ms at which the record expires, or undefined for a permanent one. */
  expiresAt?: number;
  /** Length of its line in characters (a bound for sizing restore commits). */
  lineLength: number;
}

/** A backup file that is not one, of another version, truncated or corrupted. */
export class BackupFormatError extends Error {
  constructor(message: string, readonly line?: number) {
    super(line === undefined ? message : `line ${line}: ${message}`);
    this.name = "BackupFormatError";
  }
}

/** Incremental SHA-256 over record lines (the trailer's checksum). */
export class RecordHash {
  #hash: Hash = createHash("sha256");
  /** Adds one record line (without its newline; the newline is added here). */
  add(line: string): void {
    this.#hash.update(line);
    this.#hash.update("\n");
  }
  /** The hex digest (once). */
  hex(): string {
    return this.#hash.digest("hex");
  }
}

/** The header line for a backup taken at `now`. */
export function headerLine(now: number): string {
  const header: BackupHeader = {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    createdAt: new Date(now).toISOString(),
  };
  return JSON.stringify(header);
}

/** The trailer line. */
export function trailerLine(summary: BackupSummary): string {
  return JSON.stringify({ end: summary });
}

/**
 * Reads a backup stream (gzip or plain) and yields its header, then each record decoded, then checks the trailer.
 * Throws BackupFormatError (wrong format or version, malformed line, missing trailer, count or checksum mismatch).
 */
export async function* readBackup(
  source: ReadableStream<Uint8Array<ArrayBuffer>>,
): AsyncGenerator<{ header: BackupHeader } | { record: BackupRecord } | { summary: BackupSummary }> {
  let n = 0;
  let header: BackupHeader | null = null;
  let summary: BackupSummary | null = null;
  let records = 0;
  const hash = new RecordHash();
  try {
    for await (const line of lines(await decompressed(source))) {
      n++;
      if (summary !== null) {
        if (line.trim() === "") continue;
        throw new BackupFormatError("data after the trailer", n);
      }
      const obj = parseLine(line, n);
      if (header === null) {
        header = checkHeader(obj, n);
        yield { header };
        continue;
      }
      if ("end" in obj) {
        summary = checkSummary(obj.end, n);
        if (summary.records !== records) {
          throw new BackupFormatError(`the trailer counts ${summary.records} records, the file holds ${records}`, n);
        }
        if (summary.sha256 !== hash.hex()) throw new BackupFormatError("checksum mismatch: the file is corrupted", n);
        continue;
      }
      hash.add(line);
      records++;
      yield { record: decodeRecord(obj, n, line.length) };
    }
  } catch (err) {
    if (err instanceof BackupFormatError) throw err;
    if (err instanceof TypeError && /gzip|deflate|corrupt|decompress|unexpected end|invalid/i.test(err.message)) {
      throw new BackupFormatError(`the compressed data is corrupted or truncated (${err.message})`, n + 1);
    }
    throw err;
  }
  if (header === null) throw new BackupFormatError("empty file: not a backup");
  if (summary === null) throw new BackupFormatError(`no trailer after ${records} records: the file is truncated`);
  yield { summary };
}

function parseLine(line: string, n: number): Record<string, unknown> {
  let obj: unknown;
  try {
    obj = JSON.parse(line);
  } catch {
    throw new BackupFormatError(n === 1 ? "not a robot.wtf backup (no JSON header)" : "malformed line (not JSON)", n);
  }
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) {
    throw new BackupFormatError("malformed line (not a JSON object)", n);
  }
  return obj as Record<string, unknown>;
}

function checkHeader(obj: Record<string, unknown>, n: number): BackupHeader {
  if (obj.format !== BACKUP_FORMAT) {
    throw new BackupFormatError(`not a robot.wtf backup (format ${JSON.stringify(obj.format)})`, n);
  }
  if (obj.version !== BACKUP_VERSION) {
    throw new BackupFormatError(
      `backup version ${JSON.stringify(obj.version)} is not supported (this code reads version ${BACKUP_VERSION})`,
      n,
    );
  }
  return obj as unknown as BackupHeader;
}

function checkSummary(end: unknown, n: number): BackupSummary {
  const s = end as Partial<BackupSummary> | null;
  if (
    typeof s !== "object" || s === null || typeof s.records !== "number" || typeof s.sha256 !== "string" ||
    typeof s.skipped !== "object" || s.skipped === null
  ) throw new BackupFormatError("malformed trailer", n);
  return s as BackupSummary;
}

function decodeRecord(obj: Record<string, unknown>, n: number, lineLength: number): BackupRecord {
  if (!Array.isArray(obj.k) || obj.k.length === 0 || !("v" in obj)) {
    throw new BackupFormatError("malformed record (needs k and v)", n);
  }
  if (obj.x !== undefined && typeof obj.x !== "number") throw new BackupFormatError("malformed record expiry", n);
  try {
    const record: BackupRecord = { key: decodeKey(obj.k), value: decodeValue(obj.v), lineLength };
    if (obj.x !== undefined) record.expiresAt = obj.x as number;
    return record;
  } catch (err) {
    throw new BackupFormatError(`malformed record: ${err instanceof Error ? err.message : String(err)}`, n);
  }
}

/** The stream, decompressed when it starts with the gzip magic bytes. */
async function decompressed(
  source: ReadableStream<Uint8Array<ArrayBuffer>>,
): Promise<ReadableStream<Uint8Array<ArrayBuffer>>> {
  const reader = source.getReader();
  let first = await reader.read();
  while (!first.done && first.value.length < 2) {
    const more = await reader.read();
    if (more.done) break;
    const joined = new Uint8Array(first.value.length + more.value.length);
    joined.set(first.value);
    joined.set(more.value, first.value.length);
    first = { done: false, value: joined };
  }
  const head = first.done ? new Uint8Array() : first.value;
  const again = new ReadableStream<Uint8Array<ArrayBuffer>>({
    start(controller) {
      if (head.length > 0) controller.enqueue(head);
    },
    async pull(controller) {
      const next = await reader.read();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel(reason) {
      await reader.cancel(reason);
    },
  });
  const gzip = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  return gzip ? again.pipeThrough(new DecompressionStream("gzip")) : again;
}

/** The text lines of a byte stream (UTF-8; a final line without newline is yielded too). */
async function* lines(stream: ReadableStream<Uint8Array<ArrayBuffer>>): AsyncGenerator<string> {
  let buffered = "";
  for await (const text of stream.pipeThrough(new TextDecoderStream("utf-8", { fatal: true }))) {
    buffered += text;
    let nl: number;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      yield buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
    }
  }
  if (buffered !== "") yield buffered;
}

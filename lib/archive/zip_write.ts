/**
 * @module
 * A minimal streaming zip writer: entries are stored or deflated (node:zlib, raw deflate: several times cheaper in
 * time and memory per entry than a `CompressionStream` for ten thousand small pages) one at a time and emitted as soon as they are ready, so memory holds one entry plus the central directory (about 60 bytes and the
 * name per entry), never the whole archive. Sizes and CRC are known before each local header is written (no
 * data descriptors), names are UTF-8 (flag bit 11), times are UTC DOS times (the same input gives the same bytes).
 * No zip64: an archive past 65,535 entries or 4 GiB is refused with a clear error.
 */
import { deflateRaw as deflateRawCallback, deflateRawSync } from "node:zlib";
import { promisify } from "node:util";
import { crc32 } from "./crc32.ts";
import { TooLargeError } from "../errors.ts";

/** One file to put in the archive. */
export interface ZipInput {
  /** Path inside the archive, `/`-separated, no leading `/`. */
  name: string;
  data: Uint8Array;
  /** Modification time (epoch ms); default 1980-01-01. */
  mtime?: number;
}

/** Entries below this size are stored: deflate would not pay for its header. */
const STORE_BELOW = 128;
const MAX_ENTRIES = 0xffff;
const MAX_OFFSET = 0xffffffff;
const UTF8 = new TextEncoder();

/** Entries up to this size are deflated synchronously (a page: well under a millisecond); larger ones off-thread. */
const SYNC_DEFLATE_MAX = 256 * 1024;
const deflateAsync = promisify(deflateRawCallback);

/**
 * Deflates bytes (raw deflate) with node:zlib: synchronously when small, on zlib's worker thread when large (an
 * attachment of megabytes must not stall other requests). The output buffer is sized to the input, so ten thousand
 * small pages leave little garbage (zlib's default 16 KiB chunk each would not).
 */
export async function deflateRaw(data: Uint8Array): Promise<Uint8Array> {
  const chunkSize = Math.max(1024, Math.min(64 * 1024, data.length + 64));
  if (data.length <= SYNC_DEFLATE_MAX) return new Uint8Array(deflateRawSync(data, { chunkSize }));
  return new Uint8Array(await deflateAsync(data, { chunkSize }));
}

/** DOS date and time (UTC) of an epoch-ms instant, clamped to the DOS range (1980..2107). */
function dosTime(ms: number): { time: number; date: number } {
  const d = new Date(Math.min(Math.max(ms, Date.UTC(1980, 0, 1)), Date.UTC(2107, 11, 31)));
  return {
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1),
    date: ((d.getUTCFullYear() - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  };
}

/** Builds archive bytes entry by entry; the caller streams what each call returns. */
export class ZipWriter {
  #offset = 0;
  #central: Uint8Array[] = [];
  #centralBytes = 0;

  /** Number of entries written so far. */
  get count(): number {
    return this.#central.length;
  }

  /** The bytes of one entry (local header + data). */
  async add(input: ZipInput): Promise<Uint8Array[]> {
    if (this.#central.length >= MAX_ENTRIES) {
      throw new TooLargeError(`The export has more than ${MAX_ENTRIES} files, the most a zip without zip64 holds.`);
    }
    const name = UTF8.encode(input.name);
    const crc = crc32(input.data);
    let method = 0;
    let body = input.data;
    if (input.data.length >= STORE_BELOW) {
      const packed = await deflateRaw(input.data);
      if (packed.length < input.data.length) {
        method = 8;
        body = packed;
      }
    }
    const { time, date } = dosTime(input.mtime ?? 0);
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true); // version needed
    lv.setUint16(6, 0x0800, true); // UTF-8 names
    lv.setUint16(8, method, true);
    lv.setUint16(10, time, true);
    lv.setUint16(12, date, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, body.length, true);
    lv.setUint32(22, input.data.length, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    const central = new Uint8Array(46 + name.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, (3 << 8) | 20, true); // made by: Unix, 2.0
    cv.setUint16(6, 20, true);
    cv.setUint16(8, 0x0800, true);
    cv.setUint16(10, method, true);
    cv.setUint16(12, time, true);
    cv.setUint16(14, date, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, body.length, true);
    cv.setUint32(24, input.data.length, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(38, (0o100644 << 16) >>> 0, true); // regular file, rw-r--r--
    cv.setUint32(42, this.#offset, true);
    central.set(name, 46);
    this.#offset += local.length + body.length;
    if (this.#offset > MAX_OFFSET) {
      throw new TooLargeError("The export is larger than 4 GiB, the most a zip without zip64 holds.");
    }
    this.#central.push(central);
    this.#centralBytes += central.length;
    return [local, body];
  }

  /** The central directory and its end record; call once, after the last entry. */
  finish(): Uint8Array[] {
    const end = new Uint8Array(22);
    const ev = new DataView(end.buffer);
    ev.setUint32(0, 0x06054b50, true);
    ev.setUint16(8, this.#central.length, true);
    ev.setUint16(10, this.#central.length, true);
    ev.setUint32(12, this.#centralBytes, true);
    ev.setUint32(16, this.#offset, true);
    const out = [...this.#central, end];
    this.#central = [];
    return out;
  }
}

/**
 * A zip archive as a byte stream from an async sequence of entries. Entries are pulled one at a time when the
 * consumer reads (backpressure), so a slow download never makes the writer run ahead.
 */
export function zipStream(entries: AsyncIterable<ZipInput>): ReadableStream<Uint8Array> {
  const writer = new ZipWriter();
  const it = entries[Symbol.asyncIterator]();
  let done = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (done) return;
      const next = await it.next();
      if (next.done) {
        for (const part of writer.finish()) controller.enqueue(part);
        done = true;
        controller.close();
        return;
      }
      for (const part of await writer.add(next.value)) controller.enqueue(part);
    },
    async cancel() {
      await it.return?.();
    },
  }, { highWaterMark: 1 });
}

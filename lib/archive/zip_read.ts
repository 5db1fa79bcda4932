/**
 * @module
 * A zip reader for untrusted archives, over any random-access source (a file, an upload staged in KV). It reads the
 * central directory and refuses, naming the entry, everything an import must never follow: paths that leave the
 * archive (`../`, absolute, drive letters, backslashes), symlinks (Unix mode in the external attributes), names that
 * are not UTF-8, two names equal but for case, encrypted or zip64 or unknown-method entries, more entries than allowed,
 * a declared total or entry size over the limits, and compression ratios of a bomb. Entry data is inflated with the
 * platform's `DecompressionStream("deflate-raw")` and cut off as soon as it passes its declared size; the CRC is
 * checked.
 */
import { crc32 } from "./crc32.ts";
import { ArchiveError } from "./archive_error.ts";

/** Random access to the archive's bytes. */
export interface ZipSource {
  readonly size: number;
  /** `length` bytes from `offset` (fewer only at the end). */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** Limits of a read. */
export interface ZipLimits {
  /** Most entries (directories included). */
  maxEntries: number;
  /** Largest declared uncompressed size of one entry. */
  maxEntryBytes: number;
  /** Largest sum of declared uncompressed sizes. */
  maxTotalBytes: number;
  /** Largest uncompressed / compressed ratio of an entry over {@link RATIO_FLOOR_BYTES}. */
  maxRatio: number;
}

/** Entries smaller than this are not ratio-checked (tiny files compress absurdly well and harm nobody). */
export const RATIO_FLOOR_BYTES = 1024 * 1024;

/** One entry of the central directory, after the checks. */
export interface ZipEntry {
  name: string;
  isDir: boolean;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  /** Modification time, epoch ms (DOS time read as UTC). */
  mtime: number;
}

const FATAL_UTF8 = new TextDecoder("utf-8", { fatal: true });
const LOSSY_UTF8 = new TextDecoder();

/** The file source of a local zip. */
export async function fileSource(path: string): Promise<ZipSource & { close(): void }> {
  const file = await Deno.open(path, { read: true });
  const size = (await file.stat()).size;
  return {
    size,
    async read(offset, length) {
      const buf = new Uint8Array(Math.max(0, Math.min(length, size - offset)));
      await file.seek(offset, Deno.SeekMode.Start);
      let got = 0;
      while (got < buf.length) {
        const n = await file.read(buf.subarray(got));
        if (n === null) break;
        got += n;
      }
      return buf.subarray(0, got);
    },
    close: () => file.close(),
  };
}

/** A source over bytes in memory (tests, small archives). */
export function bytesSource(bytes: Uint8Array): ZipSource {
  return { size: bytes.length, read: (o, l) => Promise.resolve(bytes.subarray(o, o + l)) };
}

/** Reads and checks the central directory. ArchiveError naming the entry on the first problem. */
export async function readZipDirectory(src: ZipSource, limits: ZipLimits): Promise<ZipEntry[]> {
  const tailLen = Math.min(src.size, 22 + 0xffff);
  const tail = await src.read(src.size - tailLen, tailLen);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail[i] === 0x50 && tail[i + 1] === 0x4b && tail[i + 2] === 0x05 && tail[i + 3] === 0x06) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ArchiveError("not_zip", null, "This file is not a zip archive (no end-of-archive record).");
  const ev = new DataView(tail.buffer, tail.byteOffset + eocd, 22);
  const count = ev.getUint16(10, true);
  const cdSize = ev.getUint32(12, true);
  const cdOffset = ev.getUint32(16, true);
  if (count === 0xffff || cdOffset === 0xffffffff || cdSize === 0xffffffff) {
    throw new ArchiveError("unsupported", null, "Zip64 archives are not supported; export with a standard zip tool.");
  }
  if (count > limits.maxEntries) {
    throw new ArchiveError(
      "too_many_entries",
      null,
      `The archive has ${count} entries; at most ${limits.maxEntries} are allowed for this wiki (its page quota and ` +
        `room for attachments).`,
    );
  }
  if (cdOffset + cdSize > src.size) throw new ArchiveError("corrupt", null, "The archive's directory is cut off.");
  const cd = await src.read(cdOffset, cdSize);
  const dv = new DataView(cd.buffer, cd.byteOffset, cd.byteLength);
  const entries: ZipEntry[] = [];
  const folded = new Map<string, string>();
  let total = 0;
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length || dv.getUint32(p, true) !== 0x02014b50) {
      throw new ArchiveError("corrupt", null, `The archive's directory is damaged at entry ${i + 1}.`);
    }
    const madeBy = dv.getUint16(p + 4, true);
    const flags = dv.getUint16(p + 8, true);
    const method = dv.getUint16(p + 10, true);
    const time = dv.getUint16(p + 12, true);
    const date = dv.getUint16(p + 14, true);
    const crc = dv.getUint32(p + 16, true);
    const compressedSize = dv.getUint32(p + 20, true);
    const size = dv.getUint32(p + 24, true);
    const nameLen = dv.getUint16(p + 28, true);
    const extraLen = dv.getUint16(p + 30, true);
    const commentLen = dv.getUint16(p + 32, true);
    const external = dv.getUint32(p + 38, true);
    const localOffset = dv.getUint32(p + 42, true);
    const rawName = cd.subarray(p + 46, p + 46 + nameLen);
    p += 46 + nameLen + extraLen + commentLen;
    const name = decodeName(rawName, i);
    checkPath(name);
    const isDir = name.endsWith("/");
    if (madeBy >> 8 === 3 && ((external >>> 16) & 0o170000) === 0o120000) {
      throw new ArchiveError("symlink", name, "it is a symbolic link; archives with links are refused.");
    }
    if (flags & 0x1) throw new ArchiveError("unsupported", name, "it is encrypted.");
    if (method !== 0 && method !== 8) {
      throw new ArchiveError("unsupported", name, `it uses compression method ${method}; only stored and deflate.`);
    }
    if (size === 0xffffffff || compressedSize === 0xffffffff || localOffset === 0xffffffff) {
      throw new ArchiveError("unsupported", name, "it needs zip64, which is not supported.");
    }
    const key = name.replace(/\/$/, "").normalize("NFC").toLowerCase();
    const other = folded.get(key);
    if (other !== undefined) {
      throw new ArchiveError(
        "duplicate",
        name,
        other === name
          ? "the archive holds this name twice."
          : `it differs from "${other}" only in case; the two would be the same page or file.`,
      );
    }
    folded.set(key, name);
    if (size > limits.maxEntryBytes) {
      throw new ArchiveError(
        "too_large",
        name,
        `it is ${size} bytes; the largest file accepted is ${limits.maxEntryBytes}.`,
      );
    }
    if (size > RATIO_FLOOR_BYTES && size > compressedSize * limits.maxRatio) {
      throw new ArchiveError(
        "bomb",
        name,
        `it expands ${Math.round(size / Math.max(1, compressedSize))} times (${compressedSize} -> ${size} bytes); ` +
          `over ${limits.maxRatio} times is refused as a zip bomb.`,
      );
    }
    total += size;
    if (total > limits.maxTotalBytes) {
      throw new ArchiveError(
        "bomb",
        name,
        `the archive's files add up to more than ${limits.maxTotalBytes} bytes once unpacked; that is more than ` +
          `this wiki can hold.`,
      );
    }
    entries.push({ name, isDir, method, crc, compressedSize, size, localOffset, mtime: fromDos(date, time) });
  }
  return entries;
}

/** Reads one entry's bytes: inflated, cut off past the declared size, CRC-checked. */
export async function readZipEntry(src: ZipSource, entry: ZipEntry): Promise<Uint8Array> {
  const head = await src.read(entry.localOffset, 30);
  const hv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (head.length < 30 || hv.getUint32(0, true) !== 0x04034b50) {
    throw new ArchiveError("corrupt", entry.name, "its local header is missing or damaged.");
  }
  const start = entry.localOffset + 30 + hv.getUint16(26, true) + hv.getUint16(28, true);
  if (start + entry.compressedSize > src.size) throw new ArchiveError("corrupt", entry.name, "its data is cut off.");
  const packed = await src.read(start, entry.compressedSize);
  const data = entry.method === 0 ? packed : await inflateBounded(packed, entry);
  if (data.length !== entry.size) {
    throw new ArchiveError(
      "corrupt",
      entry.name,
      `it unpacks to ${data.length} bytes, not the ${entry.size} it declares.`,
    );
  }
  if (crc32(data) !== entry.crc) {
    throw new ArchiveError("corrupt", entry.name, "its checksum does not match (damaged).");
  }
  return data;
}

/** Inflates raw deflate data, stopping with a "bomb" refusal once it passes the declared size. */
async function inflateBounded(packed: Uint8Array, entry: ZipEntry): Promise<Uint8Array> {
  const out = new Uint8Array(entry.size);
  let got = 0;
  const stream = new Blob([packed as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new DecompressionStream("deflate-raw"),
  );
  const reader = stream.getReader();
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      if (got + value.length > entry.size) {
        throw new ArchiveError("bomb", entry.name, `it unpacks to more than the ${entry.size} bytes it declares.`);
      }
      out.set(value, got);
      got += value.length;
    }
  } catch (err) {
    await reader.cancel().catch(() => {});
    if (err instanceof ArchiveError) throw err;
    throw new ArchiveError("corrupt", entry.name, "its compressed data is damaged.");
  }
  return out.subarray(0, got);
}

/** The entry name as UTF-8; refused (with the bytes shown) when it is not. */
function decodeName(raw: Uint8Array, index: number): string {
  try {
    return FATAL_UTF8.decode(raw);
  } catch {
    const shown = LOSSY_UTF8.decode(raw);
    throw new ArchiveError(
      "bad_name_encoding",
      shown,
      `entry ${index + 1}'s name is not UTF-8 (bytes ${
        [...raw].map((b) => b.toString(16).padStart(2, "0")).join(" ")
      }); ` +
        `re-create the archive with a tool that writes UTF-8 names.`,
    );
  }
}

/** Refuses names that would leave the archive's folder or could mean different files on different systems. */
function checkPath(name: string): void {
  // deno-lint-ignore no-control-regex
  if (name === "" || /[\x00-\x1f\x7f]/.test(name)) {
    throw new ArchiveError("bad_path", name, "its name is empty or has control characters.");
  }
  if (name.includes("\\")) {
    throw new ArchiveError("bad_path", name, "its name has a backslash; only / separates folders.");
  }
  if (name.startsWith("/") || /^[A-Za-z]:/.test(name)) {
    throw new ArchiveError("bad_path", name, "its path is absolute; archives must hold relative paths only.");
  }
  const segments = name.replace(/\/$/, "").split("/");
  if (segments.some((s) => s === ".." || s === "." || s === "")) {
    throw new ArchiveError(
      "bad_path",
      name,
      "its path has an empty, `.` or `..` part; it could point outside the archive.",
    );
  }
}

/** Epoch ms of a DOS date and time, read as UTC. */
function fromDos(date: number, time: number): number {
  return Date.UTC(
    1980 + (date >> 9),
    Math.max(0, ((date >> 5) & 0xf) - 1),
    Math.max(1, date & 0x1f),
    time >> 11,
    (time >> 5) & 0x3f,
    (time & 0x1f) * 2,
  );
}

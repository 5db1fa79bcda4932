/**
 * @module
 * Zips written byte by byte for the hostile-archive tests: any name bytes, flags, Unix mode, method and declared
 * sizes, including the lies a zip library would refuse to write.
 */
import { crc32 } from "../../lib/archive/crc32.ts";
import { concat } from "./helpers.ts";

/** One raw entry. */
export interface RawEntry {
  name: string | Uint8Array;
  /** The bytes stored in the archive (already deflated when `method` is 8). */
  stored: Uint8Array;
  method?: 0 | 8;
  /** Declared uncompressed size (default: `stored.length`). */
  size?: number;
  /** Declared compressed size (default: `stored.length`). */
  compressedSize?: number;
  /** CRC of the uncompressed data (default: of `stored`). */
  crc?: number;
  /** General purpose flags (default 0x0800, UTF-8 names). */
  flags?: number;
  /** Unix mode in the external attributes (default 0o100644), with "made by Unix". */
  mode?: number;
}

/** The archive of `entries`. */
export function rawZip(entries: RawEntry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = typeof e.name === "string" ? new TextEncoder().encode(e.name) : e.name;
    const crc = e.crc ?? crc32(e.stored);
    const size = e.size ?? e.stored.length;
    const csize = e.compressedSize ?? e.stored.length;
    const flags = e.flags ?? 0x0800;
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(6, flags, true);
    lv.setUint16(8, e.method ?? 0, true);
    lv.setUint16(12, 33, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, csize, true);
    lv.setUint32(22, size, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    const c = new Uint8Array(46 + name.length);
    const cv = new DataView(c.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, (3 << 8) | 30, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(8, flags, true);
    cv.setUint16(10, e.method ?? 0, true);
    cv.setUint16(14, 33, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, csize, true);
    cv.setUint32(24, size, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(38, ((e.mode ?? 0o100644) << 16) >>> 0, true);
    cv.setUint32(42, offset, true);
    c.set(name, 46);
    parts.push(local, e.stored);
    central.push(c);
    offset += local.length + e.stored.length;
  }
  const cd = concat(central);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, cd.length, true);
  ev.setUint32(16, offset, true);
  return concat([...parts, cd, end]);
}

/** A stored text entry. */
export function textEntry(name: string | Uint8Array, text: string, extra: Partial<RawEntry> = {}): RawEntry {
  return { name, stored: new TextEncoder().encode(text), ...extra };
}

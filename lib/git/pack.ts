/**
 * @module
 * Pack files (gitformat-pack, version 2) written as a stream: the `PACK` header with the object count, each object
 * as its type-and-size header and zlib-deflated body, and the SHA-1 of everything before it. A tree that names an
 * earlier tree of the same pack as its base is written as an offset delta (lib/git/delta.ts); everything else whole.
 * Objects are deflated one at a time as they arrive, so memory stays at one object plus one output chunk; an object
 * that comes with its entry ready (`packed`: blobs packed while the history was indexed, {@link blobEntry}) is
 * copied as it is.
 */
import { createHash } from "node:crypto";
import { deflateSync } from "node:zlib";
import { type GitObject } from "./history.ts";
import { joinBytes, oidKey, PACK_TYPE } from "./objects.ts";
import { prefixSuffixDelta } from "./delta.ts";

/** Bytes collected before a chunk of the pack is handed on. */
const CHUNK_BYTES = 64 * 1024;
/** Pack type of an offset delta. */
const OFS_DELTA = 6;
/** Objects smaller than this (commits, deltas) are stored, not compressed: a zlib call costs more than it saves. */
const STORE_BELOW = 1024;

/** zlib data of `data`: deflated (level 1), or for small data a stored block (no compression, no native call). */
function zlib(data: Uint8Array): Uint8Array {
  if (data.length >= STORE_BELOW) {
    const z = deflateSync(data, { level: 1 });
    return new Uint8Array(z.buffer, z.byteOffset, z.byteLength);
  }
  const out = new Uint8Array(data.length + 11);
  out.set([0x78, 0x01, 0x01, data.length & 0xff, data.length >> 8, ~data.length & 0xff, (~data.length >> 8) & 0xff]);
  out.set(data, 7);
  let a = 1;
  let b = 0;
  for (let i = 0; i < data.length; i++) {
    a = (a + data[i]) % 65521;
    b = (b + a) % 65521;
  }
  new DataView(out.buffer).setUint32(data.length + 7, ((b << 16) | a) >>> 0);
  return out;
}

/** The distance back to a delta's base, as git writes it (big-endian 7-bit groups, each but the last minus one). */
function ofsBytes(distance: number): Uint8Array {
  const out = [distance & 0x7f];
  let n = Math.floor(distance / 128);
  while (n > 0) {
    n -= 1;
    out.unshift(0x80 | (n & 0x7f));
    n = Math.floor(n / 128);
  }
  return new Uint8Array(out);
}

/** The type-and-size header of one pack entry. */
function entryHeader(type: number, size: number): Uint8Array {
  const out: number[] = [];
  let byte = (type << 4) | (size & 0x0f);
  let rest = Math.floor(size / 16);
  while (rest > 0) {
    out.push(byte | 0x80);
    byte = rest & 0x7f;
    rest = Math.floor(rest / 128);
  }
  out.push(byte);
  return new Uint8Array(out);
}

/** The pack entry of a blob with `body` (type-and-size header, zlib data): as {@link packStream} writes it. */
export function blobEntry(body: Uint8Array): Uint8Array {
  return joinBytes([entryHeader(PACK_TYPE.blob, body.length), zlib(body)]);
}

/**
 * The pack of `count` objects from `objects`, in chunks of about 64 KB. Throws when `objects` yields another number
 * of objects than `count` (the header would lie).
 */
export async function* packStream(count: number, objects: AsyncIterable<GitObject>): AsyncGenerator<Uint8Array> {
  const sha = createHash("sha1");
  let parts: Uint8Array[] = [];
  let size = 0;
  const push = (b: Uint8Array) => {
    parts.push(b);
    size += b.length;
  };
  const take = (): Uint8Array => {
    const out = joinBytes(parts);
    parts = [];
    size = 0;
    sha.update(out);
    return out;
  };
  const header = new Uint8Array(12);
  header.set([0x50, 0x41, 0x43, 0x4b, 0, 0, 0, 2]);
  new DataView(header.buffer).setUint32(8, count);
  push(header);
  let n = 0;
  let offset = 12;
  const treeAt = new Map<string, number>();
  for await (const o of objects) {
    n++;
    const start = offset;
    const baseAt = o.base ? treeAt.get(oidKey(o.base.oid)) : undefined;
    const delta = baseAt === undefined ? null : prefixSuffixDelta(o.base!.body, o.body);
    const parts = o.packed
      ? [o.packed]
      : delta
      ? [entryHeader(OFS_DELTA, delta.length), ofsBytes(start - baseAt!), zlib(delta)]
      : [entryHeader(PACK_TYPE[o.type], o.body.length), zlib(o.body)];
    for (const p of parts) {
      push(p);
      offset += p.length;
    }
    if (o.type === "tree") treeAt.set(oidKey(o.oid), start);
    if (size >= CHUNK_BYTES) yield take();
  }
  if (n !== count) throw new Error(`pack: ${n} objects made, ${count} announced`);
  if (size > 0) yield take();
  yield new Uint8Array(sha.digest());
}

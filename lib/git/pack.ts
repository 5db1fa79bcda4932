/**
 * @module
 * Pack files (gitformat-pack, version 2) written as a stream: the `PACK` header with the object count, each object
 * as its type-and-size header and zlib-deflated body (no deltas), and the SHA-1 of everything before it. Objects are
 * deflated one at a time as they arrive, so memory stays at one object plus one output chunk.
 */
import { createHash } from "node:crypto";
import { deflateSync } from "node:zlib";
import { type GitObject } from "./history.ts";
import { PACK_TYPE } from "./objects.ts";

/** Bytes collected before a chunk of the pack is handed on. */
const CHUNK_BYTES = 64 * 1024;

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
    const out = concat(parts, size);
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
  for await (const o of objects) {
    n++;
    push(entryHeader(PACK_TYPE[o.type], o.body.length));
    push(new Uint8Array(deflateSync(o.body, { level: 1 })));
    if (size >= CHUNK_BYTES) yield take();
  }
  if (n !== count) throw new Error(`pack: ${n} objects made, ${count} announced`);
  if (size > 0) yield take();
  yield new Uint8Array(sha.digest());
}

/** The concatenation of `parts` (`size` bytes in all). */
export function concat(parts: readonly Uint8Array[], size = parts.reduce((n, p) => n + p.length, 0)): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

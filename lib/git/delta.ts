/**
 * @module
 * Git deltas (gitformat-pack, "Deltified representation"): a target object described as copies from a base object
 * and inserted bytes. A wiki's trees change one entry at a time, so the delta of a tree against the same directory's
 * previous tree is its common prefix, the changed bytes and its common suffix: tens of bytes instead of a whole
 * 500-entry folder.
 */
import { joinBytes } from "./objects.ts";

/** Largest copy of one instruction (git's limit is 0xffffff; 0x10000 is written as size 0). */
const MAX_COPY = 0xffff00;

function varint(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

function copy(out: number[], offset: number, size: number): void {
  while (size > 0) {
    const n = Math.min(size, MAX_COPY);
    let op = 0x80;
    const args: number[] = [];
    for (let i = 0; i < 4; i++) {
      const b = Math.floor(offset / 2 ** (8 * i)) & 0xff;
      if (b !== 0) {
        op |= 1 << i;
        args.push(b);
      }
    }
    for (let i = 0; i < 3; i++) {
      const b = (n >> (8 * i)) & 0xff;
      if (b !== 0) {
        op |= 0x10 << i;
        args.push(b);
      }
    }
    out.push(op, ...args);
    offset += n;
    size -= n;
  }
}

/**
 * The delta turning `base` into `target` as common prefix + literal middle + common suffix, or null when it would
 * not be much smaller than `target` itself.
 */
export function prefixSuffixDelta(base: Uint8Array, target: Uint8Array): Uint8Array | null {
  const max = Math.min(base.length, target.length);
  let pre = 0;
  while (pre < max && base[pre] === target[pre]) pre++;
  let suf = 0;
  while (suf < max - pre && base[base.length - 1 - suf] === target[target.length - 1 - suf]) suf++;
  const middle = target.subarray(pre, target.length - suf);
  if (middle.length + 64 >= target.length) return null;
  const head: number[] = [...varint(base.length), ...varint(target.length)];
  copy(head, 0, pre);
  const parts: Uint8Array[] = [new Uint8Array(head)];
  for (let at = 0; at < middle.length; at += 127) {
    const part = middle.subarray(at, Math.min(middle.length, at + 127));
    parts.push(new Uint8Array([part.length]), part);
  }
  const tail: number[] = [];
  copy(tail, base.length - suf, suf);
  parts.push(new Uint8Array(tail));
  return joinBytes(parts);
}

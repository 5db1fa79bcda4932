/**
 * @module
 * The postings of one indexed term (lib/wiki/search_index.ts) in typed arrays: compact and fast to scan.
 */
import type { VocabularyTerm } from "./vocabulary.ts";

/**
 * The postings of one term: parallel growable arrays of document numbers, ascending, and packed frequencies (body
 * frequency * 2, + 1 when the term is in the title field). Compact (6 bytes a posting while frequencies fit in 16 bits, 8
 * after) and fast to scan; {@link Posting.compact} drops the spare capacity after a bulk build.
 */
export class Posting implements VocabularyTerm {
  signature = 0;
  slot = -1;
  nums: Int32Array<ArrayBuffer> = new Int32Array(4);
  /** Packed frequencies: 2 bytes each while they fit, 4 once one does not. */
  packed: Uint16Array<ArrayBuffer> | Int32Array<ArrayBuffer> = new Uint16Array(4);
  size = 0;

  /** A posting list of `term`. */
  constructor(readonly term: string) {}

  /** Appends a document; its number is above every number already here (the index numbers documents in order). */
  add(num: number, packed: number): void {
    if (this.size === this.nums.length) {
      this.nums = resized(this.nums, Math.max(4, this.size * 2));
      this.packed = resized(this.packed, Math.max(4, this.size * 2));
    }
    if (packed > 0xffff && this.packed instanceof Uint16Array) {
      const wide = new Int32Array(this.nums.length);
      wide.set(this.packed);
      this.packed = wide;
    }
    this.nums[this.size] = num;
    this.packed[this.size] = packed;
    this.size++;
  }

  /** Drops the spare capacity. */
  compact(): void {
    if (this.nums.length === this.size) return;
    this.nums = resized(this.nums, this.size);
    this.packed = resized(this.packed, this.size);
  }

  /** Removes a document: found by binary search (numbers are ascending), the later postings shifted down. */
  delete(num: number): void {
    let lo = 0;
    let hi = this.size - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const at = this.nums[mid];
      if (at === num) {
        this.nums.copyWithin(mid, mid + 1, this.size);
        this.packed.copyWithin(mid, mid + 1, this.size);
        this.size--;
        return;
      }
      if (at < num) lo = mid + 1;
      else hi = mid - 1;
    }
  }

  /** Renumbers the documents by `map` (old number -> new; increasing over the numbers present, so order is kept). */
  renumber(map: Int32Array): void {
    for (let i = 0; i < this.size; i++) this.nums[i] = map[this.nums[i]];
  }
}

/** A copy of `a` with capacity `length` (at least its used part, which the caller guarantees). */
function resized<T extends Int32Array<ArrayBuffer> | Uint16Array<ArrayBuffer>>(a: T, length: number): T {
  const copy = (a instanceof Uint16Array ? new Uint16Array(length) : new Int32Array(length)) as T;
  copy.set(a.subarray(0, Math.min(length, a.length)));
  return copy;
}

/**
 * @module
 * The search index's phrase pre-filter (lib/wiki/search_index.ts): per page, a small Bloom filter of the hashes of
 * adjacent token pairs, so that ranking rules out the exact-phrase bonus of a page that cannot contain the phrase
 * without matching it.
 */

/** Pair filter sizing: bits per adjacent pair, and bounds of the filter size in bits (powers of two). */
const FILTER_BITS_PER_PAIR = 8;
const FILTER_MIN_BITS = 64;
const FILTER_MAX_BITS = 8192;
const FILTER_HASHES = 3;
/** The filter of a page without pairs. */
export const EMPTY_FILTER = new Uint32Array(FILTER_MIN_BITS / 32);

/**
 * A Bloom filter (bit array) of the hashes of adjacent token pairs within each sequence (the title, the body),
 * sized to the number of pairs.
 */
export function pairFilter(sequences: string[][]): Uint32Array {
  const pairs = sequences.reduce((n, seq) => n + Math.max(0, seq.length - 1), 0);
  if (pairs === 0) return EMPTY_FILTER;
  const wanted = nextPowerOfTwo(pairs * FILTER_BITS_PER_PAIR);
  const filter = new Uint32Array(Math.min(FILTER_MAX_BITS, Math.max(FILTER_MIN_BITS, wanted)) / 32);
  for (const seq of sequences) {
    let previous = seq.length > 0 ? hashToken(seq[0]) : 0;
    for (let i = 1; i < seq.length; i++) {
      const current = hashToken(seq[i]);
      const hash = pairHash(previous, current);
      for (let k = 0; k < FILTER_HASHES; k++) setBit(filter, filterBit(hash, k, filter.length * 32));
      previous = current;
    }
  }
  return filter;
}

/** False when the filter proves that some pair is absent; true when all pairs may be present. */
export function mayHavePairs(filter: Uint32Array, pairHashes: number[]): boolean {
  const bits = filter.length * 32;
  for (const hash of pairHashes) {
    for (let k = 0; k < FILTER_HASHES; k++) if (!hasBit(filter, filterBit(hash, k, bits))) return false;
  }
  return true;
}

/** The `k`-th filter bit of a pair hash (double hashing); `bits` is a power of two. */
function filterBit(hash: number, k: number, bits: number): number {
  const step = ((hash >>> 16) | (hash << 16)) | 1;
  return ((hash + Math.imul(k, step)) >>> 0) & (bits - 1);
}

/** Sets bit `bit` of a bit array. */
function setBit(filter: Uint32Array, bit: number): void {
  filter[bit >>> 5] |= 1 << (bit & 31);
}

/** Reads bit `bit` of a bit array. */
function hasBit(filter: Uint32Array, bit: number): boolean {
  return (filter[bit >>> 5] & (1 << (bit & 31))) !== 0;
}

/** 32-bit FNV-1a hash of a token. */
export function hashToken(token: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < token.length; i++) h = Math.imul(h ^ token.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Hash of an ordered pair of token hashes. */
export function pairHash(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ b;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Smallest power of two >= n (n >= 1). */
function nextPowerOfTwo(n: number): number {
  return 2 ** Math.ceil(Math.log2(n));
}

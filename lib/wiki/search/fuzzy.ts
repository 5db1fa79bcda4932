/**
 * @module
 * Typo tolerance for forgiving search: the edit distance allowed for a query term of a given length, a cheap letter
 * signature that rules out most vocabulary terms before any distance is computed, and a bounded edit distance
 * (insertions, deletions, substitutions and swaps of adjacent letters each cost 1).
 */

/** Shortest query term that may match with one edit. */
export const ONE_EDIT_MIN_LENGTH = 5;
/** Shortest query term that may match with two edits. */
export const TWO_EDITS_MIN_LENGTH = 8;
/** Longest term considered for typo and prefix matching (longer ones match exactly only). */
export const MAX_FORGIVING_LENGTH = 32;

/** Edits allowed for a query term of `length` characters: 0, 1 or 2. */
export function allowedEdits(length: number): number {
  if (length > MAX_FORGIVING_LENGTH) return 0;
  return length >= TWO_EDITS_MIN_LENGTH ? 2 : length >= ONE_EDIT_MIN_LENGTH ? 1 : 0;
}

/**
 * A 32-bit set of the characters a term holds: a-z are bits 0-25, digits bit 26, anything else bits 27-31 by code.
 * One edit changes at most two bits, so terms whose signatures differ in more than 2 * k bits are more than k edits
 * apart; and a prefix's signature is a subset of the term's.
 */
export function letterSignature(term: string): number {
  let sig = 0;
  for (let i = 0; i < term.length; i++) {
    const c = term.charCodeAt(i);
    if (c >= 97 && c <= 122) sig |= 1 << (c - 97);
    else if (c >= 48 && c <= 57) sig |= 1 << 26;
    else sig |= 1 << (27 + (c % 5));
  }
  return sig;
}

/** Number of set bits of a 32-bit integer. */
export function popCount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/**
 * True when `candidate` may be within `max` edits of `term`. `term` is cut into `max + 1` segments, each but the
 * last without its final letter (so a swap across a cut spoils one piece, not two): every edit spoils at most one
 * piece, so within `max` edits one piece occurs unchanged in `candidate`. A few native substring searches rule out
 * most terms before any distance is computed.
 */
export function mayBeNear(term: string, candidate: string, max: number): boolean {
  const pieces = max + 1;
  const size = Math.floor(term.length / pieces);
  if (size < 3) return true;
  for (let p = 0; p < pieces; p++) {
    const from = p * size;
    const piece = p === pieces - 1 ? term.slice(from) : term.slice(from, from + size - 1);
    if (candidate.includes(piece)) return true;
  }
  return false;
}

/** Rows of the distance table, reused across calls (terms are at most MAX_FORGIVING_LENGTH + 2 long). */
const ROWS = [0, 1, 2].map(() => new Int32Array(MAX_FORGIVING_LENGTH + 8));

/**
 * Edit distance between `a` and `b` (optimal string alignment: adjacent swaps cost 1), or `max + 1` as soon as it
 * is known to exceed `max`. Quadratic in the lengths; longer strings than MAX_FORGIVING_LENGTH + 7 are not near.
 */
export function boundedEditDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const n = b.length;
  if (n >= ROWS[0].length || a.length >= ROWS[0].length) return a === b ? 0 : max + 1;
  let [before, prev, row] = ROWS; // rows i - 2, i - 1 and i
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    row[0] = i;
    let rowMin = i;
    for (let j = 1; j <= n; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let d = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2] + 1);
      row[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > max) return max + 1;
    [before, prev, row] = [prev, row, before];
  }
  return Math.min(prev[n], max + 1);
}

/**
 * @module
 * Picks the best `limit` search candidates without sorting them all: each candidate has a `base` score and the
 * `upper` score it reaches if the query's exact phrase is in the page, which only a (costly) test settles. Ties are
 * broken by path.
 */

/** A matching document during ranking. */
export interface Candidate<E extends { path: string }> {
  entry: E;
  /** Score without the phrase bonus. */
  base: number;
  /** Highest score reachable with the phrase bonus. */
  upper: number;
}

/** A selected document and its final score. */
export interface Ranked<E extends { path: string }> {
  entry: E;
  score: number;
}

/** Up to this many hits, the selection threshold is found by insertion rather than by sorting every score. */
const SMALL_SELECTION = 256;

/**
 * The best `limit` candidates with final scores. Final scores are at least `base`, so a candidate whose `upper`
 * is below the `limit`-th best base can never make the cut and is dropped. `mayHavePhrase` (a cheap filter)
 * settles most phrase bonuses; `hasPhrase` is tested in `upper` order, only while it can still change the result.
 */
export function selectTop<E extends { path: string }>(
  candidates: Candidate<E>[],
  limit: number,
  mayHavePhrase: (entry: E) => boolean,
  hasPhrase: (entry: E) => boolean,
): Ranked<E>[] {
  if (limit === 0) return [];
  const threshold = nthLargestBase(candidates, limit);
  const live: Candidate<E>[] = [];
  for (const c of candidates) {
    if (c.upper > c.base && c.upper >= threshold && !mayHavePhrase(c.entry)) c.upper = c.base;
    if (c.upper >= threshold) live.push(c);
  }
  live.sort((a, b) => b.upper - a.upper || comparePaths(a.entry.path, b.entry.path));
  const top: Ranked<E>[] = [];
  for (const c of live) {
    if (top.length === limit && c.upper < top[limit - 1].score) break;
    const score = c.upper > c.base && hasPhrase(c.entry) ? c.upper : c.base;
    insertRanked(top, { entry: c.entry, score }, limit);
  }
  return top;
}

/** The `n`-th largest base score, or -Infinity when there are `n` candidates or fewer. */
function nthLargestBase<E extends { path: string }>(candidates: Candidate<E>[], n: number): number {
  if (candidates.length <= n) return -Infinity;
  if (n > SMALL_SELECTION) return Float64Array.from(candidates, (c) => c.base).sort()[candidates.length - n];
  const best = new Float64Array(n).fill(-Infinity); // ascending: best[0] is the n-th largest so far
  for (const c of candidates) {
    if (c.base <= best[0]) continue;
    let i = 0;
    for (; i + 1 < n && best[i + 1] < c.base; i++) best[i] = best[i + 1];
    best[i] = c.base;
  }
  return best[0];
}

/** Inserts into a list sorted by score desc then path, keeping at most `limit` items. */
function insertRanked<E extends { path: string }>(top: Ranked<E>[], item: Ranked<E>, limit: number) {
  let i = top.length;
  while (i > 0 && ranksBefore(item, top[i - 1])) i--;
  if (i >= limit) return;
  top.splice(i, 0, item);
  if (top.length > limit) top.pop();
}

/** Ranking order: higher score first, then path. */
function ranksBefore<E extends { path: string }>(a: Ranked<E>, b: Ranked<E>): boolean {
  return a.score > b.score || (a.score === b.score && comparePaths(a.entry.path, b.entry.path) < 0);
}

/** Compares paths by UTF-16 code units. */
function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

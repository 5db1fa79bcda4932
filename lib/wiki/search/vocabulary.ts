/**
 * @module
 * The indexed terms of a wiki arranged for forgiving lookups, kept up to date term by term as pages come and go:
 * by stem (English stemming), and in buckets by length with a letter signature each (typos and prefixes). A query
 * term expands to weighted variants: the exact term, other words of its stem, words within an edit or two when
 * neither the term nor its stem is indexed, and, for the last word of a query when no page holds it as it is (a
 * word still being typed), the words it begins. Every
 * expansion is capped (MAX_VARIANTS a kind) and typo matching to MAX_TYPO_TERMS terms a query, so a query's cost
 * stays bounded however large the vocabulary is.
 */
import {
  allowedEdits,
  boundedEditDistance,
  letterSignature,
  MAX_FORGIVING_LENGTH,
  mayBeNear,
  popCount,
} from "./fuzzy.ts";
import { stem } from "./stem.ts";
import type { MatchKind } from "../types.ts";

/** Weight of a word sharing the query term's stem (relative to an exact match, 1). */
export const STEM_WEIGHT = 0.7;
/** Weight of a word the last query term begins. */
export const PREFIX_WEIGHT = 0.5;
/** Weight of a word one edit away from the query term; two edits weigh TYPO_WEIGHT * TYPO_WEIGHT. */
export const TYPO_WEIGHT = 0.5;
/** Most variants of one kind per query term (the most frequent words are kept). */
export const MAX_VARIANTS = 8;
/** Query terms per query that may be matched with typos (the first ones found in no page). */
export const MAX_TYPO_TERMS = 4;
/** Shortest last query term matched as a prefix. */
export const MIN_PREFIX_LENGTH = 3;

/** A term as the vocabulary tracks it; the search index's postings implement it. */
export interface VocabularyTerm {
  readonly term: string;
  /** Number of pages holding the term. */
  readonly size: number;
  /** Letter signature (set by the vocabulary). */
  signature: number;
  /** Position in its length bucket (set by the vocabulary; -1 when in none). */
  slot: number;
}

/** One way a query term matches: an indexed term, its weight and kind. */
export interface Variant<T extends VocabularyTerm> {
  entry: T;
  weight: number;
  kind: MatchKind;
}

/** Indexed terms by stem and by length; see the module doc. */
export class Vocabulary<T extends VocabularyTerm> {
  /** Terms whose stem differs from the term, by stem. */
  #byStem = new Map<string, T[]>();
  /** Terms of each length up to MAX_FORGIVING_LENGTH. */
  #byLength: T[][] = Array.from({ length: MAX_FORGIVING_LENGTH + 1 }, () => []);

  /** Registers a term new to the index. */
  add(entry: T): void {
    const s = stem(entry.term);
    if (s !== entry.term) {
      const list = this.#byStem.get(s);
      if (list) list.push(entry);
      else this.#byStem.set(s, [entry]);
    }
    entry.signature = letterSignature(entry.term);
    entry.slot = -1;
    if (entry.term.length <= MAX_FORGIVING_LENGTH) {
      const bucket = this.#byLength[entry.term.length];
      entry.slot = bucket.length;
      bucket.push(entry);
    }
  }

  /** Forgets a term no page holds any more. */
  delete(entry: T): void {
    const s = stem(entry.term);
    const list = s === entry.term ? undefined : this.#byStem.get(s);
    if (list) {
      const i = list.indexOf(entry);
      if (i >= 0) list[i] = list[list.length - 1], list.pop();
      if (list.length === 0) this.#byStem.delete(s);
    }
    if (entry.slot >= 0) {
      const bucket = this.#byLength[entry.term.length];
      const last = bucket.pop()!;
      if (last !== entry) {
        bucket[entry.slot] = last;
        last.slot = entry.slot;
      }
      entry.slot = -1;
    }
  }

  /**
   * The variants of each query term, exact first. `lookup` finds an indexed term; `last` is the query's last word
   * (prefix-matched). A variant that is itself another query term is left to that term.
   */
  expand(terms: readonly string[], last: string | null, lookup: (term: string) => T | undefined): Variant<T>[][] {
    const own = new Set(terms);
    let typoBudget = MAX_TYPO_TERMS;
    return terms.map((term) => {
      const out: Variant<T>[] = [];
      const exact = lookup(term);
      if (exact) out.push({ entry: exact, weight: 1, kind: "exact" });
      const taken = new Set<string>([term]);
      const keep = (found: T[], weight: (e: T) => number, kind: MatchKind) => {
        for (const e of mostFrequent(found.filter((e) => !own.has(e.term) && !taken.has(e.term)), MAX_VARIANTS)) {
          taken.add(e.term);
          out.push({ entry: e, weight: weight(e), kind });
        }
      };
      keep(this.#stemSiblings(term, lookup), () => STEM_WEIGHT, "stem");
      if (out.length === 0 && typoBudget > 0 && allowedEdits(term.length) > 0) {
        typoBudget--;
        const near = this.#near(term);
        keep(near.map((n) => n.entry), (e) => TYPO_WEIGHT ** near.find((n) => n.entry === e)!.edits, "typo");
      }
      if (!exact && term === last && term.length >= MIN_PREFIX_LENGTH) {
        keep(this.#extending(term), () => PREFIX_WEIGHT, "prefix");
      }
      return out;
    });
  }

  /** Indexed words with the same stem as `term` (the stem itself included when it is a word), `term` excluded. */
  #stemSiblings(term: string, lookup: (term: string) => T | undefined): T[] {
    const s = stem(term);
    const found = [...(this.#byStem.get(s) ?? [])];
    if (s !== term) {
      const bare = lookup(s);
      if (bare) found.push(bare);
    }
    return found.filter((e) => e.term !== term);
  }

  /** Indexed words at the smallest distance (within the allowed edits) from `term`, with that distance. */
  #near(term: string): { entry: T; edits: number }[] {
    const max = allowedEdits(term.length);
    const sig = letterSignature(term);
    const out: { entry: T; edits: number }[] = [];
    const from = Math.max(1, term.length - max);
    const to = Math.min(MAX_FORGIVING_LENGTH, term.length + max);
    for (let len = from; len <= to; len++) {
      for (const e of this.#byLength[len]) {
        if (popCount(e.signature ^ sig) > 2 * max || !mayBeNear(term, e.term, max)) continue;
        const edits = boundedEditDistance(term, e.term, max);
        if (edits <= max) out.push({ entry: e, edits });
      }
    }
    const best = out.reduce((m, n) => Math.min(m, n.edits), max);
    return out.filter((n) => n.edits === best);
  }

  /** Indexed words that begin with `prefix` and are longer. */
  #extending(prefix: string): T[] {
    const sig = letterSignature(prefix);
    const out: T[] = [];
    for (let len = prefix.length + 1; len <= MAX_FORGIVING_LENGTH; len++) {
      for (const e of this.#byLength[len]) if ((e.signature & sig) === sig && e.term.startsWith(prefix)) out.push(e);
    }
    return out;
  }
}

/** The `n` terms held by the most pages, ties by term. */
function mostFrequent<T extends VocabularyTerm>(found: T[], n: number): T[] {
  found.sort((a, b) => b.size - a.size || (a.term < b.term ? -1 : a.term > b.term ? 1 : 0));
  return found.slice(0, n);
}

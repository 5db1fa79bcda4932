/**
 * @module
 * Why a search result matched, for people: the page's words that matched the query, each with a short note when
 * it is not the query's own word ("for “authentcation”", "completes “sourd”"). Used by the browser search page.
 */
import type { TermMatch } from "../types.ts";

/** One matched word as shown: the page's word, and how it relates to the query's word (null when the same). */
export interface MatchLabel {
  word: string;
  note: string | null;
}

/** Labels of a hit's matched terms, in query order; an empty list when the hit says nothing (exact search). */
export function matchLabels(matched: readonly TermMatch[] | undefined): MatchLabel[] {
  return (matched ?? []).map((m) => ({ word: m.word, note: noteOf(m) }));
}

/** The note of a forgiven match. */
function noteOf(m: TermMatch): string | null {
  switch (m.kind) {
    case "exact":
      return null;
    case "stem":
      return `form of “${m.query}”`;
    case "typo":
      return `for “${m.query}”`;
    case "prefix":
      return `completes “${m.query}”`;
  }
}

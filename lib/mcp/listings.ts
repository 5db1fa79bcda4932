/**
 * @module
 * The paged listings of the read tools: list_notes, search_notes, get_history and get_recent_changes in parts that
 * fit the result budget, each cut part ending with "More: call {tool} again with cursor=...". A listing that fits
 * and was not asked for by cursor reads exactly as before paging existed (lib/mcp/format.ts). Each part's structured
 * content (lib/mcp/output.ts) holds the items the text shows, or the first of them when their JSON would exceed the
 * budget, with the cursor after its own last item.
 */
import { fitListing } from "./budget.ts";
import { fingerprint, makeCursor, moreLine, readCursor } from "./cursor.ts";
import { ok, type ToolText } from "./errors.ts";
import { fitItems, withData } from "./output.ts";
import {
  formatChange,
  formatHistory,
  formatHistoryEntry,
  formatHit,
  formatListHead,
  formatListLine,
  isoSeconds,
} from "./format.ts";
import type { HistoryEntry, PageMeta, RevisionInfo, SearchHit } from "../wiki/types.ts";
import type { SearchMode } from "../wiki/meaning/hybrid.ts";

/** Search hits per part (the existing service's 20). */
export const SEARCH_PART = 20;
/** Deepest search hit a cursor reaches (the wiki core ranks at most this many). */
export const MAX_SEARCH_DEPTH = 1000;

/** Filters of list_notes as given, echoed in its header. */
export interface ListCriteria {
  prefix?: string;
  category?: string;
  tag?: string;
  updatedSince?: string;
}

/** Where a list_notes part starts: 0, or after the path a cursor names; null for a cursor that is not valid. */
export function listStart(list: readonly PageMeta[], cursor: string | undefined): number | null {
  if (!cursor) return 0;
  const c = readCursor("list_notes", cursor, { after: "" });
  if (c === null) return null;
  const i = list.findIndex((p) => p.path > c.after);
  return i < 0 ? list.length : i;
}

/** A part of list_notes from `from`: the full listing when it fits and `from` is 0 (and no cursor was given). */
export function listPart(
  list: readonly PageMeta[],
  from: number,
  criteria: ListCriteria,
  budget: number,
  byCursor: boolean,
): ToolText {
  const head = formatListHead(list.length, criteria);
  const lines = list.slice(from).map(formatListLine);
  const cursorAt = (last: number) =>
    last >= list.length ? undefined : makeCursor("list_notes", { after: list[last - 1].path });
  const r = fitListing(() => head, lines, budget, (n) => {
    const last = from + n;
    const cursor = cursorAt(last);
    if (cursor === undefined) return byCursor || from > 0 ? `Showing notes ${from + 1} to ${last}: the end.` : "";
    return `Showing notes ${from + 1} to ${last} of ${list.length}. ` +
      moreLine("list_notes", cursor, "and the same filters");
  });
  const notes = list.slice(from, from + r.shown).map((p) => ({
    path: p.path,
    title: p.title,
    category: p.category,
    tags: p.tags,
    updated: isoSeconds(p.updatedAt),
    words: p.words,
    revision: p.revision,
  }));
  const data = (k: number) => ({ total: list.length, notes: notes.slice(0, k), next_cursor: cursorAt(from + k) });
  return withData(ok(r.text), data(fitItems(r.shown, budget, data)));
}

/** What a search_notes cursor is bound to: the query, and the mode when it is not the default. */
function searchKey(query: string, mode: SearchMode): string {
  return mode === "hybrid" ? query : `${mode}\0${query}`;
}

/**
 * The offset a search_notes cursor names for `query` in `mode`: 0 without one, null when it is not valid for the
 * query and mode.
 */
export function searchStart(query: string, cursor: string | undefined, mode: SearchMode = "hybrid"): number | null {
  if (!cursor) return 0;
  const c = readCursor("search_notes", cursor, { o: 0, q: "" });
  return c === null || c.q !== fingerprint(searchKey(query, mode)) ? null : c.o;
}

/** A part of search_notes: hits `from` to `from + SEARCH_PART` of the ranking, as many as fit. */
export function searchPart(
  query: string,
  result: { total: number; hits: SearchHit[] },
  from: number,
  budget: number,
  byCursor: boolean,
  mode: SearchMode = "hybrid",
): ToolText {
  const hits = result.hits.slice(from, from + SEARCH_PART);
  const items = hits.map((h, i) => formatHit(h, from + i));
  const head = `${result.total} results for "${query}":`;
  const reach = Math.min(result.total, MAX_SEARCH_DEPTH);
  const cursorAt = (last: number) =>
    last >= reach ? undefined : makeCursor("search_notes", { o: last, q: fingerprint(searchKey(query, mode)) });
  const r = fitListing(() => head, items, budget, (n) => {
    const last = from + n;
    if (last >= reach) {
      if (result.total > reach) {
        return `Showing results ${from + 1} to ${last}; only the best ${reach} can be listed: narrow the query.`;
      }
      return byCursor ? `Showing results ${from + 1} to ${last}: the end.` : "";
    }
    return `Showing results ${from + 1} to ${last} of ${result.total}. ` +
      moreLine("search_notes", cursorAt(last)!, "and the same query");
  });
  const results = hits.slice(0, r.shown).map((h) => ({
    path: h.path,
    title: h.title,
    score: h.score,
    snippet: h.snippet,
    ...(h.match ? { match: h.match } : {}),
    ...(h.section !== undefined ? { section: h.section } : {}),
  }));
  const data = (k: number) => ({
    query,
    total: result.total,
    results: results.slice(0, k),
    next_cursor: cursorAt(from + k),
  });
  return withData(ok(r.text), data(fitItems(r.shown, budget, data)));
}

/** The write sequence a get_history cursor continues below, for the page at `canonical`; undefined without one. */
export function historyBefore(canonical: string, cursor: string | undefined): number | undefined | null {
  if (!cursor) return undefined;
  const c = readCursor("get_history", cursor, { b: 0, p: "" });
  return c === null || c.p !== fingerprint(canonical) ? null : c.b;
}

/** A part of get_history: `entries` (one more than asked means there are older ones) as many as fit. */
export function historyPart(
  path: string,
  canonical: string,
  entries: HistoryEntry[],
  limit: number,
  budget: number,
): ToolText {
  const page = entries.slice(0, limit);
  const pairs = page.map((e) => formatHistoryEntry(path, e));
  const cursorAt = (n: number) =>
    n >= page.length && entries.length <= limit
      ? undefined
      : makeCursor("get_history", { b: page[n - 1].revision.seq, p: fingerprint(canonical) });
  const r = fitListing((n) => `History for ${path} (${n} revisions):`, pairs, budget, (n) => {
    const cursor = cursorAt(n);
    return cursor === undefined ? "" : moreLine("get_history", cursor, "the same path; older revisions");
  });
  if (page.length === 0) return withData(ok(formatHistory(path, [])), { path: canonical, revisions: [] });
  const revisions = page.slice(0, r.shown).map((e) => ({
    ...changeData(e.revision),
    path: e.path,
    deleted: e.deleted,
  }));
  const data = (k: number) => ({ path: canonical, revisions: revisions.slice(0, k), next_cursor: cursorAt(k) });
  return withData(ok(r.text), data(fitItems(r.shown, budget, data)));
}

/** The structured form of a revision (lib/mcp/output.ts). */
function changeData(r: RevisionInfo) {
  return { revision: r.id, time: isoSeconds(r.time), author: r.authorName, client: r.client, message: r.message };
}

/** The write sequence a get_recent_changes cursor continues below; undefined without one, null when not valid. */
export function changesBefore(cursor: string | undefined): number | undefined | null {
  if (!cursor) return undefined;
  return readCursor("get_recent_changes", cursor, { b: 0 })?.b ?? null;
}

/** A part of get_recent_changes: `changes` (one more than asked means there are older ones) as many as fit. */
export function changesPart(changes: RevisionInfo[], limit: number, budget: number): ToolText {
  const page = changes.slice(0, limit);
  const pairs = page.map(formatChange);
  const cursorAt = (n: number) =>
    n >= page.length && changes.length <= limit ? undefined : makeCursor("get_recent_changes", { b: page[n - 1].seq });
  const r = fitListing((n) => `${n} recent changes:`, pairs, budget, (n) => {
    const cursor = cursorAt(n);
    return cursor === undefined ? "" : moreLine("get_recent_changes", cursor, "older changes");
  });
  const items = page.slice(0, r.shown).map((c) => ({ ...changeData(c), action: c.action, paths: c.paths }));
  const data = (k: number) => ({ changes: items.slice(0, k), next_cursor: cursorAt(k) });
  return withData(ok(r.text), data(fitItems(r.shown, budget, data)));
}

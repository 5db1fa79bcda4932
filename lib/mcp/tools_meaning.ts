/**
 * @module
 * Meaning tools (issue 12): `semantic_search` (pages nearest a query by meaning, for parity with the service this
 * project replaces) and `find_related` (pages nearest a page by meaning, without those it already links to or
 * from). Both read the page vectors of the wiki core's meaning layer (lib/wiki/meaning/hybrid.ts); search_notes
 * fuses the same ranking with the keyword one.
 */
import { z } from "zod";
import { ARG_BOUNDS, boundedText } from "./bounds.ts";
import { ok } from "./errors.ts";
import { fitListing, resultBudget } from "./budget.ts";
import { fitItems, OUTPUT, withData } from "./output.ts";
import { READ, tool, type WikiTool } from "./tool.ts";
import { sectionNote } from "./format.ts";

/** Default number of results of the meaning tools. */
export const DEFAULT_MEANING_RESULTS = 5;
/** Most results of the meaning tools. */
export const MAX_MEANING_RESULTS = 50;

const n = z.number().int().min(1).max(MAX_MEANING_RESULTS).optional().describe(
  `How many pages (1-${MAX_MEANING_RESULTS}, default ${DEFAULT_MEANING_RESULTS}).`,
);

/** One result line: rank, path, similarity, then the snippet and the section that matched, when known. */
function line(i: number, path: string, score: number, snippet?: string, section?: string): string {
  const head = `${i + 1}. ${path} (similarity: ${score.toFixed(2)})`;
  const text = snippet ? `${head}\n   ${snippet.replaceAll("\n", " ")}` : head;
  return section === undefined ? text : `${text}\n   ${sectionNote(section)}`;
}

/** The meaning tools. */
export const MEANING_TOOLS: WikiTool[] = [
  tool({
    name: "semantic_search",
    title: "Search notes by meaning",
    scope: "wiki:read",
    description: "Find pages by meaning rather than exact words: pages about the same thing as the query rank first " +
      'even when they use other words ("vehicle upkeep" finds a page on car maintenance). Best first, with a ' +
      "snippet. search_notes (default mode) combines this ranking with keyword matching.",
    annotations: READ,
    output: OUTPUT.semantic_search,
    input: z.object({
      query: boundedText(ARG_BOUNDS.query).describe("What you are looking for, in any words."),
      n,
    }),
    async run({ query, n }, { pages, limits }) {
      const r = await pages.search(query, { limit: n ?? DEFAULT_MEANING_RESULTS, mode: "meaning" });
      const results = r.hits.map((h) => ({
        path: h.path,
        title: h.title,
        score: h.score,
        snippet: h.snippet,
        ...(h.section !== undefined ? { section: h.section } : {}),
      }));
      const budget = resultBudget(limits);
      const head = results.length === 0
        ? `No page is close in meaning to "${query}". Try other words, or search_notes for keywords.`
        : `${results.length} pages closest in meaning to "${query}":`;
      const f = fitListing(
        () => head,
        results.map((h, i) => line(i, h.path, h.score, h.snippet, h.section)),
        budget,
        () => "",
      );
      const data = (k: number) => ({ query, results: results.slice(0, k) });
      return withData(ok(f.text), data(fitItems(f.shown, budget, data)));
    },
  }),
  tool({
    name: "find_related",
    title: "Find related notes",
    scope: "wiki:read",
    description: "Pages closest in meaning to a page, best first, leaving out the pages it already links to or " +
      "that link to it: candidates for a [[WikiLink]], or notes to merge.",
    annotations: READ,
    output: OUTPUT.find_related,
    input: z.object({
      path: boundedText(ARG_BOUNDS.path).describe('Page path, e.g. "Design/Auth".'),
      n,
    }),
    async run({ path, n }, { pages, limits }) {
      const related = await pages.related(path, n ?? DEFAULT_MEANING_RESULTS);
      const meta = await pages.meta(path);
      const page = meta?.path ?? path;
      const results = related.map((r) => ({ path: r.path, title: r.title, score: r.score }));
      const budget = resultBudget(limits);
      const head = results.length === 0
        ? `No other page is close in meaning to ${page} (pages it links to or from are left out).`
        : `Pages related to ${page} by meaning (pages it links to or from are left out):`;
      const f = fitListing(() => head, results.map((r, i) => line(i, r.path, r.score)), budget, () => "");
      const data = (k: number) => ({ path: page, results: results.slice(0, k) });
      return withData(ok(f.text), data(fitItems(f.shown, budget, data)));
    },
  }),
];

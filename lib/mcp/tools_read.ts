/**
 * @module
 * Read tools: read_note (lib/mcp/read_note.ts), list_notes, search_notes, get_links, get_history,
 * get_recent_changes, find_orphaned_notes, get_diff. Each is one wiki core call rendered as plain text; long
 * listings come in parts by cursor (lib/mcp/listings.ts), a long diff by offset.
 */
import { z } from "zod";
import { ARG_BOUNDS, boundedText } from "./bounds.ts";
import { fail, ok } from "./errors.ts";
import { NotFoundError } from "../errors.ts";
import { canonicalPath } from "../wiki/paths.ts";
import { changesPart as readChanges, historyPart as readHistory } from "../wiki/feeds.ts";
import { formatLinks, formatNoHistory, formatOrphans } from "./format.ts";
import { resultBudget } from "./budget.ts";
import { badCursor } from "./cursor.ts";
import {
  changesBefore,
  changesPart,
  historyBefore,
  historyPart,
  listPart,
  listStart,
  MAX_SEARCH_DEPTH,
  SEARCH_PART,
  searchPart,
  searchStart,
} from "./listings.ts";
import { diffPart } from "./diff_part.ts";
import { linePart } from "./line_pages.ts";
import { READ_NOTE } from "./read_note.ts";
import { READ, tool, type WikiTool } from "./tool.ts";
import { OUTPUT, withData } from "./output.ts";

const cursor = boundedText(ARG_BOUNDS.cursor).optional().describe(
  "Where to continue: the cursor a cut result gave (keep the other arguments the same). Omit to start.",
);

const path = boundedText(ARG_BOUNDS.path).describe(
  'Page path, e.g. "Design/Auth" (case matters; spaces or underscores both work).',
);

function clamp(n: number | undefined, dflt: number, lo: number, hi: number): number {
  if (n === undefined || !Number.isFinite(n)) return dflt;
  return Math.min(hi, Math.max(lo, Math.trunc(n)));
}

/** The read tools. */
export const READ_TOOLS: WikiTool[] = [
  READ_NOTE,
  tool({
    name: "list_notes",
    title: "List notes",
    scope: "wiki:read",
    description: "List the wiki's pages with category, tags, last update and word count, sorted by path. Filters " +
      '(all optional, combined with AND): `prefix` (path prefix, e.g. "Design/"), `category` and `tag` ' +
      "(case-insensitive frontmatter values), `updated_since` (ISO 8601 date or time). A long list comes in parts: " +
      "the result ends with the `cursor` to pass for the next.",
    annotations: READ,
    output: OUTPUT.list_notes,
    input: z.object({
      prefix: boundedText(ARG_BOUNDS.path).optional().describe(
        'Only pages whose path starts with this, e.g. "Design/".',
      ),
      category: boundedText(ARG_BOUNDS.filter).optional().describe("Only pages with this frontmatter category."),
      tag: boundedText(ARG_BOUNDS.filter).optional().describe("Only pages with this frontmatter tag."),
      updated_since: boundedText(ARG_BOUNDS.filter).optional().describe(
        'Only pages updated at or after this ISO 8601 instant, e.g. "2026-01-31".',
      ),
      cursor,
    }),
    async run({ prefix, category, tag, updated_since, cursor }, { pages, limits }) {
      let updatedSince: number | undefined;
      if (updated_since !== undefined && updated_since.trim() !== "") {
        updatedSince = Date.parse(updated_since.trim());
        if (!Number.isFinite(updatedSince)) {
          return fail(
            `Invalid request: updated_since "${updated_since}" is not an ISO 8601 date; use e.g. 2026-01-31 or ` +
              `2026-01-31T12:00:00Z.`,
          );
        }
      }
      const list = await pages.list({
        prefix: prefix || undefined,
        category: category || undefined,
        tag: tag || undefined,
        updatedSince,
      });
      const from = listStart(list, cursor);
      if (from === null) return badCursor("list_notes");
      const criteria = { prefix, category, tag, updatedSince: updated_since };
      return listPart(list, from, criteria, resultBudget(limits), Boolean(cursor));
    },
  }),
  tool({
    name: "search_notes",
    title: "Search notes",
    scope: "wiki:read",
    description: "Search page titles and text, best first, with a snippet around the first match. By default " +
      "keyword matches (titles weigh more) and pages similar in meaning are ranked together, so a page is found even " +
      'when it uses other words; `mode` "lexical" ranks by keywords only, "meaning" by meaning only. Use it to find ' +
      "the right page before reading or writing; results reflect writes at once. 20 results per call; the result " +
      "ends with the `cursor` to pass for the next ones.",
    annotations: READ,
    output: OUTPUT.search_notes,
    input: z.object({
      query: boundedText(ARG_BOUNDS.query).describe("One or more words to search for."),
      mode: z.enum(["hybrid", "lexical", "meaning"]).optional().describe(
        'How to rank: "hybrid" (default: keywords and meaning together), "lexical" (keywords only) or "meaning".',
      ),
      cursor,
    }),
    async run({ query, mode, cursor }, { pages, limits }) {
      const m = mode ?? "hybrid";
      const from = searchStart(query, cursor, m);
      if (from === null) return badCursor("search_notes", "this query");
      const r = await pages.search(query, { limit: Math.min(MAX_SEARCH_DEPTH, from + SEARCH_PART), mode: m });
      return searchPart(query, r, from, resultBudget(limits), Boolean(cursor), m);
    },
  }),
  tool({
    name: "get_links",
    title: "Get links of a note",
    scope: "wiki:read",
    description: "List the pages a page links to (its [[WikiLinks]]) and the pages that link to it. Works for a " +
      "page that does not exist yet (then only incoming links).",
    annotations: READ,
    output: OUTPUT.get_links,
    input: z.object({ path, cursor }),
    async run({ path, cursor }, { pages, limits }) {
      const links = await pages.links(path);
      const data = { path: links.path, links_to: links.linksTo, linked_from: links.linkedFrom };
      return linePart("get_links", links.path, formatLinks(links), cursor, resultBudget(limits), data);
    },
  }),
  tool({
    name: "get_history",
    title: "Get the history of a note",
    scope: "wiki:read",
    description: "Revisions of one page, newest first: revision id (8 chars), time, author and client, message. " +
      "Pass a revision to read_note to see that state, to get_diff to compare, or to restore_note to bring it back. " +
      "A long history comes in parts: the result ends with the `cursor` to pass for older revisions.",
    annotations: READ,
    output: OUTPUT.get_history,
    input: z.object({
      path,
      limit: z.number().int().optional().describe("How many revisions (1-200, default 10)."),
      cursor,
    }),
    async run({ path, limit, cursor }, { kv, wiki, limits }) {
      const canonical = canonicalPath(path);
      const beforeSeq = historyBefore(canonical, cursor);
      if (beforeSeq === null) return badCursor("get_history", "this page");
      const n = clamp(limit, 10, 1, 200);
      try {
        const entries = await readHistory(kv, wiki, path, { beforeSeq, limit: n + 1 });
        return historyPart(path, canonical, entries, n, resultBudget(limits));
      } catch (err) {
        // history() finds deleted pages too: NotFoundError means no page was ever written at this path.
        if (err instanceof NotFoundError) {
          return withData(ok(formatNoHistory(canonical)), { path: canonical, revisions: [] });
        }
        throw err;
      }
    },
  }),
  tool({
    name: "get_recent_changes",
    title: "Get recent changes",
    scope: "wiki:read",
    description: "The wiki's latest changes, newest first: time, author and client, pages touched, revision and " +
      "message. Read this (and Home) at the start of a session to see what changed. The result ends with the " +
      "`cursor` to pass for older changes when there are more.",
    annotations: READ,
    output: OUTPUT.get_recent_changes,
    input: z.object({
      limit: z.number().int().optional().describe("How many changes (1-200, default 20)."),
      cursor,
    }),
    async run({ limit, cursor }, { kv, wiki, limits }) {
      const beforeSeq = changesBefore(cursor);
      if (beforeSeq === null) return badCursor("get_recent_changes");
      const n = clamp(limit, 20, 1, 200);
      return changesPart(await readChanges(kv, wiki, { beforeSeq, limit: n + 1 }), n, resultBudget(limits));
    },
  }),
  tool({
    name: "find_orphaned_notes",
    title: "Find orphaned notes",
    scope: "wiki:read",
    description: "Pages that no other page links to (Home excluded). Link them from Home or an index page so " +
      "people and agents can find them.",
    annotations: READ,
    output: OUTPUT.find_orphaned_notes,
    input: z.object({ cursor }),
    async run({ cursor }, { pages, limits }) {
      const orphans = await pages.orphans();
      return linePart("find_orphaned_notes", "", formatOrphans(orphans), cursor, resultBudget(limits), { orphans });
    },
  }),
  tool({
    name: "get_diff",
    title: "Diff two revisions of a note",
    scope: "wiki:read",
    description: "Unified diff of a page between two revisions (ids or 7+ char prefixes from get_history); " +
      "`to_revision` defaults to the current revision. A long diff comes in parts: the result gives the `offset` to " +
      "pass for the rest.",
    annotations: READ,
    output: OUTPUT.get_diff,
    input: z.object({
      path,
      from_revision: boundedText(ARG_BOUNDS.revision).describe("The older revision (id or 7+ char prefix)."),
      to_revision: boundedText(ARG_BOUNDS.revision).optional().describe(
        "The newer revision; omit for the current one.",
      ),
      offset: z.number().int().min(0).optional().describe(
        "Start at this character of the diff text (as a cut result says); default 0.",
      ),
    }),
    async run({ path, from_revision, to_revision, offset }, { pages, limits }) {
      const d = await pages.diff(path, from_revision, to_revision || undefined);
      return diffPart(d, offset, resultBudget(limits));
    },
  }),
];

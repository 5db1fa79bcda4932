/**
 * @module
 * Read tools: read_note, list_notes, search_notes, get_links, get_history, get_recent_changes,
 * find_orphaned_notes, get_diff. Each is one wiki core call rendered as plain text.
 */
import { z } from "zod";
import { ARG_BOUNDS, boundedText } from "./bounds.ts";
import { findSection } from "../wiki/sections.ts";
import { fail, ok } from "./errors.ts";
import { NotFoundError } from "../errors.ts";
import { canonicalPath } from "../wiki/paths.ts";
import {
  formatDiff,
  formatHistory,
  formatLinks,
  formatList,
  formatNoHistory,
  formatNote,
  formatOrphans,
  formatRecent,
  formatSearch,
  formatSectionNotFound,
} from "./format.ts";
import { READ, tool, type WikiTool } from "./tool.ts";

const path = boundedText(ARG_BOUNDS.path).describe(
  'Page path, e.g. "Design/Auth" (case matters; spaces or underscores both work).',
);

function clamp(n: number | undefined, dflt: number, lo: number, hi: number): number {
  if (n === undefined || !Number.isFinite(n)) return dflt;
  return Math.min(hi, Math.max(lo, Math.trunc(n)));
}

/** The read tools. */
export const READ_TOOLS: WikiTool[] = [
  tool({
    name: "read_note",
    title: "Read a note",
    scope: "wiki:read",
    description: "Read a wiki page: its title, path, full current revision id (pass it to write_note / edit_note), " +
      "frontmatter, links to and from it, then the raw markdown. Give `revision` (an id or 7+ char prefix from " +
      'get_history) to read an older state, or `section` (a heading title or a path like "Background > Goals") ' +
      "to read one section only. Read a page before you change it.",
    annotations: READ,
    input: z.object({
      path,
      revision: boundedText(ARG_BOUNDS.revision).optional().describe(
        "Revision id or 7+ char prefix; omit for the current state.",
      ),
      section: boundedText(ARG_BOUNDS.section).optional().describe(
        'Heading title or " > "-joined heading path; omit for the whole page.',
      ),
    }),
    async run({ path, revision, section }, { pages }) {
      const wantRev = revision !== undefined && revision.trim() !== "";
      let page;
      let links;
      if (wantRev) {
        page = await pages.read(path, { revision, includeDeleted: true });
        links = { linksTo: page.links, linkedFrom: (await pages.links(page.path)).linkedFrom };
      } else {
        const p = await pages.readWithBacklinks(path);
        page = p;
        links = { linksTo: p.links, linkedFrom: p.linkedFrom };
      }
      if (section !== undefined && section.trim() !== "") {
        const found = findSection(page.content, section);
        if (!found.ok) {
          return fail(formatSectionNotFound(section, found.candidates, found.reason === "ambiguous", found.more));
        }
        return ok(formatNote(page, null, { section: found.path, body: found.text, atRevision: wantRev }));
      }
      return ok(formatNote(page, links, { atRevision: wantRev, deleted: page.deleted }));
    },
  }),
  tool({
    name: "list_notes",
    title: "List notes",
    scope: "wiki:read",
    description: "List the wiki's pages with category, tags, last update and word count, sorted by path. Filters " +
      '(all optional, combined with AND): `prefix` (path prefix, e.g. "Design/"), `category` and `tag` ' +
      "(case-insensitive frontmatter values), `updated_since` (ISO 8601 date or time).",
    annotations: READ,
    input: z.object({
      prefix: boundedText(ARG_BOUNDS.path).optional().describe(
        'Only pages whose path starts with this, e.g. "Design/".',
      ),
      category: boundedText(ARG_BOUNDS.filter).optional().describe("Only pages with this frontmatter category."),
      tag: boundedText(ARG_BOUNDS.filter).optional().describe("Only pages with this frontmatter tag."),
      updated_since: boundedText(ARG_BOUNDS.filter).optional().describe(
        'Only pages updated at or after this ISO 8601 instant, e.g. "2026-01-31".',
      ),
    }),
    async run({ prefix, category, tag, updated_since }, { pages }) {
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
      return ok(formatList(list, { prefix, category, tag, updatedSince: updated_since }));
    },
  }),
  tool({
    name: "search_notes",
    title: "Search notes",
    scope: "wiki:read",
    description: "Keyword search over page titles and text (titles weigh more), best first, with a snippet around " +
      "the first match. Use it to find the right page before reading or writing; results reflect writes at once.",
    annotations: READ,
    input: z.object({ query: boundedText(ARG_BOUNDS.query).describe("One or more words to search for.") }),
    async run({ query }, { pages }) {
      const r = await pages.search(query, { limit: 20 });
      return ok(formatSearch(query, r.total, r.hits));
    },
  }),
  tool({
    name: "get_links",
    title: "Get links of a note",
    scope: "wiki:read",
    description: "List the pages a page links to (its [[WikiLinks]]) and the pages that link to it. Works for a " +
      "page that does not exist yet (then only incoming links).",
    annotations: READ,
    input: z.object({ path }),
    async run({ path }, { pages }) {
      return ok(formatLinks(await pages.links(path)));
    },
  }),
  tool({
    name: "get_history",
    title: "Get the history of a note",
    scope: "wiki:read",
    description: "Revisions of one page, newest first: revision id (8 chars), time, author and client, message. " +
      "Pass a revision to read_note to see that state, to get_diff to compare, or to restore_note to bring it back.",
    annotations: READ,
    input: z.object({
      path,
      limit: z.number().int().optional().describe("How many revisions (1-200, default 10)."),
    }),
    async run({ path, limit }, { pages }) {
      try {
        return ok(formatHistory(path, await pages.history(path, clamp(limit, 10, 1, 200))));
      } catch (err) {
        // history() finds deleted pages too: NotFoundError means no page was ever written at this path.
        if (err instanceof NotFoundError) return ok(formatNoHistory(canonicalPath(path)));
        throw err;
      }
    },
  }),
  tool({
    name: "get_recent_changes",
    title: "Get recent changes",
    scope: "wiki:read",
    description: "The wiki's latest changes, newest first: time, author and client, pages touched, revision and " +
      "message. Read this (and Home) at the start of a session to see what changed.",
    annotations: READ,
    input: z.object({ limit: z.number().int().optional().describe("How many changes (1-200, default 20).") }),
    async run({ limit }, { pages }) {
      return ok(formatRecent(await pages.recentChanges(clamp(limit, 20, 1, 200))));
    },
  }),
  tool({
    name: "find_orphaned_notes",
    title: "Find orphaned notes",
    scope: "wiki:read",
    description: "Pages that no other page links to (Home excluded). Link them from Home or an index page so " +
      "people and agents can find them.",
    annotations: READ,
    input: z.object({}),
    async run(_args, { pages }) {
      return ok(formatOrphans(await pages.orphans()));
    },
  }),
  tool({
    name: "get_diff",
    title: "Diff two revisions of a note",
    scope: "wiki:read",
    description: "Unified diff of a page between two revisions (ids or 7+ char prefixes from get_history); " +
      "`to_revision` defaults to the current revision.",
    annotations: READ,
    input: z.object({
      path,
      from_revision: boundedText(ARG_BOUNDS.revision).describe("The older revision (id or 7+ char prefix)."),
      to_revision: boundedText(ARG_BOUNDS.revision).optional().describe(
        "The newer revision; omit for the current one.",
      ),
    }),
    async run({ path, from_revision, to_revision }, { pages }) {
      return ok(formatDiff(await pages.diff(path, from_revision, to_revision || undefined)));
    },
  }),
];

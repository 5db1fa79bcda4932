/**
 * @module
 * The read_note tool: a page (or one section) as plain text, whole when it fits the result budget, else in parts
 * by character `offset` and `limit`, each part saying where it sits and how to get the next; or, with
 * `outline: true`, the page's headings alone with the offset and size of each section.
 */
import { z } from "zod";
import { ARG_BOUNDS, boundedText } from "./bounds.ts";
import { capText, cutEnd, fitCount, resultBudget } from "./budget.ts";
import { fail, ok, type ToolText } from "./errors.ts";
import { formatNote, formatSectionNotFound, noteHeader } from "./format.ts";
import { READ, tool, type WikiTool } from "./tool.ts";
import { capItems, fitItems, OUTPUT, withData } from "./output.ts";
import { findSection, parseHeadings } from "../wiki/sections.ts";
import type { Page } from "../wiki/types.ts";

/** Longest heading title an outline line shows. */
const OUTLINE_TITLE_CHARS = 200;

type Links = { linksTo: string[]; linkedFrom: string[] };

/** The read_note tool. */
export const READ_NOTE: WikiTool = tool({
  name: "read_note",
  title: "Read a note",
  scope: "wiki:read",
  description: "Read a wiki page: its title, path, full current revision id (pass it to write_note / edit_note), " +
    "frontmatter, links to and from it, then the raw markdown. Give `revision` (an id or 7+ char prefix from " +
    'get_history) to read an older state, or `section` (a heading title or a path like "Background > Goals") ' +
    "to read one section only. Read a page before you change it. A long page comes in parts: the result says " +
    "which characters it holds and the `offset` to pass for the rest; `outline: true` lists the headings with the " +
    "offset and size of each section, so you can read just what you need.",
  annotations: READ,
  output: OUTPUT.read_note,
  input: z.object({
    path: boundedText(ARG_BOUNDS.path).describe(
      'Page path, e.g. "Design/Auth" (case matters; spaces or underscores both work).',
    ),
    revision: boundedText(ARG_BOUNDS.revision).optional().describe(
      "Revision id or 7+ char prefix; omit for the current state.",
    ),
    section: boundedText(ARG_BOUNDS.section).optional().describe(
      'Heading title or " > "-joined heading path; omit for the whole page.',
    ),
    offset: z.number().int().min(0).optional().describe(
      "Start at this character of the content (of the section, with `section`); default 0.",
    ),
    limit: z.number().int().min(1).optional().describe(
      "At most this many characters of the content; a result never exceeds the server's result budget anyway.",
    ),
    outline: z.boolean().optional().describe(
      "true: only the page's headings, each with its offset and size in characters (`offset` skips headings " +
        "before it).",
    ),
  }),
  async run({ path, revision, section, offset, limit, outline }, { pages, limits }) {
    const budget = resultBudget(limits);
    const wantRev = revision !== undefined && revision.trim() !== "";
    const wantSection = section !== undefined && section.trim() !== "";
    let page: Page;
    let links: Links;
    if (wantRev) {
      page = await pages.read(path, { revision, includeDeleted: true });
      links = { linksTo: page.links, linkedFrom: (await pages.links(page.path)).linkedFrom };
    } else {
      const p = await pages.readWithBacklinks(path);
      page = p;
      links = { linksTo: p.links, linkedFrom: p.linkedFrom };
    }
    if (outline === true) {
      if (wantSection) return fail("Invalid request: give either `outline` or `section`, not both.");
      return formatOutline(page, offset ?? 0, budget, wantRev);
    }
    if (wantSection) {
      const found = findSection(page.content, section);
      if (!found.ok) {
        return fail(formatSectionNotFound(section, found.candidates, found.reason === "ambiguous", found.more));
      }
      const extra = { section: found.path, atRevision: wantRev, budget };
      return readPart(page, null, found.text, extra, { offset, limit, budget, what: "section" });
    }
    const extra = { atRevision: wantRev, deleted: page.deleted, budget };
    return readPart(page, links, page.content, extra, { offset, limit, budget, what: "content" });
  },
});

interface PartRequest {
  offset?: number;
  limit?: number;
  budget: number;
  /** "content" or "section": what the offsets count. */
  what: string;
}

/**
 * The note with `text` (the content or a section) whole when no part was asked for and it fits the budget (the
 * output of old), else the part from `offset` that fits, with a `Part:` line saying where it is and how to go on.
 */
function readPart(
  page: Page,
  links: Links | null,
  text: string,
  extra: { section?: string; atRevision?: boolean; deleted?: boolean; budget: number },
  req: PartRequest,
): ToolText {
  const asked = req.offset !== undefined || req.limit !== undefined;
  // The structured content: link lists capped as the text's are (1/8 of the budget each), and the characters
  // start..end, fewer when their JSON would exceed the budget (then next_offset says where the data stops).
  const linksTo = links ? capItems(links.linksTo, req.budget / 8) : [];
  const linkedFrom = links ? capItems(links.linkedFrom, req.budget / 8) : [];
  const cutLinks = links !== null &&
    (linksTo.length < links.linksTo.length || linkedFrom.length < links.linkedFrom.length);
  const part = (start: number, end: number) => ({
    ...pageData(page, extra.atRevision === true),
    ...(links ? { links_to: linksTo, linked_from: linkedFrom } : {}),
    section: extra.section,
    content: text.slice(start, end),
    offset: start,
    total_characters: text.length,
    next_offset: end < text.length ? end : undefined,
    ...(cutLinks ? { truncated: true } : {}),
  });
  const data = (start: number, end: number) => {
    if (end - start <= req.budget / 4) return part(start, end);
    return part(start, cutEnd(text, start, fitItems(end - start, req.budget, (k) => part(start, start + k))));
  };
  if (!asked) {
    const whole = formatNote(page, links, { ...extra, body: text });
    if (whole.length <= req.budget) return withData(ok(whole), data(0, text.length));
  }
  const start = req.offset ?? 0;
  if (start > text.length) {
    return fail(
      `Invalid request: offset ${start} is past the end of the ${req.what} (${text.length} characters). Use an ` +
        `offset from 0 to ${text.length}.`,
    );
  }
  const sectionNote = extra.section === undefined ? "" : ", the same section";
  const partLine = (end: number) => {
    const where = `Part: characters ${start} to ${end} of ${text.length} (of the ${req.what}).`;
    if (end >= text.length) return `${where} This is the end.`;
    const outlineTip = req.what === "content" ? " read_note with outline=true lists the sections with offsets." : "";
    return `${where} More: call read_note again with offset=${end} (the same path${sectionNote}; add ` +
      `revision="${page.revision}" to keep reading this revision).${outlineTip}`;
  };
  const bare = noteHeader(page, links, { ...extra, notes: [partLine(text.length - 1)] }).join("\n").length;
  const room = req.budget - bare - "\n\n---\n".length - 16;
  const end = cutEnd(text, start, Math.min(req.limit ?? Infinity, Math.max(1, room)));
  const note = formatNote(page, links, { ...extra, body: text.slice(start, end), notes: [partLine(end)] });
  return withData(ok(note), data(start, end));
}

/** The fields of read_note's structured content that every form has (lib/mcp/output.ts). */
function pageData(page: Page, atRevision: boolean) {
  return {
    path: page.path,
    title: page.title,
    revision: page.revision,
    historical: atRevision,
    deleted: page.deleted,
    frontmatter: page.frontmatter,
  };
}

/** The outline of `page`: its headings from `offset` on, each with its offset and size, as many as fit. */
function formatOutline(page: Page, offset: number, budget: number, atRevision: boolean): ToolText {
  const content = page.content;
  if (offset > content.length) {
    return fail(
      `Invalid request: offset ${offset} is past the end of the content (${content.length} characters).`,
    );
  }
  const all = parseHeadings(content);
  const headings = all.filter((h) => h.start >= offset);
  const minLevel = Math.min(...all.map((h) => h.level));
  const head = noteHeader(page, null, { atRevision, budget }).join("\n") + "\n" +
    `Outline: ${all.length} headings; the content has ${content.length} characters. Read a section with ` +
    `section="<title>" (or a " > " path), or any range with offset and limit.`;
  const lines: string[] = [];
  if (all.length === 0) lines.push("(no headings: read the page in parts with offset and limit)");
  else if (offset === 0 && all[0].start > 0) {
    lines.push(`(before the first heading: offset 0, ${all[0].start} characters)`);
  }
  for (const h of headings) {
    const indent = "  ".repeat(h.level - minLevel);
    lines.push(
      `${indent}- ${capText(h.title, OUTLINE_TITLE_CHARS)} (offset ${h.start}, ${h.end - h.start} characters)`,
    );
  }
  const moreMax = `More: call read_note again with outline=true and offset=${content.length}.`;
  const room = budget - head.length - moreMax.length - 2;
  const n = fitCount(lines, room);
  // Headings shown: lines may start with the "before the first heading" (or "no headings") line.
  const shown = headings.slice(0, Math.max(0, n - (lines.length - headings.length)));
  const outline = shown.map((h) => ({
    title: capText(h.title, OUTLINE_TITLE_CHARS),
    level: h.level,
    offset: h.start,
    size: h.end - h.start,
  }));
  // The data holds the headings shown, or the first of them when their JSON would exceed the budget.
  const data = (k: number) => ({
    ...pageData(page, atRevision),
    total_characters: content.length,
    outline: outline.slice(0, k),
    next_offset: headings[k]?.start,
  });
  const fitted = data(fitItems(outline.length, budget, data));
  if (n === lines.length) return withData(ok([head, ...lines].join("\n")), fitted);
  const next = headings[shown.length];
  const more = `More: call read_note again with outline=true and offset=${next.start}.`;
  return withData(ok([head, ...lines.slice(0, n), more].join("\n")), fitted);
}

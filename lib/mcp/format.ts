/**
 * @module
 * Plain-text renderings of tool results, following the existing service's conventions (docs: robot-wtf.md §3):
 * short headers, one line per item, full revision ids where an agent must pass them back, 8-char ids elsewhere.
 */
import type {
  AttachmentInfo,
  HistoryEntry,
  Links,
  PageDiff,
  PageMeta,
  RenameResult,
  RevisionInfo,
  SearchHit,
} from "../wiki/types.ts";
import { capList, capText } from "./budget.ts";

/** First 8 characters of a revision id, as shown to people and agents. */
export function short(rev: string): string {
  return rev.slice(0, 8);
}

/** An instant as ISO 8601 UTC to the second (`2026-11-26T20:41:00Z`). */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19) + "Z";
}

/** The frontmatter line of read_note: `Key: value | Key: value`, no `title`, empty values skipped; "" if none. */
export function frontmatterLine(frontmatter: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [key, raw] of Object.entries(frontmatter)) {
    if (key.toLowerCase() === "title") continue;
    const value = Array.isArray(raw) ? raw.map(scalar).filter((s) => s !== "").join(", ") : scalar(raw);
    if (value === "") continue;
    parts.push(`${titleCase(key)}: ${value}`);
  }
  return parts.join(" | ");
}

function scalar(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === "object") return JSON.stringify(v);
  return String(v).trim();
}

/** `key` with `_` as spaces and each word's first letter upper-cased (words of ASCII letters and digits). */
export function titleCase(key: string): string {
  let out = "";
  let inWord = false;
  for (let i = 0; i < key.length; i++) {
    const c = key[i] === "_" ? " " : key[i];
    const word = (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9");
    out += word && !inWord ? c.toUpperCase() : c;
    inWord = word;
  }
  return out;
}

/** What read_note adds to its header lines, and the budget they are capped to. */
export interface NoteExtra {
  section?: string;
  atRevision?: boolean;
  deleted?: boolean;
  /** Replaces the content after `---` (a section, a part). */
  body?: string;
  /** Lines added after the links (a part's position and how to get the rest). */
  notes?: string[];
  /**
   * The result budget: a header item longer than its share (title and section path 1/16, frontmatter line and each
   * link list 1/8) is cut with a note. Items within their share are shown unchanged.
   */
  budget?: number;
}

/** read_note output: header lines, the frontmatter line, links, `---`, then the raw content (or the section). */
export function formatNote(
  page: { title: string; path: string; revision: string; frontmatter: Record<string, unknown>; content: string },
  links: { linksTo: string[]; linkedFrom: string[] } | null,
  extra: NoteExtra = {},
): string {
  return [...noteHeader(page, links, extra), "", "---", extra.body ?? page.content].join("\n");
}

/** The header lines of read_note (everything before the blank line and `---`). */
export function noteHeader(
  page: { title: string; path: string; revision: string; frontmatter: Record<string, unknown> },
  links: { linksTo: string[]; linkedFrom: string[] } | null,
  extra: NoteExtra = {},
): string[] {
  const b = extra.budget ?? Infinity;
  const lines = [`# ${capText(page.title, b / 16)}`, `Path: ${page.path}`, `Revision: ${page.revision}`];
  if (extra.atRevision) lines.push(`(Historical state${extra.deleted ? ", deleted" : ""}; not the current revision.)`);
  if (extra.section !== undefined) lines.push(`Section: ${capText(extra.section, b / 16)}`);
  const fm = frontmatterLine(page.frontmatter);
  if (fm) lines.push(fm.length <= b / 8 ? fm : capText(fm, b / 8 - 60) + " (cut: the frontmatter opens the content)");
  if (links) {
    const tail = "; get_links lists them all";
    lines.push(`Links to: ${capList(links.linksTo, b / 8, tail) || "(none)"}`);
    lines.push(`Linked from: ${capList(links.linkedFrom, b / 8, tail) || "(none)"}`);
  }
  if (extra.notes) lines.push(...extra.notes);
  return lines;
}

/** The reply to a section that was not found, listing what exists (`more`: sections left out of the list). */
export function formatSectionNotFound(query: string, candidates: string[], ambiguous: boolean, more = 0): string {
  const list = candidates.map((c) => `- ${c}`).join("\n") + (more > 0 ? `\n(and ${more} more)` : "");
  if (ambiguous) return `Section '${query}' matches several sections; ask for one of these paths:\n` + list;
  if (candidates.length === 0) return `Section not found: '${query}'. This page has no sections.`;
  return `Section not found: '${query}'. Available sections:\n` + list;
}

/** list_notes output. */
export function formatList(
  pages: PageMeta[],
  filter: { prefix?: string; category?: string; tag?: string; updatedSince?: string },
): string {
  return [formatListHead(pages.length, filter), ...pages.map(formatListLine)].join("\n");
}

/** The first line of list_notes: `Found {total} notes[ matching ...]:`. */
export function formatListHead(
  total: number,
  filter: { prefix?: string; category?: string; tag?: string; updatedSince?: string },
): string {
  const crit: string[] = [];
  if (filter.prefix) crit.push(`prefix=${filter.prefix}`);
  if (filter.category) crit.push(`category=${filter.category}`);
  if (filter.tag) crit.push(`tag=${filter.tag}`);
  if (filter.updatedSince) crit.push(`updated since ${filter.updatedSince}`);
  return `Found ${total} notes${crit.length ? " matching " + crit.join(", ") : ""}:`;
}

/** One page of list_notes. */
export function formatListLine(p: PageMeta): string {
  const meta: string[] = [];
  if (p.category) meta.push(`category: ${p.category}`);
  if (p.tags.length) meta.push(`tags: ${p.tags.join(", ")}`);
  const details = meta.length
    ? `${meta.join(", ")}, last updated: ${isoSeconds(p.updatedAt).slice(0, 10)}, ${p.words} words`
    : `no metadata, ${p.words} words`;
  return `- ${p.path} (${details})`;
}

/** search_notes output. */
export function formatSearch(query: string, total: number, hits: SearchHit[]): string {
  return [`${total} results for "${query}":`, ...hits.map((h, i) => formatHit(h, i))].join("\n");
}

/** One hit of search_notes, numbered `index + 1`: its line and its snippet line. */
export function formatHit(h: SearchHit, index: number): string {
  const why = h.match === "meaning" ? ", similar meaning" : "";
  const line = `${index + 1}. ${h.path} (score: ${h.score.toFixed(2)}${why})`;
  const text = h.snippet ? `${line}\n   ${h.snippet.replaceAll("\n", " ")}` : line;
  return h.section === undefined ? text : `${text}\n   ${sectionNote(h.section)}`;
}

/** The line saying which section of a page matched by meaning and how to read it. */
export function sectionNote(section: string): string {
  const quoted = JSON.stringify(section);
  return `Closest in meaning: section ${quoted} (read_note with section: ${quoted} reads it).`;
}

/** get_links output. */
export function formatLinks(links: Links): string {
  const block = (
    title: string,
    items: string[],
  ) => [`${title} (${items.length}):`, ...(items.length ? items.map((p) => `  - ${p}`) : ["  (none)"])];
  return [`Links for ${links.path}:`, ...block("Links to", links.linksTo), ...block("Linked from", links.linkedFrom)]
    .join("\n");
}

/** get_history output. */
export function formatHistory(path: string, entries: HistoryEntry[]): string {
  if (entries.length === 0) return `No history for ${path}.`;
  return [`History for ${path} (${entries.length} revisions):`, ...entries.map((e) => formatHistoryEntry(path, e))]
    .join("\n");
}

/** One entry of get_history: its line and its message line. */
export function formatHistoryEntry(path: string, e: HistoryEntry): string {
  const r = e.revision;
  const where = e.path !== path ? ` | as ${e.path}` : "";
  return `- ${short(r.id)} | ${isoSeconds(r.time)} | ${r.authorName} (${r.client})${where}\n  ${r.message}`;
}

/**
 * get_history output for a path where no page was ever written (the existing service's `No history for {path}.`,
 * plus what to do next).
 */
export function formatNoHistory(path: string): string {
  return `No history for ${path}. No page has ever been written at this path (a renamed page keeps its history ` +
    `under its new path). Use list_notes or search_notes to find the right path, get_recent_changes to see ` +
    `renames, or write_note to create the page.`;
}

/** get_recent_changes output. */
export function formatRecent(changes: RevisionInfo[]): string {
  return [`${changes.length} recent changes:`, ...changes.map(formatChange)].join("\n");
}

/** One change of get_recent_changes: its line and its message line. */
export function formatChange(r: RevisionInfo): string {
  return `- ${isoSeconds(r.time)} | ${r.authorName} (${r.client}) | ${r.paths.join(", ")} | ${short(r.id)}\n` +
    `  ${r.message}`;
}

/** rename_note output. */
export function formatRename(r: RenameResult): string {
  const head = `Renamed ${r.from} -> ${r.to} (revision: ${short(r.revision)})`;
  if (r.updatedPages.length === 0) return `${head}\nNo backreferences needed updating.`;
  return [head, `Updated ${r.updatedPages.length} backreferences:`, ...r.updatedPages.map((p) => `- ${p}`)].join("\n");
}

/** find_orphaned_notes output. */
export function formatOrphans(paths: string[]): string {
  if (paths.length === 0) return "No orphaned notes found. All pages have at least one incoming link.";
  return [
    `Found ${paths.length} orphaned notes (no incoming links from any other page):`,
    ...paths.map((p) => `- ${p}`),
  ]
    .join("\n");
}

/** list_attachments output. */
export function formatAttachments(path: string, items: AttachmentInfo[]): string {
  const lines = [`Attachments for ${path} (${items.length}):`];
  if (items.length === 0) lines.push("(no attachments)");
  for (const a of items) {
    lines.push(`- ${a.filename} (${a.size} bytes, ${a.mime}, modified ${isoSeconds(a.updatedAt)})`);
  }
  return lines.join("\n");
}

/** get_diff output. */
export function formatDiff(d: PageDiff): string {
  const head = `Diff of ${d.path} from ${short(d.from)} to ${short(d.to)} (+${d.added} -${d.removed}):`;
  return d.unified === "" ? `${head}\nNo differences.` : `${head}\n${d.unified}`;
}

/**
 * @module
 * Sections of a page: ATX headings (`#` to `######`) outside fenced code and outside the frontmatter, addressed
 * by their heading path, the titles of the enclosing headings joined with " > " (e.g. `Background > Strategy`).
 */
import { findFrontmatterBlock } from "./frontmatter.ts";
import { findFencedBlocks, splitLines, type TextLine } from "./text.ts";

/** Result of looking a section up: its path and text, or why not with the candidates to choose from. */
export type SectionResult =
  | { ok: true; path: string; text: string }
  | { ok: false; reason: "not_found" | "ambiguous"; candidates: string[] };

/** One heading of a page. */
export interface Heading {
  level: number;
  title: string;
  /** " > "-joined titles of this heading and its ancestors. */
  path: string;
  /** Offset of the heading line. */
  start: number;
  /** Offset where the section ends: the next heading of the same or a higher level, or the end of the content. */
  end: number;
}

/** Separator of heading path components. */
export const SECTION_SEPARATOR = " > ";

/** Up to 3 spaces, `#`x1-6, then the end of the line or a space/tab (the title follows). */
const ATX_OPENING = /^ {0,3}(#{1,6})(?:[ \t]|$)/;

/**
 * Heading paths of `content` in document order, each once (a repeated path is listed at its first occurrence).
 * Headings with empty titles, in fenced code or in the frontmatter are not sections.
 */
export function listSections(content: string): string[] {
  return [...new Set(parseHeadings(content).map((h) => h.path))];
}

/**
 * Finds one section. The query is trimmed and its " > " components are re-spaced (`A>B` = `A > B`). Matching,
 * first stage that matches wins: (1) a section whose path equals the query, or ends with " > " + query, case
 * sensitive; (2) the same, case-insensitive (this covers a heading title alone). A title that itself contains ">" is
 * matched as typed too. Several matches are ambiguous
 * unless exactly one of them equals the query. A repeated path resolves to its first section. The text runs from
 * the heading line to the next heading of the same or higher level (trailing blank lines dropped).
 */
export function findSection(content: string, query: string): SectionResult {
  const headings = parseHeadings(content);
  const wanted = queryForms(query);
  const stages = [(s: string) => s, (s: string) => s.toLowerCase()];
  for (const fold of stages) {
    if (wanted.length === 0) break;
    const qs = wanted.map(fold);
    const matches = uniquePaths(headings.filter((h) => qs.some((q) => pathMatches(fold(h.path), q))));
    if (matches.length === 0) continue;
    const exact = matches.filter((h) => qs.includes(fold(h.path)));
    const chosen = matches.length === 1 ? matches[0] : exact.length === 1 ? exact[0] : null;
    if (chosen === null) return { ok: false, reason: "ambiguous", candidates: matches.map((h) => h.path) };
    return { ok: true, path: chosen.path, text: content.slice(chosen.start, chosen.end).trimEnd() };
  }
  return { ok: false, reason: "not_found", candidates: listSections(content) };
}

/** All headings of `content` with their paths and section extents. */
export function parseHeadings(content: string): Heading[] {
  const bodyStart = findFrontmatterBlock(content)?.bodyStart ?? 0;
  const fences = findFencedBlocks(content.slice(bodyStart));
  const headings: Heading[] = [];
  const stack: Heading[] = [];
  let fence = 0;
  for (const line of splitLines(content.slice(bodyStart))) {
    while (fence < fences.length && fences[fence].end < line.start) fence++;
    if (fence < fences.length && fences[fence].start <= line.start) continue;
    const heading = headingOf(line);
    if (heading === null) continue;
    const start = bodyStart + line.start;
    while (stack.length > 0 && stack[stack.length - 1].level >= heading.level) stack.pop()!.end = start;
    const path = [...stack.map((h) => h.title), heading.title].join(SECTION_SEPARATOR);
    const h: Heading = { ...heading, path, start, end: content.length };
    stack.push(h);
    headings.push(h);
  }
  return headings;
}

/** Level and title of an ATX heading line (closing `#` run dropped), or null. Linear time, no backtracking. */
function headingOf(line: TextLine): { level: number; title: string } | null {
  const m = line.text.match(ATX_OPENING);
  if (!m) return null;
  const title = dropClosingHashes(line.text.slice(m[0].length).trim()).trim();
  return title === "" ? null : { level: m[1].length, title };
}

/** Drops a closing run of `#` that is the whole text or follows a space/tab (`Notes ##` -> `Notes`, `C#` stays). */
function dropClosingHashes(text: string): string {
  let i = text.length;
  while (i > 0 && text[i - 1] === "#") i--;
  if (i === text.length) return text;
  return i === 0 || text[i - 1] === " " || text[i - 1] === "\t" ? text.slice(0, i) : text;
}

/** True when `path` is `q` or ends with " > " + `q`. */
function pathMatches(path: string, q: string): boolean {
  return path === q || path.endsWith(SECTION_SEPARATOR + q);
}

/** The query as typed (trimmed) and with its " > " components re-spaced; empty forms dropped. */
function queryForms(query: string): string[] {
  const spaced = query.split(">").map((p) => p.trim()).filter((p) => p !== "").join(SECTION_SEPARATOR);
  return [...new Set([query.trim(), spaced])].filter((q) => q !== "");
}

/** Keeps the first heading of each path. */
function uniquePaths(headings: Heading[]): Heading[] {
  const seen = new Set<string>();
  return headings.filter((h) => !seen.has(h.path) && seen.add(h.path));
}

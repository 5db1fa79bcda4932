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
  | { ok: false; reason: "not_found" | "ambiguous"; candidates: string[]; more: number };

/** One heading of a page. */
export interface Heading {
  level: number;
  title: string;
  /** Titles of the enclosing headings and this one, outermost first (at most six: ATX levels). */
  titles: readonly string[];
  /** Same number for the same heading path: equal paths are recognised without building them. */
  pathId: number;
  /** Length of the " > "-joined path, known without building it. */
  pathLength: number;
  /** Offset of the heading line. */
  start: number;
  /** Offset where the section ends: the next heading of the same or a higher level, or the end of the content. */
  end: number;
}

/** Separator of heading path components. */
export const SECTION_SEPARATOR = " > ";

/** At most this many section paths are listed (a hostile page may hold 100,000 headings). */
export const MAX_LISTED_SECTIONS = 100;

/** A listed path longer than this is shown by its tail, after "…". */
export const MAX_LISTED_PATH_CHARS = 300;

/** Up to 3 spaces, `#`x1-6, then the end of the line or a space/tab (the title follows). */
const ATX_OPENING = /^ {0,3}(#{1,6})(?:[ \t]|$)/;

/**
 * Case folding may change a string's length a little (`İ` lowers to two characters): a path this much longer than
 * the query is still compared in full, and tails are cut this much longer than the query.
 */
const FOLD_SLACK = 64;

/** The " > "-joined heading path of `h` (built on demand: a path can be six 1 MB titles long). */
export function headingPath(h: Heading): string {
  return h.titles.join(SECTION_SEPARATOR);
}

/**
 * Heading paths of `content` in document order, each once (a repeated path is listed at its first occurrence), at
 * most `MAX_LISTED_SECTIONS` of them (`more` counts the rest), each shortened to `MAX_LISTED_PATH_CHARS`.
 * Headings with empty titles, in fenced code or in the frontmatter are not sections.
 */
export function listSections(content: string): { paths: string[]; more: number } {
  return listed(uniquePaths(parseHeadings(content)));
}

/**
 * Finds one section. The query is trimmed and its " > " components are re-spaced (`A>B` = `A > B`). Matching,
 * first stage that matches wins: (1) a section whose path equals the query, or ends with " > " + query, case
 * sensitive; (2) the same, case-insensitive (this covers a heading title alone). A title that itself contains ">" is
 * matched as typed too. Several matches are ambiguous
 * unless exactly one of them equals the query. A repeated path resolves to its first section. The text runs from
 * the heading line to the next heading of the same or higher level (trailing blank lines dropped). Work per heading
 * is bounded by the query's length, never by the length of its path.
 */
export function findSection(content: string, query: string): SectionResult {
  const headings = uniquePaths(parseHeadings(content));
  const wanted = queryForms(query);
  const stages = [(s: string) => s, (s: string) => s.toLowerCase()];
  for (const fold of stages) {
    if (wanted.length === 0) break;
    const qs = wanted.map(fold);
    const matches = headings.filter((h) => qs.some((q) => pathMatches(h, q, fold)));
    if (matches.length === 0) continue;
    const exact = matches.filter((h) => qs.some((q) => pathEquals(h, q, fold)));
    const chosen = matches.length === 1 ? matches[0] : exact.length === 1 ? exact[0] : null;
    if (chosen === null) return { ok: false, reason: "ambiguous", ...candidatesOf(listed(matches)) };
    return { ok: true, path: headingPath(chosen), text: content.slice(chosen.start, chosen.end).trimEnd() };
  }
  return { ok: false, reason: "not_found", ...candidatesOf(listed(headings)) };
}

/** All headings of `content` with their path ids and section extents. Linear in the length of `content`. */
export function parseHeadings(content: string): Heading[] {
  const bodyStart = findFrontmatterBlock(content)?.bodyStart ?? 0;
  const fences = findFencedBlocks(content.slice(bodyStart));
  const headings: Heading[] = [];
  const stack: Heading[] = [];
  const pathIds = new Map<string, number>();
  let fence = 0;
  for (const line of splitLines(content.slice(bodyStart))) {
    while (fence < fences.length && fences[fence].end < line.start) fence++;
    if (fence < fences.length && fences[fence].start <= line.start) continue;
    const heading = headingOf(line);
    if (heading === null) continue;
    const start = bodyStart + line.start;
    while (stack.length > 0 && stack[stack.length - 1].level >= heading.level) stack.pop()!.end = start;
    const parent = stack.at(-1);
    // A path is identified by its parent's id and its own title: the key never repeats a long ancestor title.
    const key = `${parent?.pathId ?? -1}\u0000${heading.title}`;
    let pathId = pathIds.get(key);
    if (pathId === undefined) pathIds.set(key, pathId = pathIds.size);
    const h: Heading = {
      ...heading,
      titles: [...(parent?.titles ?? []), heading.title],
      pathId,
      pathLength: parent ? parent.pathLength + SECTION_SEPARATOR.length + heading.title.length : heading.title.length,
      start,
      end: content.length,
    };
    stack.push(h);
    headings.push(h);
  }
  return headings;
}

/** The last `n` characters of the path of `h` (the whole path when shorter), built from its last titles only. */
function pathTail(h: Heading, n: number): string {
  let tail = "";
  for (let i = h.titles.length - 1; i >= 0 && tail.length < n; i--) {
    const part = i === h.titles.length - 1 ? h.titles[i] : h.titles[i] + SECTION_SEPARATOR;
    tail = part.slice(-(n - tail.length)) + tail;
  }
  return tail;
}

/** True when the folded path of `h` is `q` or ends with " > " + `q`. */
function pathMatches(h: Heading, q: string, fold: (s: string) => string): boolean {
  return pathEquals(h, q, fold) || fold(pathTail(h, q.length + SECTION_SEPARATOR.length + FOLD_SLACK))
    .endsWith(SECTION_SEPARATOR + q);
}

/** True when the folded path of `h` is `q` (a path much longer than `q` is never built). */
function pathEquals(h: Heading, q: string, fold: (s: string) => string): boolean {
  return h.pathLength <= q.length + FOLD_SLACK && fold(headingPath(h)) === q;
}

/** At most `MAX_LISTED_SECTIONS` paths, each shortened to its tail; `more` counts the headings not listed. */
function listed(headings: Heading[]): { paths: string[]; more: number } {
  const paths = headings.slice(0, MAX_LISTED_SECTIONS).map((h) =>
    h.pathLength <= MAX_LISTED_PATH_CHARS ? headingPath(h) : "…" + pathTail(h, MAX_LISTED_PATH_CHARS - 1)
  );
  return { paths, more: headings.length - paths.length };
}

/** A listing as the `candidates` and `more` of a failed lookup. */
function candidatesOf(list: { paths: string[]; more: number }): { candidates: string[]; more: number } {
  return { candidates: list.paths, more: list.more };
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

/** The query as typed (trimmed) and with its " > " components re-spaced; empty forms dropped. */
function queryForms(query: string): string[] {
  const spaced = query.split(">").map((p) => p.trim()).filter((p) => p !== "").join(SECTION_SEPARATOR);
  return [...new Set([query.trim(), spaced])].filter((q) => q !== "");
}

/** Keeps the first heading of each path. */
function uniquePaths(headings: Heading[]): Heading[] {
  const seen = new Set<number>();
  return headings.filter((h) => !seen.has(h.pathId) && seen.add(h.pathId));
}

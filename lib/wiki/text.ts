/**
 * @module
 * Plain-text helpers of the wiki core: word counts, search tokens, UTF-8 sizes, search snippets, and the
 * Markdown code detector (fenced blocks and inline code spans) shared by WikiLink and section parsing.
 */

/** A half-open range of UTF-16 offsets `[start, end)`. */
export interface TextRange {
  start: number;
  end: number;
}

/** One line of a text: its content (no line break) and its offsets. `next` is where the following line starts. */
export interface TextLine {
  text: string;
  start: number;
  end: number;
  next: number;
}

/** Default snippet width in characters. */
export const SNIPPET_WIDTH = 150;

const WHITESPACE_RUN = /\s+/;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
/** Token separators: anything that is not a letter, a number or a combining mark (marks keep e.g. Devanagari whole). */
const TOKEN_SEPARATOR = /[^\p{L}\p{N}\p{M}]+/u;
const TOKEN_CHAR_CLASS = "[\\p{L}\\p{N}\\p{M}]";
const FENCE_OPEN = /^[ \t]*(?:>[ \t]*)*(`{3,}|~{3,})(.*)$/;
const FENCE_CLOSE = /^[ \t]*(?:>[ \t]*)*(`{3,}|~{3,})[ \t]*$/;
const BLANK_LINE = /\n[ \t]*\r?\n/g;
/** How far (characters) a snippet edge may move back to avoid cutting a word. */
const WORD_EDGE_SLACK = 20;

/**
 * Counts words: runs of non-whitespace that contain at least one letter or digit (so Markdown markers such as
 * `#`, `-`, `---` or `|` are not words).
 */
export function countWords(text: string): number {
  let n = 0;
  for (const run of text.split(WHITESPACE_RUN)) if (LETTER_OR_DIGIT.test(run)) n++;
  return n;
}

/**
 * Splits text into search tokens: NFC, lowercase, split on every character that is not a letter, number or
 * combining mark; empty tokens dropped; no stemming. `tokenize("Hello, Wörld-2!")` is `["hello", "wörld", "2"]`.
 */
export function tokenize(text: string): string[] {
  return text.normalize("NFC").toLowerCase().split(TOKEN_SEPARATOR).filter((t) => t.length > 0);
}

/** UTF-8 byte length of a string (an unpaired surrogate counts 3 bytes, as TextEncoder writes U+FFFD). */
export function utf8Bytes(s: string): number {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && isLowSurrogate(s.charCodeAt(i + 1))) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * A search snippet: about `width` characters of `body` around the first occurrence of any of `terms` (matched
 * case-insensitively as whole tokens, else as substrings), with whitespace collapsed and `…` where the text was
 * cut. Without a match, the start of the body. Cuts fall between words when a space is near.
 */
export function makeSnippet(body: string, terms: string[], width: number = SNIPPET_WIDTH): string {
  const text = body.normalize("NFC").replace(/\s+/g, " ").trim();
  if (text.length <= width) return text;
  const hit = firstMatch(text, terms);
  const matchStart = hit?.index ?? 0;
  const matchLength = hit?.length ?? 0;
  let start = hit ? Math.max(0, matchStart - Math.floor((width - Math.min(matchLength, width)) / 2)) : 0;
  start = Math.min(start, text.length - width);
  let end = start + width;
  if (start > 0) start = wordStartAtOrAfter(text, start, Math.min(matchStart, start + WORD_EDGE_SLACK));
  if (end < text.length) end = wordEndAtOrBefore(text, end, Math.max(matchStart + matchLength, end - WORD_EDGE_SLACK));
  return (start > 0 ? "…" : "") + text.slice(start, end).trim() + (end < text.length ? "…" : "");
}

/**
 * Ranges of Markdown code in `markdown`: fenced blocks (``` or ~~~, 3+ characters, closed by a fence of the same
 * character at least as long, or running to the end; indentation and `>` quote markers allowed) from the opening
 * line start to the closing line end, and inline code spans (a run of N backticks closed by the next run of exactly
 * N within the same paragraph). Sorted, non-overlapping. Indented (4-space) code blocks are not detected.
 */
export function findCodeRanges(markdown: string): TextRange[] {
  const ranges: TextRange[] = [];
  let proseStart = 0;
  for (const fence of findFencedBlocks(markdown)) {
    findCodeSpans(markdown, proseStart, fence.start, ranges);
    ranges.push(fence);
    proseStart = fence.end;
  }
  findCodeSpans(markdown, proseStart, markdown.length, ranges);
  return ranges;
}

/** Fenced code blocks of `markdown` as ranges covering whole lines (fence lines included, final line break not). */
export function findFencedBlocks(markdown: string): TextRange[] {
  const blocks: TextRange[] = [];
  let open: { char: string; length: number; start: number } | null = null;
  for (const line of splitLines(markdown)) {
    if (open === null) {
      const m = line.text.match(FENCE_OPEN);
      if (m && !(m[1][0] === "`" && m[2].includes("`"))) {
        open = { char: m[1][0], length: m[1].length, start: line.start };
      }
      continue;
    }
    const m = line.text.match(FENCE_CLOSE);
    if (m && m[1][0] === open.char && m[1].length >= open.length) {
      blocks.push({ start: open.start, end: line.end });
      open = null;
    }
  }
  if (open !== null) blocks.push({ start: open.start, end: markdown.length });
  return blocks;
}

/** Splits text into lines (`\n` or `\r\n`), with offsets; a trailing line break does not add an empty line. */
export function splitLines(text: string): TextLine[] {
  const lines: TextLine[] = [];
  let start = 0;
  while (start < text.length) {
    const nl = text.indexOf("\n", start);
    const next = nl < 0 ? text.length : nl + 1;
    let end = nl < 0 ? text.length : nl;
    if (end > start && text.charCodeAt(end - 1) === 13) end--;
    lines.push({ text: text.slice(start, end), start, end, next });
    start = next;
  }
  return lines;
}

/** True when `[start, end)` overlaps one of the sorted `ranges`. */
export function overlapsAny(ranges: TextRange[], start: number, end: number): boolean {
  let lo = 0;
  let hi = ranges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ranges[mid].end <= start) lo = mid + 1;
    else hi = mid;
  }
  return lo < ranges.length && ranges[lo].start < end;
}

/** Escapes a string for use inside a RegExp (valid with and without the `u` flag). */
export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** A regex source that matches `token` as a whole token (not inside a longer run of letters/numbers/marks). */
export function wholeTokenSource(token: string): string {
  return `(?<!${TOKEN_CHAR_CLASS})${escapeRegExp(token)}(?!${TOKEN_CHAR_CLASS})`;
}

/** Regex source of the separator between two tokens of a phrase. */
export const TOKEN_GAP_SOURCE = "[^\\p{L}\\p{N}\\p{M}]+";

/**
 * Appends the inline code spans inside `[from, to)` of `text` to `spans`, paragraph by paragraph (appended one by
 * one: a page may hold hundreds of thousands, too many to spread as arguments).
 */
function findCodeSpans(text: string, from: number, to: number, spans: TextRange[]): void {
  const first = text.indexOf("`", from);
  if (first < 0 || first >= to) return;
  // Blank lines are searched in the range only: searching the whole text from `from` would look past `to` for
  // every range, quadratic in a page of many fences and no blank line.
  const range = text.slice(from, to);
  let paragraphStart = from;
  BLANK_LINE.lastIndex = 0;
  while (paragraphStart < to) {
    const blank = BLANK_LINE.exec(range);
    const paragraphEnd = blank ? from + blank.index : to;
    findCodeSpansInParagraph(text, paragraphStart, paragraphEnd, spans);
    if (!blank) break;
    paragraphStart = from + BLANK_LINE.lastIndex;
  }
}

/**
 * Appends the code spans of one paragraph to `spans`: a backtick run opens a span that the next run of the same length closes (an escaped
 * first backtick shortens the opener by one). Linear: the runs are listed once, and per length a pointer only moves
 * forward, so unmatched runs of many lengths are never rescanned.
 */
function findCodeSpansInParagraph(text: string, from: number, to: number, spans: TextRange[]): void {
  const first = text.indexOf("`", from);
  if (first < 0 || first >= to) return;
  const starts: number[] = [];
  const lengths: number[] = [];
  for (let i = first; i >= 0 && i < to; i = text.indexOf("`", i)) {
    const end = runEnd(text, i, to);
    starts.push(i);
    lengths.push(end - i);
    i = end;
  }
  if (starts.length < 2) return;
  /** Per run length: the indexes of the runs of that length, and how far the search for a closer has moved. */
  const byLength = new Map<number, { runs: number[]; next: number }>();
  for (let r = 0; r < starts.length; r++) {
    const list = byLength.get(lengths[r]);
    if (list) list.runs.push(r);
    else byLength.set(lengths[r], { runs: [r], next: 0 });
  }
  for (let r = 0; r < starts.length; r++) {
    const escaped = isEscaped(text, starts[r], from) ? 1 : 0;
    const closers = byLength.get(lengths[r] - escaped);
    if (closers === undefined) continue;
    while (closers.next < closers.runs.length && closers.runs[closers.next] <= r) closers.next++;
    if (closers.next === closers.runs.length) continue;
    const close = closers.runs[closers.next];
    spans.push({ start: starts[r] + escaped, end: starts[close] + lengths[close] });
    r = close;
  }
}

/** End of the backtick run starting at `start`. */
function runEnd(text: string, start: number, to: number): number {
  let j = start;
  while (j < to && text.charCodeAt(j) === 96) j++;
  return j;
}

/** True when the character at `at` is preceded by an odd number of backslashes (within `[from, at)`). */
function isEscaped(text: string, at: number, from: number): boolean {
  let n = 0;
  for (let j = at - 1; j >= from && text.charCodeAt(j) === 92; j--) n++;
  return n % 2 === 1;
}

/** First whole-token match of any term, else first substring match, case-insensitive. */
function firstMatch(text: string, terms: string[]): { index: number; length: number } | null {
  const usable = [...new Set(terms.map((t) => t.normalize("NFC")).filter((t) => t.length > 0))]
    .sort((a, b) => b.length - a.length);
  if (usable.length === 0) return null;
  const whole = new RegExp(usable.map(wholeTokenSource).join("|"), "iu").exec(text);
  const m = whole ?? new RegExp(usable.map(escapeRegExp).join("|"), "iu").exec(text);
  return m ? { index: m.index, length: m[0].length } : null;
}

/** Moves a snippet start forward to the next word start, unless that would pass `limit`. */
function wordStartAtOrAfter(text: string, start: number, limit: number): number {
  if (text[start - 1] === " ") return start;
  const space = text.indexOf(" ", start);
  return space >= 0 && space + 1 <= limit ? space + 1 : start;
}

/** Moves a snippet end back to the previous word end, unless that would pass `limit`. */
function wordEndAtOrBefore(text: string, end: number, limit: number): number {
  if (text[end] === " ") return end;
  const space = text.lastIndexOf(" ", end);
  return space >= 0 && space >= limit ? space : end;
}

/** True for a UTF-16 low surrogate code unit. */
function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

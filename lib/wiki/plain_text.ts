/**
 * @module
 * Markdown as plain text, for search snippets: what a reader would see, without the syntax. A leading YAML
 * frontmatter block is dropped; headings, quotes, list and task markers, emphasis, strikethrough, inline-code
 * backticks, fence lines, table pipes and rules, HTML tags and comments, footnote markers and link reference
 * definitions are removed; links and images keep their text (`[text](url)` -> `text`, `![alt](src)` -> `alt`,
 * `[[Target|text]]` -> `text`, `[[Target]]` -> `Target`). Code keeps its content. The result is one line
 * (whitespace collapsed).
 *
 * `plainSnippet` makes a snippet of a page body in time that does not grow with the page: it converts only a
 * window of lines around the first match, so 20 hits on 1 MB pages stay cheap.
 */
import { findFrontmatterBlock } from "./frontmatter.ts";
import { escapeRegExp, makeSnippet, SNIPPET_WIDTH } from "./text.ts";

/** Characters of Markdown converted on each side of the first match (several snippet widths: syntax is dropped). */
const WINDOW_CHARS = 4 * SNIPPET_WIDTH;

const LINE_RULES: [RegExp, string][] = [
  [/^[ \t]*(?:`{3,}|~{3,}).*$/gm, ""], // fence lines (the code between them stays)
  [/^[ \t]*\[[^\]\n]+\]:[ \t]*\S+.*$/gm, ""], // link reference definitions
  [/^[ \t]*(?:[-*_][ \t]*){3,}$/gm, ""], // thematic breaks
  [/^[ \t]*\|?(?:[ \t]*:?-{3,}:?[ \t]*\|)+(?:[ \t]*:?-{3,}:?[ \t]*)?$/gm, ""], // table delimiter rows
  [/^[ \t]*(?:>[ \t]?)+/gm, ""], // block quote markers
  [/^[ \t]{0,3}#{1,6}[ \t]+/gm, ""], // ATX heading markers
  [/[ \t]+#+[ \t]*$/gm, ""], // closing ATX hashes
  [/^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?/gm, ""], // list and task markers
];

const INLINE_RULES: [RegExp, string][] = [
  [/<!--[\s\S]*?-->/g, " "], // HTML comments
  [/!\[([^\]\n]*)\]\([^)\n]*\)/g, "$1"], // images: alt text
  [/\[\[([^\]|\n]+)\|([^\]\n]+)\]\]/g, "$2"], // [[Target|text]]
  [/\[\[([^\]\n]+)\]\]/g, "$1"], // [[Target]]
  [/\[\^[^\]\n]+\]/g, ""], // footnote references
  [/\[([^\]\n]*)\]\([^)\n]*\)/g, "$1"], // inline links
  [/\[([^\]\n]+)\]\[[^\]\n]*\]/g, "$1"], // reference links
  [/<((?:https?|mailto):[^>\s]+)>/g, "$1"], // autolinks
  [/<\/?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?\/?>/g, " "], // HTML tags
  [/(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g, "$2"], // inline code: keep the code
  [/(\*\*|__)(?=\S)([\s\S]*?\S)\1/g, "$2"], // strong
  [/(?<![\p{L}\p{N}*])\*(?=\S)([^*\n]*?\S)\*(?![\p{L}\p{N}*])/gu, "$1"], // *em*
  [/(?<![\p{L}\p{N}_])_(?=\S)([^_\n]*?\S)_(?![\p{L}\p{N}_])/gu, "$1"], // _em_ (not snake_case)
  [/~~(?=\S)([\s\S]*?\S)~~/g, "$1"], // strikethrough
  [/[ \t]*\|[ \t]*/g, " "], // table cell pipes
];

const ESCAPED = /\\([\\`*_{}\[\]()#+\-.!|<>~])/g;
/** Escaped ASCII punctuation is parked at U+E000 + its code while the rules run. */
const PARKED = 0xe000;
const PARKED_CHARS = /[\ue000-\ue07f]/g;

/**
 * `markdown` as one line of plain text (see the module doc for what is removed). Some rules are super-linear on hostile
 * input: callers pass bounded text (plainSnippet converts a window of at most a few snippet widths).
 */
export function markdownToPlainText(markdown: string): string {
  const fm = findFrontmatterBlock(markdown);
  let text = fm ? markdown.slice(fm.bodyStart) : markdown;
  // Backslash-escaped punctuation is literal text: park it as private-use characters until the rules have run.
  text = text.replace(ESCAPED, (_, c: string) => String.fromCharCode(PARKED + c.charCodeAt(0)));
  for (const [re, to] of LINE_RULES) text = text.replace(re, to);
  for (const [re, to] of INLINE_RULES) text = text.replace(re, to);
  text = text.replace(PARKED_CHARS, (c) => String.fromCharCode(c.charCodeAt(0) - PARKED));
  return text.replace(/\s+/g, " ").trim();
}

/**
 * A search snippet of a Markdown page body, as plain text: about `width` characters around the first match of
 * `terms` (see makeSnippet), with the Markdown syntax removed. Only whole lines within WINDOW_CHARS of the first
 * raw match are converted.
 */
export function plainSnippet(body: string, terms: string[], width: number = SNIPPET_WIDTH): string {
  let from = 0;
  let to = body.length;
  if (body.length > 2 * WINDOW_CHARS) {
    const at = rawMatch(body, terms);
    from = Math.max(0, at - WINDOW_CHARS);
    to = Math.min(body.length, at + WINDOW_CHARS);
    if (from > 0) from = body.indexOf("\n", from) + 1 || from;
    const nl = body.lastIndexOf("\n", to);
    if (to < body.length && nl > from) to = nl;
  }
  const plain = markdownToPlainText(from === 0 && to === body.length ? body : body.slice(from, to));
  let snippet = makeSnippet(plain, terms, width);
  if (snippet === "") return snippet;
  if (from > 0 && !snippet.startsWith("…")) snippet = `…${snippet}`;
  if (to < body.length && !snippet.endsWith("…")) snippet = `${snippet}…`;
  return snippet;
}

/** Offset of the first case-insensitive occurrence of any term in `text` (0 when none). */
function rawMatch(text: string, terms: string[]): number {
  const usable = terms.map((t) => t.normalize("NFC")).filter((t) => t.length > 0);
  if (usable.length === 0) return 0;
  return new RegExp(usable.map(escapeRegExp).join("|"), "iu").exec(text)?.index ?? 0;
}

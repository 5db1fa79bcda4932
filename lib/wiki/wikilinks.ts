/**
 * @module
 * WikiLinks: `[[Target]]`, `[[Target|display text]]`, `[[Target#Section]]`, `[[Target#Section|text]]`.
 * The target is LEFT of the pipe (MediaWiki order, as the Agent Guide teaches). A leading `/` on the target is
 * dropped and the target is canonicalized with canonicalPath; a link whose target is not a valid path is not a
 * link. Links inside fenced code blocks and inline code spans are ignored, and never rewritten.
 */
import { canonicalPath } from "./paths.ts";
import { findCodeRanges, overlapsAny } from "./text.ts";

/** One WikiLink found in Markdown. Offsets are UTF-16 indices into the scanned text, `end` exclusive. */
export interface WikiLink {
  /** Canonical target page path. */
  target: string;
  /** Text after `#` (trimmed), or null. */
  anchor: string | null;
  /** Display text after `|` (trimmed), or null when absent or empty. */
  text: string | null;
  start: number;
  end: number;
  /** The link exactly as written, brackets included. */
  raw: string;
}

/** `[[`, then one or more characters other than brackets and line breaks, then `]]`. */
const LINK = /\[\[([^[\]\n\r]+)\]\]/g;
const LEADING_SLASHES = /^\s*\/+/;

/** The parts of a link's inner text, as written. */
interface LinkParts {
  /** Characters before the target proper (whitespace and leading slashes). */
  prefix: string;
  /** The target as written, without prefix, anchor and text. */
  target: string;
  /** Everything after the target: `#anchor`, `|text`, verbatim. */
  suffix: string;
  anchor: string | null;
  text: string | null;
}

/**
 * Every WikiLink outside code in `markdown`, in document order. Targets are canonical; links with an invalid
 * target (empty, `..`, a forbidden character, ...) are skipped.
 */
export function findWikiLinks(markdown: string): WikiLink[] {
  const code = findCodeRanges(markdown);
  const links: WikiLink[] = [];
  for (const m of markdown.matchAll(LINK)) {
    const start = m.index;
    const end = start + m[0].length;
    if (overlapsAny(code, start, end)) continue;
    const parts = splitLink(m[1]);
    const target = tryCanonical(parts.target);
    if (target === null) continue;
    links.push({ target, anchor: parts.anchor, text: parts.text, start, end, raw: m[0] });
  }
  return links;
}

/** Canonical targets of the WikiLinks in `markdown`, unique, sorted by UTF-16 code units. */
export function linkTargets(markdown: string): string[] {
  return [...new Set(findWikiLinks(markdown).map((l) => l.target))].sort();
}

/**
 * Points every WikiLink whose canonical target is `from` at `to`, keeping what follows the target verbatim
 * (`#anchor`, `|display text`) and any leading `/`: `[[Old]]` -> `[[New]]`, `[[Old|t]]` -> `[[New|t]]`,
 * `[[Old#Sec|t]]` -> `[[New#Sec|t]]`. Links to other pages (subpages of `from` included) and links in code are
 * left alone. `from` and `to` are canonicalized (InvalidInputError when invalid). Returns the new content and the
 * number of links rewritten.
 */
export function rewriteWikiLinks(markdown: string, from: string, to: string): { content: string; count: number } {
  const source = canonicalPath(from);
  const target = canonicalPath(to);
  let content = "";
  let copied = 0;
  let count = 0;
  for (const link of findWikiLinks(markdown)) {
    if (link.target !== source) continue;
    const parts = splitLink(link.raw.slice(2, -2));
    content += markdown.slice(copied, link.start) + `[[${parts.prefix.trimStart()}${target}${parts.suffix}]]`;
    copied = link.end;
    count++;
  }
  return { content: count === 0 ? markdown : content + markdown.slice(copied), count };
}

/** Splits a link's inner text: target left of the first `|`, anchor after the first `#` in that part. */
function splitLink(inner: string): LinkParts {
  const pipe = inner.indexOf("|");
  const left = pipe < 0 ? inner : inner.slice(0, pipe);
  const hash = left.indexOf("#");
  const targetWithPrefix = hash < 0 ? left : left.slice(0, hash);
  const prefix = targetWithPrefix.match(LEADING_SLASHES)?.[0] ?? "";
  return {
    prefix,
    target: targetWithPrefix.slice(prefix.length),
    suffix: inner.slice(targetWithPrefix.length),
    anchor: hash < 0 ? null : emptyToNull(left.slice(hash + 1).trim()),
    text: pipe < 0 ? null : emptyToNull(inner.slice(pipe + 1).trim()),
  };
}

/** canonicalPath, or null when the target is invalid. */
function tryCanonical(target: string): string | null {
  try {
    return canonicalPath(target);
  } catch {
    return null;
  }
}

/** Null for the empty string. */
function emptyToNull(s: string): string | null {
  return s === "" ? null : s;
}

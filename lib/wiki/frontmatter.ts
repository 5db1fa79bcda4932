/**
 * @module
 * YAML frontmatter and the metadata derived from a page's content (title, category, tags, word count, links).
 * A frontmatter block is a first line `---`, YAML, and a closing line `---`. Bad YAML never blocks a write: the
 * page keeps its content, gets empty frontmatter, and the parse error is reported.
 */
import { parseDocument, type YAMLError } from "yaml";
import { pageName } from "./paths.ts";
import { countWords, splitLines } from "./text.ts";
import { linkTargets } from "./wikilinks.ts";

/** Result of parsing a page's frontmatter. */
export interface ParsedFrontmatter {
  /** The YAML mapping, as plain structured-clone and JSON safe values; `{}` when absent or unusable. */
  data: Record<string, unknown>;
  /** The content after the frontmatter block (the whole content when there is none). */
  body: string;
  /** Why the block could not be used, or null. */
  error: string | null;
}

/** Metadata derived from a page's content. */
export interface ContentAnalysis {
  title: string;
  category: string | null;
  tags: string[];
  frontmatter: Record<string, unknown>;
  words: number;
  links: string[];
}

/** Where a frontmatter block sits in a content string. */
export interface FrontmatterBlock {
  /** The YAML text between the delimiter lines. */
  yaml: string;
  /** Offset where the body starts (after the closing line and its line break). */
  bodyStart: number;
  /** 1-based page line number of the first YAML line. */
  firstYamlLine: number;
}

const DELIMITER = /^---[ \t]*$/;
/** Alias expansions allowed while converting YAML (guards against "billion laughs"). */
const MAX_ALIAS_COUNT = 100;
/** Nesting depth kept when converting YAML values; deeper values become null. */
const MAX_DEPTH = 64;

/** Longest frontmatter block parsed (characters of YAML between the `---` lines). */
export const MAX_FRONTMATTER_CHARS = 64 * 1024;

/**
 * Parses the frontmatter of `content`. No block: `{ data: {}, body: content, error: null }`. A block that is not
 * valid YAML, or whose YAML is not a mapping: `data` is `{}`, `body` the content after the block, `error` says
 * what is wrong and where. An empty block is valid (`data` `{}`).
 */
export function parseFrontmatter(content: string): ParsedFrontmatter {
  const block = findFrontmatterBlock(content);
  if (block === null) return { data: {}, body: content, error: null };
  const body = content.slice(block.bodyStart);
  // The YAML parser is super-linear on some shapes (its duplicate-key check compares every key with every earlier
  // one): a bound keeps one page from costing seconds on every write and view.
  if (block.yaml.length > MAX_FRONTMATTER_CHARS) {
    return {
      data: {},
      body,
      error: `Frontmatter is too large: ${block.yaml.length} characters; at most ${MAX_FRONTMATTER_CHARS}. Keep ` +
        `metadata short and put long text in the page body.`,
    };
  }
  const doc = parseDocument(block.yaml);
  if (doc.errors.length > 0) {
    return { data: {}, body, error: yamlErrorMessage(doc.errors[0], block.firstYamlLine) };
  }
  let value: unknown;
  try {
    value = doc.toJS({ mapAsMap: true, maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    return { data: {}, body, error: `Frontmatter is not valid YAML: ${(e as Error).message}.` };
  }
  if (value === null || value === undefined) return { data: {}, body, error: null };
  if (!(value instanceof Map)) {
    return {
      data: {},
      body,
      error: `Frontmatter must be a YAML mapping of "key: value" lines, not ${describeYamlValue(value)}.`,
    };
  }
  return { data: mapToObject(value, 0), body, error: null };
}

/**
 * Locates the frontmatter block: the first line is `---` (a leading byte-order mark is allowed) and a later line
 * is `---` (trailing spaces allowed on both). Null when there is no complete block.
 */
export function findFrontmatterBlock(content: string): FrontmatterBlock | null {
  const text = content.startsWith("\ufeff") ? content.slice(1) : content;
  const offset = content.length - text.length;
  const lines = splitLines(text);
  if (lines.length === 0 || !DELIMITER.test(lines[0].text)) return null;
  for (let i = 1; i < lines.length; i++) {
    if (DELIMITER.test(lines[i].text)) {
      return {
        yaml: text.slice(lines[0].next, lines[i].start),
        bodyStart: offset + lines[i].next,
        firstYamlLine: 2,
      };
    }
  }
  return null;
}

/**
 * Derives a page's metadata. `title`: frontmatter `title` (a string or number, trimmed, non-empty), else the last
 * path segment. `category`: frontmatter `category` likewise, else null. `tags`: frontmatter `tags` as a list or a
 * comma-separated string, each trimmed, empties dropped, duplicates dropped (first kept). `words`: counted in the
 * body only. `links`: sorted unique WikiLink targets of the whole content.
 */
export function analyzeContent(path: string, content: string): ContentAnalysis {
  const { data, body } = parseFrontmatter(content);
  return {
    title: scalarText(data.title) ?? pageName(path),
    category: scalarText(data.category),
    tags: tagList(data.tags),
    frontmatter: data,
    words: countWords(body),
    links: linkTargets(content),
  };
}

/** Tags from a list or a comma-separated string: trimmed, non-empty, unique, in order. */
export function tagList(value: unknown): string[] {
  const raw = Array.isArray(value) ? value.map(scalarText) : typeof value === "string" ? value.split(",") : [];
  const tags = raw.filter((t): t is string => t !== null).map((t) => t.trim()).filter((t) => t !== "");
  return [...new Set(tags)];
}

/** A string or finite number as trimmed text; null when empty or of another type. */
function scalarText(value: unknown): string | null {
  const text = typeof value === "string"
    ? value.trim()
    : typeof value === "number" && isFinite(value)
    ? String(value)
    : "";
  return text === "" ? null : text;
}

/** The error message for a YAML syntax error, with the page line number. */
function yamlErrorMessage(error: YAMLError, firstYamlLine: number): string {
  const reason = error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "").replace(/:$/, "");
  const pos = error.linePos?.[0];
  const where = pos ? ` (line ${pos.line + firstYamlLine - 1}, column ${pos.col})` : "";
  return `Frontmatter is not valid YAML${where}: ${reason}. Fix the block between the "---" lines.`;
}

/** "a list", "a string", ... for messages. */
function describeYamlValue(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (value instanceof Date) return "a date";
  return `a ${typeof value === "object" ? "value" : typeof value}`;
}

/** Converts a YAML map into a plain object with string keys (`__proto__` dropped). */
function mapToObject(map: Map<unknown, unknown>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of map) {
    const key = typeof k === "string"
      ? k
      : k instanceof Map || Array.isArray(k)
      ? JSON.stringify(toPlain(k, 0))
      : String(k);
    if (key === "__proto__") continue;
    out[key] = toPlain(v, depth + 1);
  }
  return out;
}

/** Converts a YAML value into plain, structured-clone and JSON safe data. */
function toPlain(value: unknown, depth: number): unknown {
  if (depth > MAX_DEPTH || value === undefined || value === null) return null;
  if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (typeof value !== "object") return typeof value === "function" || typeof value === "symbol" ? null : value;
  if (value instanceof Date) return isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof Uint8Array) return base64(value);
  if (value instanceof Map) return mapToObject(value, depth);
  if (value instanceof Set) return [...value].map((v) => toPlain(v, depth + 1));
  if (Array.isArray(value)) return value.map((v) => toPlain(v, depth + 1));
  return mapToObject(new Map(Object.entries(value)), depth);
}

/** Standard base64 of bytes (YAML `!!binary` values become strings). */
function base64(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

/**
 * @module
 * Structured output of the data tools (MCP 2025-06-18 and later): each declares an `outputSchema` (zod here, JSON
 * Schema on the wire) and returns `structuredContent` beside its text, which stays exactly what older clients and
 * Claude.ai read. The data describes the same part as the text (a paged listing: the items shown, and the
 * `next_cursor` the text names). Failed results (`isError`) carry no structured content, which the SDK allows.
 *
 * The result budget holds for the structured content too: `fitData` shortens a value whose JSON is over it (its
 * longest list or text, again and again) and sets `truncated`. So every schema here is an object whose
 * top-level fields are strings, numbers, booleans, lists without a minimum or records (never a fixed-shape object),
 * which keeps a shortened value valid.
 */
import { z } from "zod";
import type { ToolText } from "./errors.ts";
import { capText } from "./budget.ts";

const truncated = z.boolean().optional().describe(
  "true when lists or texts here were shortened to fit the result budget (the text result says how to get the rest).",
);
const nextCursor = z.string().optional().describe(
  "Pass as `cursor` (with the same arguments) for the next part; absent at the end.",
);
const time = z.string().describe("ISO 8601 UTC, to the second.");
const sectionField = z.string().optional().describe(
  "Heading path of the page's section closest in meaning, when a section matched better than the whole page: " +
    "read_note with this `section` reads it.",
);

const change = z.object({
  revision: z.string().describe("Full revision id."),
  time,
  author: z.string(),
  client: z.string().describe('The client that made the change, e.g. "mcp:Claude" or "web".'),
  message: z.string(),
});

/** The output schema of each data tool, by tool name. */
export const OUTPUT = {
  read_note: z.object({
    path: z.string(),
    title: z.string(),
    revision: z.string().describe("Full id of the revision read: pass it to write_note / edit_note."),
    historical: z.boolean().describe("true when an older revision was asked for."),
    deleted: z.boolean(),
    frontmatter: z.record(z.string(), z.unknown()),
    links_to: z.array(z.string()).optional(),
    linked_from: z.array(z.string()).optional(),
    section: z.string().optional().describe("The heading path of the section read."),
    content: z.string().optional().describe("The markdown shown: the page, the section, or the part asked for."),
    offset: z.number().optional().describe("Where `content` starts in the page (or section)."),
    total_characters: z.number().optional().describe("Length of the whole page (or section)."),
    next_offset: z.number().optional().describe("Pass as `offset` for the rest; absent at the end."),
    outline: z.array(z.object({ title: z.string(), level: z.number(), offset: z.number(), size: z.number() }))
      .optional().describe("With outline=true: the headings, each with its offset and size in characters."),
    truncated,
  }),
  list_notes: z.object({
    total: z.number().describe("Pages matching the filters."),
    notes: z.array(z.object({
      path: z.string(),
      title: z.string(),
      category: z.string().nullable(),
      tags: z.array(z.string()),
      updated: time,
      words: z.number(),
      revision: z.string(),
    })),
    next_cursor: nextCursor,
    truncated,
  }),
  search_notes: z.object({
    query: z.string(),
    total: z.number(),
    results: z.array(z.object({
      path: z.string(),
      title: z.string(),
      score: z.number(),
      snippet: z.string(),
      match: z.enum(["terms", "meaning", "both"]).optional().describe(
        "Why it matched: the query's terms, a similar meaning, or both.",
      ),
      section: sectionField,
    })),
    next_cursor: nextCursor,
    truncated,
  }),
  semantic_search: z.object({
    query: z.string(),
    results: z.array(z.object({
      path: z.string(),
      title: z.string(),
      score: z.number().describe("Similarity in meaning, 0..1."),
      snippet: z.string(),
      section: sectionField,
    })),
    truncated,
  }),
  find_related: z.object({
    path: z.string(),
    results: z.array(z.object({
      path: z.string(),
      title: z.string(),
      score: z.number().describe("Cosine similarity of the two pages' meaning vectors."),
    })),
    truncated,
  }),
  get_links: z.object({
    path: z.string(),
    links_to: z.array(z.string()),
    linked_from: z.array(z.string()),
    next_cursor: nextCursor,
    truncated,
  }),
  get_history: z.object({
    path: z.string(),
    revisions: z.array(change.extend({ path: z.string(), deleted: z.boolean() })),
    next_cursor: nextCursor,
    truncated,
  }),
  get_recent_changes: z.object({
    changes: z.array(change.extend({ action: z.string(), paths: z.array(z.string()) })),
    next_cursor: nextCursor,
    truncated,
  }),
  find_orphaned_notes: z.object({ orphans: z.array(z.string()), next_cursor: nextCursor, truncated }),
  list_attachments: z.object({
    path: z.string(),
    attachments: z.array(z.object({
      filename: z.string(),
      size: z.number(),
      mime: z.string(),
      updated: time,
      sha256: z.string(),
    })),
    next_cursor: nextCursor,
    truncated,
  }),
  get_diff: z.object({
    path: z.string(),
    from: z.string().describe("Full id of the older revision."),
    to: z.string().describe("Full id of the newer revision."),
    added: z.number(),
    removed: z.number(),
    diff: z.string().describe("The unified diff text shown (all of it, or the part from `offset`)."),
    offset: z.number(),
    total_characters: z.number(),
    next_offset: z.number().optional().describe("Pass as `offset` for the rest; absent at the end."),
    truncated,
  }),
  download_attachment: z.object({
    filename: z.string(),
    mime: z.string(),
    size: z.number().describe("Bytes in the whole file."),
    sha256: z.string().describe("Of the whole file."),
    offset: z.number().describe("First byte of `content_base64`."),
    length: z.number().describe("Bytes in `content_base64`."),
    content_base64: z.string(),
    next_offset: z.number().optional().describe("Pass as `offset` for the rest; absent at the end."),
    truncated,
  }),
  search: z.object({
    results: z.array(z.object({ id: z.string(), title: z.string(), url: z.string() })),
    truncated,
  }),
  fetch: z.object({
    id: z.string(),
    title: z.string(),
    text: z.string(),
    url: z.string(),
    metadata: z.record(z.string(), z.unknown()),
    truncated,
  }),
} as const;

/** `result` with `data` as its structured content (a failed result is returned as it is). */
export function withData(result: ToolText, data: Record<string, unknown>): ToolText {
  return result.isError ? result : { ...result, structuredContent: data };
}

/**
 * How many of the first `shown` items of a paged listing its structured content holds: the most (at least one when
 * there is any) whose `build(k)` has JSON within `budget`. The listing's data then names the cursor after its own
 * last item, so that paging by the data never skips what the text showed.
 */
export function fitItems(shown: number, budget: number, build: (k: number) => Record<string, unknown>): number {
  if (shown <= 1 || JSON.stringify(build(shown)).length <= budget) return shown;
  let lo = 1;
  let hi = shown - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (JSON.stringify(build(mid)).length <= budget) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The first of `items` whose JSON list takes at most `max` characters. */
export function capItems(items: readonly string[], max: number): string[] {
  if (jsonLengthBound(items, max) <= max) return [...items];
  const out: string[] = [];
  let used = 2;
  for (const item of items) {
    const n = JSON.stringify(item).length + 1;
    if (used + n > max) break;
    used += n;
    out.push(item);
  }
  return out;
}

/** Fields `fitData` never shortens: values an agent passes back, which a cut would make wrong. */
const KEPT: ReadonlySet<string> = new Set(["next_cursor", "revision", "path", "id", "url", "content_base64"]);

/** Most shortening steps `fitData` takes (each halves one field). */
const MAX_STEPS = 64;

/**
 * `data` with its JSON within `budget` characters: unchanged when it fits, else with its longest top-level list
 * halved (or record emptied; texts are cut in half only when no list is left) until it fits, and `truncated: true`. Identifiers an agent passes
 * back (`KEPT`) are never cut.
 */
export function fitData(data: Record<string, unknown>, budget: number): Record<string, unknown> {
  // Most results are far below the budget: a bound that builds no JSON says so (the SDK serializes them anyway).
  if (jsonLengthBound(data, budget) <= budget) return data;
  let size = JSON.stringify(data).length;
  if (size <= budget) return data;
  const out: Record<string, unknown> = { ...data, truncated: true };
  for (let step = 0; step < MAX_STEPS && size > budget; step++) {
    const key = longestField(out, false) ?? longestField(out, true);
    if (key === null) break;
    const v = out[key];
    if (typeof v === "string") out[key] = capText(v, Math.max(1, Math.floor(v.length / 2)));
    else if (Array.isArray(v)) out[key] = v.slice(0, Math.floor(v.length / 2));
    else out[key] = {};
    size = JSON.stringify(out).length;
  }
  return out;
}

/**
 * The key of the longest field (in JSON) of `data` that can still be shortened: a non-empty list or record, or with
 * `texts` a string of 2 or more characters (lists go first, so that a page's content is cut last); null if none.
 */
function longestField(data: Record<string, unknown>, texts: boolean): string | null {
  let key: string | null = null;
  let longest = 0;
  for (const [k, v] of Object.entries(data)) {
    if (KEPT.has(k) || v === null) continue;
    const can = texts
      ? typeof v === "string" && v.length > 1
      : typeof v === "object" && (Array.isArray(v) ? v.length > 0 : Object.keys(v).length > 0);
    if (!can) continue;
    const n = JSON.stringify(v).length;
    if (n > longest) {
      key = k;
      longest = n;
    }
  }
  return key;
}

/** Longest JSON of a number (`-1.2345678901234567e-308`). */
const NUMBER_CHARS = 24;

/**
 * An upper bound of `JSON.stringify(value).length` that builds no JSON: a string's character takes at most 6 in
 * JSON (`\u001f`), a number at most {@link NUMBER_CHARS}, a date its ISO string. Counting stops once past `limit`
 * (the result is then some number over it); a value it cannot bound (another object with `toJSON`) gives Infinity.
 */
export function jsonLengthBound(value: unknown, limit: number): number {
  switch (typeof value) {
    case "string":
      return 2 + 6 * value.length;
    case "number":
      return NUMBER_CHARS;
    case "boolean":
    case "undefined":
      return 5;
    case "object": {
      if (value === null) return 4;
      if (value instanceof Date) return 26;
      if (typeof (value as { toJSON?: unknown }).toJSON === "function") return Infinity;
      let n = 2;
      if (Array.isArray(value)) {
        for (const item of value) {
          n += 1 + jsonLengthBound(item, limit - n);
          if (n > limit) return n;
        }
        return n;
      }
      for (const key in value) {
        if (!Object.hasOwn(value, key)) continue;
        n += 2 + 6 * key.length + 2 + jsonLengthBound((value as Record<string, unknown>)[key], limit - n);
        if (n > limit) return n;
      }
      return n;
    }
    default:
      return Infinity;
  }
}

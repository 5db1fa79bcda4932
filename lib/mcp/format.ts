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

function titleCase(key: string): string {
  return key.replaceAll("_", " ").replace(/\b\w/g, (c) => c.toUpperCase());
}

/** read_note output: header lines, the frontmatter line, links, `---`, then the raw content (or the section). */
export function formatNote(
  page: { title: string; path: string; revision: string; frontmatter: Record<string, unknown>; content: string },
  links: { linksTo: string[]; linkedFrom: string[] } | null,
  extra: { section?: string; atRevision?: boolean; deleted?: boolean; body?: string } = {},
): string {
  const lines = [`# ${page.title}`, `Path: ${page.path}`, `Revision: ${page.revision}`];
  if (extra.atRevision) lines.push(`(Historical state${extra.deleted ? ", deleted" : ""}; not the current revision.)`);
  if (extra.section !== undefined) lines.push(`Section: ${extra.section}`);
  const fm = frontmatterLine(page.frontmatter);
  if (fm) lines.push(fm);
  if (links) {
    lines.push(`Links to: ${links.linksTo.join(", ") || "(none)"}`);
    lines.push(`Linked from: ${links.linkedFrom.join(", ") || "(none)"}`);
  }
  lines.push("", "---", extra.body ?? page.content);
  return lines.join("\n");
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
  const crit: string[] = [];
  if (filter.prefix) crit.push(`prefix=${filter.prefix}`);
  if (filter.category) crit.push(`category=${filter.category}`);
  if (filter.tag) crit.push(`tag=${filter.tag}`);
  if (filter.updatedSince) crit.push(`updated since ${filter.updatedSince}`);
  const head = `Found ${pages.length} notes${crit.length ? " matching " + crit.join(", ") : ""}:`;
  const lines = pages.map((p) => {
    const meta: string[] = [];
    if (p.category) meta.push(`category: ${p.category}`);
    if (p.tags.length) meta.push(`tags: ${p.tags.join(", ")}`);
    const details = meta.length
      ? `${meta.join(", ")}, last updated: ${isoSeconds(p.updatedAt).slice(0, 10)}, ${p.words} words`
      : `no metadata, ${p.words} words`;
    return `- ${p.path} (${details})`;
  });
  return [head, ...lines].join("\n");
}

/** search_notes output. */
export function formatSearch(query: string, total: number, hits: SearchHit[]): string {
  const lines = [`${total} results for "${query}":`];
  hits.forEach((h, i) => {
    lines.push(`${i + 1}. ${h.path} (score: ${h.score.toFixed(2)})`);
    if (h.snippet) lines.push(`   ${h.snippet.replaceAll("\n", " ")}`);
  });
  return lines.join("\n");
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
  const lines = [`History for ${path} (${entries.length} revisions):`];
  for (const e of entries) {
    const r = e.revision;
    const where = e.path !== path ? ` | as ${e.path}` : "";
    lines.push(`- ${short(r.id)} | ${isoSeconds(r.time)} | ${r.authorName} (${r.client})${where}`);
    lines.push(`  ${r.message}`);
  }
  return lines.join("\n");
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
  const lines = [`${changes.length} recent changes:`];
  for (const r of changes) {
    lines.push(`- ${isoSeconds(r.time)} | ${r.authorName} (${r.client}) | ${r.paths.join(", ")} | ${short(r.id)}`);
    lines.push(`  ${r.message}`);
  }
  return lines.join("\n");
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

/**
 * @module
 * The plan of an import (what a dry run shows, and what the import checks before writing anything): the archive's
 * format, each page and attachment with its action (create, unchanged, or conflict with what the wiki holds), what is
 * skipped and what is refused (with why), and the quota check. An import writes only when its plan has nothing
 * refused, fits the quota, and has no conflicts (or the person chose to skip them).
 */
import type { Limits } from "../config.ts";
import type { PageStore } from "../wiki/store.ts";
import type { WikiRecord } from "../wiki/types.ts";
import { NotFoundError } from "../errors.ts";
import { sha256Hex } from "../ids.ts";
import { formatLimit } from "../wiki/commit.ts";
import { utf8Bytes } from "../wiki/text.ts";
import { type Archive, readFile, readTextFile } from "./archive.ts";
import { EXPORT_FORMAT, META } from "./export_format.ts";
import { type EntryNote, layoutVault, Placements, type VaultLayout, walkNotes } from "./vault_walk.ts";

/** The wiki an import writes into. */
export interface ImportTarget {
  kv: Deno.Kv;
  wiki: WikiRecord;
  pages: PageStore;
  limits: Limits;
  /** The URL a page uses to show one of its attachments (site-relative). */
  attachmentHref(path: string, filename: string): string;
}

/** What kind of archive it is. */
export type ImportFormat = "robot.wtf" | "obsidian" | "markdown";
/** What the import does with one page or attachment. */
export type ImportAction = "create" | "unchanged" | "conflict";

/** A page of the plan. */
export interface PlannedPage {
  entry: string;
  path: string;
  renamedFrom: string | null;
  action: ImportAction;
  bytes: number;
}

/** An attachment of the plan. */
export interface PlannedAttachment {
  entry: string;
  path: string;
  filename: string;
  action: ImportAction;
  bytes: number;
}

/** Everything a dry run reports. */
export interface ImportPlan {
  format: ImportFormat;
  /** The folder enclosing the whole archive, stripped from every `entry` of the plan (`""` when none). */
  root: string;
  /** Whether the archive's history is restored (this project's export into a wiki with nothing but starter pages). */
  history: { restored: boolean; revisions: number; note: string | null };
  pages: PlannedPage[];
  attachments: PlannedAttachment[];
  skipped: EntryNote[];
  refused: EntryNote[];
  /** Pages and bytes the import adds. */
  newPages: number;
  newBytes: number;
  /** Why the import does not fit the quota, or null. */
  quotaError: string | null;
}

/** Options of an import. */
export interface ImportOptions {
  /** Import the rest when some pages or attachments conflict with the wiki's (they are left as they are). */
  skipConflicts?: boolean;
}

/** The format of an opened archive. */
export async function detectFormat(archive: Archive): Promise<ImportFormat> {
  if (archive.files.has(META.manifest)) {
    try {
      const m = JSON.parse(await readTextFile(archive, META.manifest));
      if (m?.format === EXPORT_FORMAT) return "robot.wtf";
    } catch {
      // not ours: import it as Markdown
    }
  }
  return archive.skipped.some((s) => s.entry.startsWith(".obsidian/")) ? "obsidian" : "markdown";
}

/** Plans an import of pages and attachments (no history); reads every note once. */
export async function planVaultImport(
  target: ImportTarget,
  archive: Archive,
  format: ImportFormat,
): Promise<ImportPlan> {
  const layout = layoutVault(archive);
  const owners = new Placements(target.attachmentHref);
  const pages: PlannedPage[] = [];
  const refused = [...layout.refused];
  for await (const walked of walkNotes(archive, layout, owners, target.limits.maxPageBytes)) {
    if ("refused" in walked) {
      refused.push({ entry: walked.note.entry, reason: walked.refused });
      continue;
    }
    const { note, text } = walked;
    const bytes = utf8Bytes(text);
    if (bytes > target.limits.maxPageBytes) {
      refused.push({
        entry: note.entry,
        reason: `with its links rewritten the page is ${bytes} bytes, over the limit`,
      });
      continue;
    }
    const existing = await existingText(target.pages, note.path);
    const action: ImportAction = existing === null ? "create" : existing === text ? "unchanged" : "conflict";
    pages.push({ entry: note.entry, path: note.path, renamedFrom: note.renamedFrom, action, bytes });
  }
  const skipped = [...layout.skipped];
  const attachments = await planAttachments(target, archive, owners, pages, refused, skipped);
  const plan: ImportPlan = {
    format,
    root: archive.root,
    history: { restored: false, revisions: 0, note: null },
    pages,
    attachments,
    skipped: skipped.concat(unplacedFiles(layout, owners)),
    refused,
    newPages: pages.filter((p) => p.action === "create").length,
    newBytes: sum(pages, "create") + sum(attachments, "create"),
    quotaError: null,
  };
  plan.quotaError = await quotaError(target, plan.newPages, plan.newBytes);
  return plan;
}

/** The attachments of the plan, refusing files too large and skipping those whose page is nowhere. */
async function planAttachments(
  target: ImportTarget,
  archive: Archive,
  owners: Placements,
  pages: PlannedPage[],
  refused: EntryNote[],
  skipped: EntryNote[],
): Promise<PlannedAttachment[]> {
  const planned = new Set(pages.map((p) => p.path));
  const out: PlannedAttachment[] = [];
  const existingByPage = new Map<string, Map<string, string> | null>();
  for (const [file, { path, filename }] of owners.all()) {
    const size = archive.files.get(file)!.size;
    if (size > target.limits.maxAttachmentBytes) {
      refused.push({
        entry: file,
        reason: `it is ${size} bytes; the largest attachment is ${target.limits.maxAttachmentBytes}`,
      });
      continue;
    }
    if (!existingByPage.has(path)) existingByPage.set(path, await existingAttachments(target.pages, path));
    const existing = existingByPage.get(path)!;
    if (existing === null && !planned.has(path)) {
      // e.g. an attachment of a page deleted in the exported wiki: nothing to attach it to
      skipped.push({ entry: file, reason: `its page "${path}" is neither in the archive nor a live page of the wiki` });
      continue;
    }
    const sha = existing?.get(filename);
    const action: ImportAction = sha === undefined
      ? "create"
      : sha === await sha256Hex(await readFile(archive, file))
      ? "unchanged"
      : "conflict";
    out.push({ entry: file, path, filename, action, bytes: size });
  }
  return out;
}

/** Files no note embeds and no `_attachments/` folder places. */
function unplacedFiles(layout: VaultLayout, owners: Placements): EntryNote[] {
  const placed = new Set(owners.all().map(([f]) => f));
  return layout.files.filter((f) => !placed.has(f)).map((entry) => ({
    entry,
    reason: "no note embeds or links it, so it has no page to be attached to",
  }));
}

/** The live page's text, or null when there is none. */
async function existingText(pages: PageStore, path: string): Promise<string | null> {
  try {
    return (await pages.read(path)).content;
  } catch (err) {
    if (err instanceof NotFoundError) return null;
    throw err;
  }
}

/** A live page's attachments (name -> SHA-256), or null when the page is not live. */
async function existingAttachments(pages: PageStore, path: string): Promise<Map<string, string> | null> {
  if ((await pages.meta(path)) === null) return null;
  return new Map((await pages.listAttachments(path)).map((a) => [a.filename, a.sha256]));
}

function sum(items: { action: ImportAction; bytes: number }[], action: ImportAction): number {
  return items.reduce((n, i) => n + (i.action === action ? i.bytes : 0), 0);
}

/** Why adding `pages` and `bytes` would pass the wiki's quota, or null. */
export async function quotaError(target: ImportTarget, pages: number, bytes: number): Promise<string | null> {
  const usage = await target.pages.usage();
  if (usage.pages + pages > usage.quotaPages) {
    return `The import adds ${pages} pages to the wiki's ${usage.pages}; its quota is ${usage.quotaPages} pages.`;
  }
  if (usage.bytes + bytes > usage.quotaBytes) {
    return `The import adds ${formatLimit(bytes)} to the wiki's ${formatLimit(usage.bytes)}; its quota is ` +
      `${formatLimit(usage.quotaBytes)}.`;
  }
  return null;
}

/** Why the plan cannot be imported as it is, or null when it can. */
export function planBlocker(plan: ImportPlan, opts: ImportOptions = {}): string | null {
  if (plan.refused.length > 0) {
    const first = plan.refused[0];
    return `${plan.refused.length} entr${plan.refused.length === 1 ? "y is" : "ies are"} refused, first ` +
      `"${first.entry}": ${first.reason}. Nothing was imported.`;
  }
  if (plan.quotaError) return `${plan.quotaError} Nothing was imported.`;
  const conflicts = [...plan.pages, ...plan.attachments].filter((p) => p.action === "conflict");
  if (conflicts.length > 0 && !opts.skipConflicts) {
    const first = conflicts[0];
    return `${conflicts.length} page(s) or attachment(s) already exist with different content, first ` +
      `"${"filename" in first ? `${first.path}/${first.filename}` : first.path}". Nothing was imported; choose to ` +
      `skip conflicts to import the rest and keep the wiki's versions.`;
  }
  return null;
}

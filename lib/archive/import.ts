/**
 * @module
 * Importing an archive into a wiki: open and check it (hostile archives are refused before anything else,
 * lib/archive/zip_read.ts), plan (lib/archive/import_plan.ts; a dry run stops here), refuse when the plan has refused
 * entries, passes the quota or conflicts with the wiki, then write. This project's export into a wiki with only
 * starter pages restores its history (lib/archive/import_history.ts); anything else imports the current pages and
 * attachments as new revisions by the importing person, pages first, skipping what the wiki already holds
 * identically, so running an interrupted import again finishes it.
 */
import type { Actor } from "../wiki/types.ts";
import { WikiError } from "../errors.ts";
import { type Archive, archiveLimits, openArchive, readFile } from "./archive.ts";
import type { ZipSource } from "./zip_read.ts";
import {
  detectFormat,
  type ImportOptions,
  type ImportPlan,
  type ImportTarget,
  planBlocker,
  planVaultImport,
} from "./import_plan.ts";
import { acceptsHistory, applyHistoryImport, planHistoryImport } from "./import_history.ts";
import { hasHistory } from "./history_lines.ts";
import { layoutVault, Placements, walkNotes } from "./vault_walk.ts";

/** What an import did. */
export interface ImportResult {
  plan: ImportPlan;
  /** False for a dry run. */
  written: boolean;
  pagesWritten: number;
  attachmentsWritten: number;
  revisionsRestored: number;
}

/** Options of {@link importArchive}. */
export interface ImportRunOptions extends ImportOptions {
  dryRun?: boolean;
  /** Progress: pages and attachments written so far. */
  onProgress?: (done: number, total: number) => void;
}

/** Plans an archive's import into the target (no writes). */
export async function planArchive(
  target: ImportTarget,
  src: ZipSource,
): Promise<{ archive: Archive; plan: ImportPlan }> {
  const archive = await openArchive(src, archiveLimits(target.wiki, target.limits));
  const format = await detectFormat(archive);
  if (format === "robot.wtf" && hasHistory(archive)) {
    if (await acceptsHistory(target.kv, target.wiki.id)) {
      return { archive, plan: await planHistoryImport(target, archive) };
    }
    const plan = await planVaultImport(target, archive, format);
    plan.history.note = "The history is not restored: the wiki already has changes of its own, so only the current " +
      "pages and attachments are imported, as new revisions. Import into a new wiki to keep the history.";
    return { archive, plan };
  }
  return { archive, plan: await planVaultImport(target, archive, format) };
}

/** Plans and, unless `dryRun`, imports an archive. Throws a WikiError naming what blocks the import. */
export async function importArchive(
  target: ImportTarget,
  src: ZipSource,
  actor: Actor,
  opts: ImportRunOptions = {},
): Promise<ImportResult> {
  const { archive, plan } = await planArchive(target, src);
  const result: ImportResult = { plan, written: false, pagesWritten: 0, attachmentsWritten: 0, revisionsRestored: 0 };
  if (opts.dryRun) return result;
  const blocker = planBlocker(plan, opts);
  if (blocker !== null) {
    const code = plan.refused.length > 0 ? "invalid_input" : plan.quotaError ? "quota_exceeded" : "conflict";
    throw new WikiError(code, blocker);
  }
  if (plan.history.restored) {
    result.revisionsRestored = await applyHistoryImport(target, archive);
    result.pagesWritten = plan.pages.length;
    result.attachmentsWritten = plan.attachments.length;
  } else {
    await applyVaultImport(target, archive, plan, actor, result, opts);
  }
  result.written = true;
  return result;
}

/** Writes the plan's new pages, then its new attachments, one revision each. */
async function applyVaultImport(
  target: ImportTarget,
  archive: Archive,
  plan: ImportPlan,
  actor: Actor,
  result: ImportResult,
  opts: ImportRunOptions,
): Promise<void> {
  const creates = new Set(plan.pages.filter((p) => p.action === "create").map((p) => p.path));
  const attachments = plan.attachments.filter((a) => a.action === "create");
  const total = creates.size + attachments.length;
  const layout = layoutVault(archive);
  const owners = new Placements(target.attachmentHref);
  try {
    for await (const walked of walkNotes(archive, layout, owners, target.limits.maxPageBytes)) {
      if ("refused" in walked || !creates.has(walked.note.path)) continue;
      await target.pages.write(walked.note.path, walked.text, { message: `Import: ${walked.note.entry}` }, actor);
      result.pagesWritten++;
      opts.onProgress?.(result.pagesWritten, total);
    }
    for (const a of attachments) {
      const data = await readFile(archive, a.entry);
      await target.pages.putAttachment(a.path, a.filename, data, { message: `Import: ${a.entry}` }, actor);
      result.attachmentsWritten++;
      opts.onProgress?.(result.pagesWritten + result.attachmentsWritten, total);
    }
  } catch (err) {
    if (!(err instanceof WikiError)) throw err;
    throw new WikiError(
      err.code,
      `The import stopped after ${result.pagesWritten} of ${creates.size} pages and ${result.attachmentsWritten} of ` +
        `${attachments.length} attachments: ${err.message} Run the same import again to finish it: what is already ` +
        `imported is recognised as unchanged and skipped.`,
    );
  }
}

/**
 * @module
 * An import plan as lines of text (the command line's dry run and report); the browser shows the same plan as a page.
 */
import type { ImportPlan } from "./import_plan.ts";
import { formatLimit } from "../wiki/commit.ts";

/** The plan, summarized then itemized: created, unchanged, conflicting, renamed, skipped, refused. */
export function planLines(plan: ImportPlan): string[] {
  const name = (entry: string) => plan.root + entry;
  const count = (action: string) =>
    plan.pages.filter((p) => p.action === action).length + plan.attachments.filter((a) => a.action === action).length;
  const lines = [
    `Format: ${plan.format}${plan.root ? ` (folder ${plan.root})` : ""}.`,
    `Pages: ${plan.pages.length}; attachments: ${plan.attachments.length}; new: ${plan.newPages} pages, ` +
    `${formatLimit(plan.newBytes)}.`,
    `Create ${count("create")}, unchanged ${count("unchanged")}, conflicts ${count("conflict")}, ` +
    `skipped ${plan.skipped.length}, refused ${plan.refused.length}.`,
  ];
  if (plan.history.restored) lines.push(`History: ${plan.history.revisions} revisions restored.`);
  if (plan.history.note) lines.push(plan.history.note);
  if (plan.quotaError) lines.push(`Quota: ${plan.quotaError}`);
  for (const p of plan.pages) {
    if (p.action !== "unchanged") lines.push(`  ${p.action.padEnd(9)} ${p.path}  <- ${name(p.entry)}`);
    if (p.renamedFrom !== null) lines.push(`  renamed   ${p.renamedFrom} -> ${p.path}`);
  }
  for (const a of plan.attachments) {
    if (a.action !== "unchanged") lines.push(`  ${a.action.padEnd(9)} ${a.path}/${a.filename}  <- ${name(a.entry)}`);
  }
  for (const s of plan.skipped) lines.push(`  skipped   ${name(s.entry)}: ${s.reason}`);
  for (const r of plan.refused) lines.push(`  REFUSED   ${name(r.entry)}: ${r.reason}`);
  return lines;
}

/**
 * @module
 * The views of export and import on the dashboard: the settings page's section (download for every member, upload
 * for admins) and the import plan page (what would be created, left unchanged, conflict, be renamed, skipped or
 * refused, and the button).
 */
import type { ImportPlan } from "../../lib/archive/import_plan.ts";
import { formatBytes } from "../components/format.ts";
import { FormError } from "./ui.tsx";
import { Section } from "./settings_parts.tsx";

/** The settings page's "Export and import" section. */
export function ArchiveSection(
  { base, token, canImport, error }: { base: string; token: string; canImport: boolean; error: string | null },
) {
  return (
    <Section id="import" title="Export and import">
      <p>
        <a class="button" href={`${base}/export`} download>Download the wiki (.zip)</a>{" "}
        <span class="muted">
          Every page as Markdown with its frontmatter, attachments in{" "}
          <code>_attachments/</code>, and the whole history in{" "}
          <code>.robot-wtf/</code>. It opens as an Obsidian vault. The download streams as it is made: your browser
          shows how much has arrived (the total size is not known in advance).
        </span>
      </p>
      {canImport
        ? (
          <form
            method="post"
            action={`${base}/import?csrf=${encodeURIComponent(token)}`}
            enctype="multipart/form-data"
            class="app-stack panel"
          >
            <h3>Import</h3>
            <p class="muted">
              An Obsidian vault or a folder of Markdown files as a .zip, or an export of a robot.wtf wiki. You will see
              what would change before anything is written.
            </p>
            <FormError message={error} />
            <label for="import-file">Archive (.zip)</label>
            <input type="file" id="import-file" name="archive" accept=".zip,application/zip" required />
            <p>
              <button type="submit">Upload and review</button>
            </p>
          </form>
        )
        : <FormError message={error} />}
    </Section>
  );
}

/** The plan of an import, itemized. */
export function PlanView({ plan }: { plan: ImportPlan }) {
  const name = (entry: string) => plan.root + entry;
  const changed = plan.pages.filter((p) => p.action !== "unchanged");
  const unchanged = plan.pages.length - changed.length;
  return (
    <div class="import-plan">
      <p>
        Format: <strong>{plan.format}</strong>. {plan.newPages} new pages, {formatBytes(plan.newBytes)}{" "}
        added{unchanged > 0 ? `; ${unchanged} pages already in the wiki as they are` : ""}.
        {plan.history.restored ? ` Its history (${plan.history.revisions} revisions) is restored.` : ""}
      </p>
      {plan.history.note ? <p class="notice">{plan.history.note}</p> : null}
      {plan.quotaError ? <p class="notice notice-error">{plan.quotaError}</p> : null}
      {plan.refused.length > 0
        ? (
          <>
            <h2>Refused</h2>
            <ul>
              {plan.refused.map((r) => (
                <li>
                  <code>{name(r.entry)}</code>: {r.reason}
                </li>
              ))}
            </ul>
          </>
        )
        : null}
      <h2>Pages</h2>
      {changed.length === 0 ? <p class="muted">No page changes.</p> : (
        <ul>
          {changed.map((p) => (
            <li>
              <span class={`badge action-${p.action}`}>
                {p.action === "conflict" ? "conflict: kept as is" : p.action}
              </span>{" "}
              {p.path}
              {p.renamedFrom !== null ? <span class="muted">(renamed from {p.renamedFrom})</span> : null}
            </li>
          ))}
        </ul>
      )}
      {plan.attachments.length > 0
        ? (
          <>
            <h2>Attachments</h2>
            <ul>
              {plan.attachments.map((a) => (
                <li>
                  <span class={`badge action-${a.action}`}>{a.action}</span> {a.path}/{a.filename}{" "}
                  <span class="muted">({formatBytes(a.bytes)})</span>
                </li>
              ))}
            </ul>
          </>
        )
        : null}
      {plan.skipped.length > 0
        ? (
          <>
            <h2>Skipped</h2>
            <ul>
              {plan.skipped.map((s) => (
                <li>
                  <code>{name(s.entry)}</code>: {s.reason}
                </li>
              ))}
            </ul>
          </>
        )
        : null}
    </div>
  );
}

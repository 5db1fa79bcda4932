/**
 * @module
 * Export and import of a wiki from the command line, on the app's KV (a file only one process may open: stop the app
 * first; or `--kv PATH`, or a KV Connect URL in `KV_PATH`).
 *
 *   deno task export <slug> <file.zip> [--kv PATH]
 *   deno task import <slug> <file.zip> [--dry-run] [--skip-conflicts] [--create] [--owner local:NAME] [--kv PATH]
 *
 * Import prints the plan (created, unchanged, conflicting, renamed, skipped and refused entries) and writes only when
 * nothing is refused, the quota holds and nothing conflicts (unless `--skip-conflicts`). `--create` makes the wiki
 * when it does not exist, without starter pages, so an export's history is restored into it.
 */
import { parseArgs } from "node:util";
import { loadConfig } from "../lib/config.ts";
import { openKv } from "../lib/kv/open.ts";
import { Urls } from "../lib/urls.ts";
import { createWikis } from "../lib/wiki/wikis.ts";
import { WikiError } from "../lib/errors.ts";
import { FOREIGN_WIKI_DATA } from "../lib/platform/wiki_lifecycle.ts";
import { exportWikiZip } from "../lib/archive/export.ts";
import { historyBundleBytes } from "../lib/git/bundle.ts";
import { importArchive } from "../lib/archive/import.ts";
import { fileSource } from "../lib/archive/zip_read.ts";
import { attachmentHref } from "../lib/archive/attachment_refs.ts";
import { planLines } from "../lib/archive/plan_report.ts";

const USAGE = `usage:
  archive.ts export <slug> <file.zip> [--kv PATH]
  archive.ts import <slug> <file.zip> [--dry-run] [--skip-conflicts] [--create] [--owner local:NAME] [--kv PATH]`;

/** Runs the command line; returns the exit code. */
export async function main(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      kv: { type: "string" },
      owner: { type: "string" },
      "dry-run": { type: "boolean" },
      "skip-conflicts": { type: "boolean" },
      create: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  const [cmd, slug, file] = positionals;
  if (values.help || !file || (cmd !== "export" && cmd !== "import")) {
    console.error(USAGE);
    return 2;
  }
  const config = loadConfig();
  const kv = await openKv(values.kv ?? config.kvPath);
  try {
    const urls = new Urls(config);
    const wikis = createWikis({ kv, limits: config.limits }, FOREIGN_WIKI_DATA);
    const owner = values.owner ?? "local:cli";
    const actor = { id: owner, name: "cli", client: "cli" };
    let wiki = await wikis.bySlug(slug);
    if (!wiki && cmd === "import" && values.create && !values["dry-run"]) {
      wiki = await wikis.create({ slug, ownerDid: owner, seed: false }, actor);
      out(`Created wiki ${slug} (no starter pages).`);
    }
    if (!wiki) {
      console.error(`No wiki called "${slug}"${cmd === "import" ? " (add --create to make it)" : ""}.`);
      return 1;
    }
    if (cmd === "export") {
      const tmp = `${file}.partial`;
      const f = await Deno.open(tmp, { write: true, create: true, truncate: true });
      let files = 0;
      await exportWikiZip(kv, wiki, { onFile: (n) => (files = n), gitBundle: (w) => historyBundleBytes(kv, w.id) })
        .pipeTo(f.writable);
      await Deno.rename(tmp, file);
      out(`Exported ${slug}: ${files} files, ${(await Deno.stat(file)).size} bytes, to ${file}.`);
      return 0;
    }
    const src = await fileSource(file);
    try {
      const target = {
        kv,
        wiki,
        pages: wikis.pages(wiki),
        limits: config.limits,
        attachmentHref: (path: string, name: string) => attachmentHref(urls.attachment(slug, path, name)),
      };
      const result = await importArchive(target, src, actor, {
        dryRun: values["dry-run"],
        skipConflicts: values["skip-conflicts"],
      });
      for (const line of planLines(result.plan)) out(line);
      out(
        result.written
          ? `Imported: ${result.pagesWritten} pages, ${result.attachmentsWritten} attachments` +
            (result.revisionsRestored ? `, ${result.revisionsRestored} revisions of history.` : ".")
          : "Dry run: nothing was written.",
      );
      return 0;
    } finally {
      src.close();
    }
  } catch (err) {
    if (!(err instanceof WikiError)) throw err;
    console.error(err.message);
    return 1;
  } finally {
    kv.close();
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));

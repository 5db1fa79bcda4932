/**
 * @module
 * `deno task bench`: runs every benchmark section in order and ends with a PASS/FAIL line per target.
 *
 *   deno task bench              # all sections
 *   deno task bench wiki         # only the named sections (wiki, mcp, oauth, backup, git, export, meaning, search)
 *
 * A section is a function that prints its own table and returns its targets as `{ name: passed }`; add one to
 * SECTIONS below. Sections run one after another so they do not disturb each other's timings.
 */
import { runWikiBench } from "./wiki_bench.ts";
import { runMcpBench } from "./mcp_bench.ts";
import { runOAuthBench } from "./oauth_bench.ts";
import { runBackupBench } from "./backup_bench.ts";
import { runGitBench } from "./git_bench.ts";
import { runExportBench } from "./export_bench.ts";
import { runMeaningBench } from "./meaning_bench.ts";
import { runSearchQualityBench } from "./search_quality_bench.ts";

/** A benchmark section: prints its report, returns named targets (true = met, null = not measured). */
export type BenchSection = () => Promise<Record<string, boolean | null>>;

/** The sections, in running order. */
export const SECTIONS: Record<string, BenchSection> = {
  wiki: async () => (await runWikiBench()).targets,
  mcp: async () => (await runMcpBench()).targets,
  oauth: async () => (await runOAuthBench()).targets,
  backup: async () => (await runBackupBench()).targets,
  git: async () => (await runGitBench()).targets,
  export: async () => (await runExportBench()).targets,
  meaning: async () => ({ ...(await runMeaningBench()).targets }),
  search: async () => (await runSearchQualityBench()).targets,
};

/** Runs the chosen sections (all when none named); returns the process exit code (1 if a target was missed). */
export async function main(names: string[]): Promise<number> {
  const chosen = names.length > 0 ? names : Object.keys(SECTIONS);
  const unknown = chosen.filter((n) => !(n in SECTIONS));
  if (unknown.length > 0) {
    console.error(`unknown section(s): ${unknown.join(", ")}; choose from ${Object.keys(SECTIONS).join(", ")}`);
    return 2;
  }
  const summary: string[] = [];
  let failed = false;
  for (const name of chosen) {
    console.log(`\n=== ${name} ===`);
    try {
      const targets = await SECTIONS[name]();
      for (const [target, ok] of Object.entries(targets)) {
        summary.push(`${ok === null ? "n/a " : ok ? "PASS" : "FAIL"} ${name}: ${target}`);
        if (ok === false) failed = true;
      }
    } catch (err) {
      failed = true;
      summary.push(`ERROR ${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  console.log("\n=== summary ===\n" + summary.join("\n"));
  return failed ? 1 : 0;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}

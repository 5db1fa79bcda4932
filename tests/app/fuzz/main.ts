/**
 * @module
 * The fuzz battery as a program: tests/app/fuzz_test.ts runs it in a child process with `--v8-flags=--expose-gc`,
 * so that RSS is measured after full garbage collections (in a long-lived test process V8 lets hundreds of MB of
 * garbage pile up before collecting, which would read as growth), and so that a request that never returns can be
 * stopped. It prints `progress <id>` lines while it runs and one `result <json>` line at the end.
 *
 * The plan: in path mode a warm-up world serves the heavy cases and the first {@link WARM_UP} random requests; the
 * RSS baseline is taken once it is closed (garbage collected, its store freed). Then fresh worlds serve at most
 * {@link WORLD_REQUESTS} random requests each, path mode first, then subdomain mode; the final RSS is taken once
 * the last is closed. Settings come from the environment (see fuzz_test.ts).
 */
import { buildWorld } from "./world.ts";
import { type Finding, type FuzzSettings, runWorld, type Slice } from "./runner.ts";
import { rss } from "./oracle.ts";

/** Random requests of the warm-up world (which also serves the heavy cases). */
export const WARM_UP = 2_500;
/** Random requests one world serves at most (a fresh world after that keeps the store's growth bounded). */
export const WORLD_REQUESTS = 5_000;

/** What the battery reports. */
export interface BatteryResult {
  seed: string;
  total: number;
  sent: number;
  skipped: number;
  /** The failing requests (at most the first 200 of them in the printed result: see `findingCount`). */
  findings: Finding[];
  findingCount?: number;
  /** RSS after the warm-up and at the end, garbage collected (bytes). */
  rssBaseline: number;
  rssFinal: number;
  /** Whether a full GC ran before each RSS measurement. */
  gc: boolean;
  seconds: number;
}

/** The worlds of a run: per mode, the slices each world serves. */
export function plan(total: number): { mode: "path" | "subdomain"; slice: Slice; baselineAfter: boolean }[] {
  const out: { mode: "path" | "subdomain"; slice: Slice; baselineAfter: boolean }[] = [];
  for (const mode of ["path", "subdomain"] as const) {
    const n = mode === "path" ? Math.ceil(total / 2) : Math.floor(total / 2);
    let from = 0;
    if (mode === "path") {
      from = Math.min(WARM_UP, n);
      out.push({ mode, slice: { from: 0, to: from, heavy: true }, baselineAfter: true });
    }
    for (; from < n; from += WORLD_REQUESTS) {
      out.push({ mode, slice: { from, to: Math.min(n, from + WORLD_REQUESTS), heavy: false }, baselineAfter: false });
    }
  }
  return out;
}

/** Runs the battery. */
export async function runBattery(
  settings: FuzzSettings,
  total: number,
  progress: (id: string) => void,
): Promise<BatteryResult> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const settled = () => {
    gc?.();
    return rss();
  };
  const started = performance.now();
  const result: BatteryResult = {
    seed: settings.seed,
    total,
    sent: 0,
    skipped: 0,
    findings: [],
    rssBaseline: 0,
    rssFinal: 0,
    gc: gc !== undefined,
    seconds: 0,
  };
  for (const step of plan(total)) {
    const w = await buildWorld(step.mode);
    try {
      const stats = await runWorld(w, settings, step.slice, progress);
      result.sent += stats.sent;
      result.skipped += stats.skipped;
      result.findings.push(...stats.findings);
    } finally {
      w.close();
    }
    // Not a synchronisation: Deno.Kv.close() reports no completion, and this pause only lets its native teardown
    // run before the RSS sample below, so the baseline measures the fuzzer, not a store being torn down.
    await new Promise((r) => setTimeout(r, 10));
    if (step.baselineAfter) result.rssBaseline = settled();
  }
  result.rssFinal = settled();
  result.seconds = (performance.now() - started) / 1000;
  return result;
}

if (import.meta.main) {
  const env = (name: string) => Deno.env.get(name) ?? "";
  const list = (name: string) => env(name).split(",").map((s) => s.trim()).filter(Boolean);
  const only = list("FUZZ_ONLY");
  const settings: FuzzSettings = {
    seed: env("FUZZ_SEED") || "robot.wtf/9",
    only: only.length ? new Set(only) : null,
    exclude: list("FUZZ_EXCLUDE"),
  };
  const total = Number(env("FUZZ_REQUESTS") || 10_000);
  const result = await runBattery(settings, total, (id) => console.log(`progress ${id}`));
  const shown = { ...result, findings: result.findings.slice(0, 200), findingCount: result.findings.length };
  console.log(`result ${JSON.stringify(shown)}`);
}

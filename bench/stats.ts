/**
 * @module
 * Small helpers shared by the benchmarks: timing samples, percentiles, and plain-text tables.
 */

/** Summary of a latency sample, in milliseconds. */
export interface LatencySummary {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  max: number;
}

/** The `p`-th percentile (0..100) of `values` by nearest rank; NaN for an empty sample. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** p50/p90/p99, mean and max of a sample of milliseconds. */
export function summarize(values: readonly number[]): LatencySummary {
  const n = values.length;
  const mean = n === 0 ? NaN : values.reduce((a, b) => a + b, 0) / n;
  return {
    n,
    p50: percentile(values, 50),
    p90: percentile(values, 90),
    p99: percentile(values, 99),
    mean,
    max: n === 0 ? NaN : Math.max(...values),
  };
}

/** Runs `fn` once per item, sequentially, and returns each call's duration in milliseconds. */
export async function timeEach<T>(
  items: readonly T[],
  fn: (item: T, i: number) => Promise<unknown>,
): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < items.length; i++) {
    const start = performance.now();
    await fn(items[i], i);
    out.push(performance.now() - start);
  }
  return out;
}

/** Formats milliseconds with a precision that suits the magnitude. */
export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return "n/a";
  return ms < 1 ? ms.toFixed(3) : ms < 100 ? ms.toFixed(2) : ms.toFixed(0);
}

/** Renders rows as a left-aligned first column and right-aligned other columns, with a header rule. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** One row of a latency table: a label and its p50/p90/p99/mean in ms. */
export function latencyRow(label: string, s: LatencySummary): string[] {
  return [label, String(s.n), fmtMs(s.p50), fmtMs(s.p90), fmtMs(s.p99), fmtMs(s.mean)];
}

/** Header matching {@link latencyRow}. */
export const LATENCY_HEADER = ["operation", "n", "p50 ms", "p90 ms", "p99 ms", "mean ms"] as const;

/** A deterministic PRNG (mulberry32): the same seed gives the same sequence, values in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ: 100 on Linux). */
const USER_HZ = 100;

/**
 * User + system CPU seconds used so far by process `pid`, from /proc; null when unavailable. A server's CPU time
 * per request hardly depends on other load on the machine, unlike its throughput: the steadier figure to compare.
 */
export function cpuSecondsOf(pid: number): number | null {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / USER_HZ; // utime, stime: fields 14 and 15 of stat
  } catch {
    return null;
  }
}

/**
 * The V8 flags `deno task start` runs the app with (deno.json; tests/bench/server_flags_test.ts keeps them equal), so
 * that benchmarks measuring the app's memory run it as it is deployed: the young generation capped at 8 MB a
 * semi-space (V8 grows it to 64 MB while the search catalog or a git history index is built, and returns it late),
 * and `gc` exposed so that a catalog rebuild collects its garbage as it goes (lib/gc.ts).
 */
export const SERVER_V8_FLAGS = "--v8-flags=--max-semi-space-size=8,--expose-gc";

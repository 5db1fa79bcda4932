/**
 * @module
 * Runs fuzz cases against the app in-process (`app.fetch`), one at a time, judging each answer (oracle.ts) and
 * collecting findings with what is needed to reproduce them: the seed, the mode and the request's index
 * (`FUZZ_SEED=… FUZZ_ONLY=path:123`; heavy cases are `path:h7`).
 */
import { Rng } from "./rng.ts";
import { type FuzzCase, judge, type Observed } from "./oracle.ts";
import type { World } from "./world.ts";
import { mcpCase } from "./gen_mcp.ts";
import { oauthCase } from "./gen_oauth.ts";
import { headersCase, platformCase, wikiCase } from "./gen_web.ts";
import { heavyCases } from "./heavy.ts";

/** Settings of a run (from the environment; see fuzz_test.ts). */
export interface FuzzSettings {
  seed: string;
  /** When set, only these request ids (`path:123`, `path:h7`) run. */
  only: ReadonlySet<string> | null;
  /** Cases whose label contains one of these are skipped (local runs only; empty by default). */
  exclude: readonly string[];
}

/** A failed request. */
export interface Finding {
  /** `mode:index`, e.g. `subdomain:4711` or `path:h3`. */
  id: string;
  label: string;
  request: string;
  status: number | null;
  ms: number;
  reasons: string[];
}

/** What a run did. */
export interface RunStats {
  sent: number;
  skipped: number;
  findings: Finding[];
}

/** Random requests between two progress reports. */
export const SAMPLE_EVERY = 250;

/** The random case `index` of a world. */
export function randomCase(seed: string, w: World, index: number): FuzzCase {
  const rng = new Rng(`${seed}/${w.mode}/${index}`);
  switch (rng.weighted({ mcp: 35, oauth: 20, wiki: 20, platform: 15, headers: 10 })) {
    case "mcp":
      return mcpCase(rng, w);
    case "oauth":
      return oauthCase(rng, w);
    case "wiki":
      return wikiCase(rng, w);
    case "platform":
      return platformCase(rng, w);
    default:
      return headersCase(rng, w);
  }
}

/** Which cases of a mode one call of {@link runWorld} sends. */
export interface Slice {
  /** Random cases `from` (inclusive) to `to` (exclusive). */
  from: number;
  to: number;
  /** Send the heavy cases first. */
  heavy: boolean;
}

/**
 * Runs a slice of a mode's cases in `w`. `progress` hears the id of every heavy case and of every
 * {@link SAMPLE_EVERY}th random one before it is sent (so a hang can be named).
 */
export async function runWorld(
  w: World,
  settings: FuzzSettings,
  slice: Slice,
  progress: (id: string) => void = () => {},
): Promise<RunStats> {
  const stats: RunStats = { sent: 0, skipped: 0, findings: [] };
  const jobs: [string, () => FuzzCase][] = [];
  if (slice.heavy) {
    const heavy = heavyCases(new Rng(`${settings.seed}/heavy/${w.mode}`), w);
    heavy.forEach((c, i) => jobs.push([`${w.mode}:h${i}`, () => c]));
  }
  for (let i = slice.from; i < slice.to; i++) jobs.push([`${w.mode}:${i}`, () => randomCase(settings.seed, w, i)]);

  const logs: string[] = [];
  const saved = { error: console.error, warn: console.warn };
  console.error = (...args: unknown[]) => void logs.push(args.map(String).join(" "));
  console.warn = console.error;
  try {
    for (const [id, make] of jobs) {
      if (settings.only && !settings.only.has(id)) continue;
      const c = make();
      if (settings.exclude.some((x) => c.label.includes(x))) {
        stats.skipped++;
        continue;
      }
      if (id.includes(":h") || stats.sent % SAMPLE_EVERY === 0) progress(id);
      logs.length = 0;
      const finding = await send(w, id, c, logs);
      stats.sent++;
      if (finding) stats.findings.push(finding);
    }
  } finally {
    console.error = saved.error;
    console.warn = saved.warn;
  }
  return stats;
}

/** Sends one case and judges the answer; a Finding when it failed. */
async function send(w: World, id: string, c: FuzzCase, logs: string[]): Promise<Finding | null> {
  const body = typeof c.body === "function" ? c.body() : c.body;
  const summary = `${c.method} ${clip(c.url, 160)}`;
  const fail = (status: number | null, ms: number, reasons: string[]): Finding => ({
    id,
    label: clip(c.label, 400),
    request: summary,
    status,
    ms,
    reasons,
  });
  let request: Request;
  try {
    request = new Request(c.url, { method: c.method, headers: c.headers, body });
  } catch (err) {
    return fail(null, 0, [`the fuzzer built an unsendable request (fix the generator): ${err}`]);
  }
  const t0 = performance.now();
  let seen: Observed;
  try {
    const res = await w.f.app.fetch(request);
    const text = await res.text();
    seen = { status: res.status, headers: res.headers, text, ms: performance.now() - t0, logs: [...logs] };
  } catch (err) {
    return fail(null, performance.now() - t0, [`app.fetch threw: ${String(err).slice(0, 300)}`]);
  }
  const reasons = judge(requestText(c, body), seen);
  return reasons.length ? fail(seen.status, seen.ms, reasons) : null;
}

/** The request's own text (URL, headers, body), to tell an echo of the input from a leak. */
function requestText(c: FuzzCase, body: BodyInit | undefined): string {
  let text = safeDecode(c.url) + "\n" + JSON.stringify(c.headers ?? {});
  if (typeof body === "string") text += "\n" + body + "\n" + safeDecode(body);
  else if (body instanceof FormData) {
    for (const [k, v] of body) text += `\n${k}=${typeof v === "string" ? v : v.name}`;
  }
  return text;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return s;
  }
}

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s;
}

/** A readable report of findings (first `limit` in full), with how to reproduce each. */
export function report(seed: string, findings: Finding[], count = findings.length, limit = 25): string {
  const byReason = new Map<string, number>();
  for (const f of findings) {
    for (const r of f.reasons) {
      const kind = r.split(":")[0];
      byReason.set(kind, (byReason.get(kind) ?? 0) + 1);
    }
  }
  const lines = [
    `${count} failing request(s) (seed ${JSON.stringify(seed)}): ` +
    [...byReason].map(([k, n]) => `${k} x${n}`).join(", "),
  ];
  for (const f of findings.slice(0, limit)) {
    lines.push(
      "",
      `[${f.id}] ${f.label}`,
      `  ${f.request}`,
      `  -> ${f.status ?? "no response"} in ${Math.round(f.ms)} ms: ${f.reasons.join("; ")}`,
      `  reproduce: FUZZ_SEED=${JSON.stringify(seed)} FUZZ_ONLY=${f.id} deno test -A tests/app/fuzz_test.ts`,
    );
  }
  if (count > limit) lines.push("", `... and ${count - limit} more`);
  return lines.join("\n");
}

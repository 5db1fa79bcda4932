/**
 * @module
 * Two versions of the app compared in one process, for claims like "this refactor costs at most 5%" that separate
 * runs of `deno task bench oauth` cannot settle on a shared machine (the identical HTTP ceiling's CPU per request
 * varied 305-610 µs between runs):
 *
 *   deno task bench:versions <rev-a> [<rev-b>]     # b defaults to HEAD
 *
 * Each revision is checked out in a temporary git worktree with this checkout's OAuth benchmark driver
 * (bench/oauth_bench.ts, bench/stats.ts) copied in, so the same requests reach each version's `createApp`. Both apps
 * are set up in one process, each on its own file KV, and then served the same operations in rounds of
 * {@link ROUND} requests, the two versions alternating which goes first; CPU is the process's (user + system, KV
 * threads included) over each round. The whole comparison runs twice, once with each version loaded first (the one
 * loaded second read up to ~5% dearer), and the ratio reported is the geometric mean of the two runs' ratios of
 * medians. Operations: the token endpoint's code exchange and refresh, and MCP `read_note` with an OAuth access
 * token and with a wiki token. An old revision whose app the current driver cannot set up fails with its error.
 */
import { cpuUsage } from "node:process";
import { percentile } from "./stats.ts";

/** Requests a version gets per round. */
export const ROUND = 100;
/** Authorization codes each version's app is set up with (also the code exchanges and refreshes timed). */
const CODES = 1000;
/** Concurrent requests within a round. */
const CONCURRENCY = 8;
/** The operations compared, in running order; MCP runs twice as many rounds. */
export const OPERATIONS = ["code exchange", "refresh", "MCP read_note, OAuth", "MCP read_note, wiki token"] as const;
type Operation = typeof OPERATIONS[number];
/** CPU µs per request of each round, per operation. */
type Rounds = Record<Operation, number[]>;

/**
 * The cost of b relative to a from two runs (each holds both versions' per-round costs; one run loaded a first, the
 * other b first): the geometric mean of the runs' ratios of medians, and those two ratios.
 */
export function combinedRatio(
  aFirst: { a: number[]; b: number[] },
  bFirst: { a: number[]; b: number[] },
): { ratio: number; runs: [number, number] } {
  const r1 = percentile(aFirst.b, 50) / percentile(aFirst.a, 50);
  const r2 = percentile(bFirst.b, 50) / percentile(bFirst.a, 50);
  return { ratio: Math.sqrt(r1 * r2), runs: [r1, r2] };
}

// deno-lint-ignore no-explicit-any
type Driver = any;

/** One version under test: its driver module, app, fixture, the tokens it issued and its per-round costs. */
interface Version {
  driver: Driver;
  app: { fetch(req: Request): Promise<Response> };
  f: Driver;
  next: number;
  refresh: string[];
  access: string[];
  rounds: Rounds;
}

/** Runs every operation on the two checkouts, `first` loaded first; per-round costs of each. */
async function measure(first: string, second: string): Promise<[Rounds, Rounds]> {
  const versions: Version[] = [];
  for (const [i, dir] of [first, second].entries()) {
    const driver: Driver = await import(`${dir}/bench/oauth_bench.ts`);
    const tmp = await Deno.makeTempDir({ prefix: "versions-ab-" });
    const kv = await Deno.openKv(`${tmp}/bench.kv`);
    const { app, fixture } = await driver.setupApp(kv, tmp, 41000 + i, CODES);
    const rounds = Object.fromEntries(OPERATIONS.map((o) => [o, [] as number[]])) as Rounds;
    versions.push({ driver, app, f: fixture, next: 0, refresh: [] as string[], access: [] as string[], rounds });
  }
  const pool = async (job: (i: number) => Promise<void>) => {
    let i = 0;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (i < ROUND) await job(i++);
    }));
  };
  const json = async (res: Response) => {
    const body = await res.json();
    if (res.status !== 200) throw new Error(`token endpoint: ${res.status} ${JSON.stringify(body)}`);
    return body;
  };
  const round = async (v: Version, op: Operation) => {
    const start = cpuUsage();
    await pool(async (i) => {
      if (op === "code exchange" || op === "refresh") {
        const body = op === "code exchange" ? v.driver.exchangeForm(v.f, v.f.codes[v.next++]) : {
          grant_type: "refresh_token",
          refresh_token: v.refresh.shift()!,
          client_id: v.f.clientId,
          client_secret: v.f.secret,
          resource: v.f.resource,
        };
        const t = await json(await v.app.fetch(new Request(v.f.tokenUrl, v.driver.form(body))));
        v.refresh.push(t.refresh_token);
        v.access.push(t.access_token);
      } else {
        const token = op === "MCP read_note, OAuth" ? v.access[i % 32] : v.f.wikiToken;
        const res = await v.app.fetch(new Request(v.f.mcpUrl, v.driver.mcpInit(token, i)));
        const text = await res.text();
        if (res.status !== 200 || text.includes('"isError":true')) throw new Error(`MCP: ${res.status} ${text}`);
      }
    });
    const used = cpuUsage(start);
    v.rounds[op].push((used.user + used.system) / ROUND);
  };
  for (const op of OPERATIONS) {
    const count = (op.startsWith("MCP") ? 2 : 1) * Math.floor(CODES / ROUND);
    for (let r = 0; r < count; r++) {
      for (const v of r % 2 === 0 ? versions : [...versions].reverse()) await round(v, op);
    }
  }
  return [versions[0].rounds, versions[1].rounds];
}

/** Checks `rev` out in a temporary worktree with this checkout's driver copied in; returns its directory. */
async function checkout(root: string, rev: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "versions-ab-wt-" });
  const git = new Deno.Command("git", { args: ["-C", root, "worktree", "add", "--detach", dir, rev], stderr: "piped" });
  const out = await git.output();
  if (!out.success) throw new Error(`git worktree add ${rev}: ${new TextDecoder().decode(out.stderr)}`);
  for (const file of ["oauth_bench.ts", "stats.ts"]) {
    await Deno.copyFile(`${root}/bench/${file}`, `${dir}/bench/${file}`);
  }
  return dir;
}

/** Runs this module in a new process for one orientation; returns its per-round costs. */
async function runChild(first: string, second: string): Promise<[Rounds, Rounds]> {
  const self = new URL(import.meta.url).pathname;
  const root = new URL("../", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--config", `${root}deno.json`, self, "--measure", first, second],
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error("a measuring run failed (see above)");
  return JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!);
}

if (import.meta.main) {
  if (Deno.args[0] === "--measure") {
    console.log(JSON.stringify(await measure(Deno.args[1], Deno.args[2])));
    Deno.exit(0);
  }
  const [revA, revB = "HEAD"] = Deno.args;
  if (!revA) {
    console.error("usage: deno task bench:versions <rev-a> [<rev-b>]");
    Deno.exit(2);
  }
  const root = new URL("../", import.meta.url).pathname;
  const dirs: string[] = [];
  try {
    for (const rev of [revA, revB]) dirs.push(await checkout(root, rev));
    console.log(`versions A/B: a = ${revA}, b = ${revB}; ${CODES} codes, rounds of ${ROUND}, both load orders ...`);
    const [aFirstA, aFirstB] = await runChild(dirs[0], dirs[1]);
    const [bFirstB, bFirstA] = await runChild(dirs[1], dirs[0]);
    console.log("operation                    a µs/req  b µs/req   b/a (a loaded first, b first)");
    for (const op of OPERATIONS) {
      const c = combinedRatio({ a: aFirstA[op], b: aFirstB[op] }, { a: bFirstA[op], b: bFirstB[op] });
      const a = percentile([...aFirstA[op], ...bFirstA[op]], 50);
      const b = percentile([...aFirstB[op], ...bFirstB[op]], 50);
      console.log(
        `${op.padEnd(28)} ${a.toFixed(0).padStart(8)}  ${b.toFixed(0).padStart(8)}  ${c.ratio.toFixed(3)} ` +
          `(${c.runs.map((r) => r.toFixed(3)).join(", ")})`,
      );
    }
  } finally {
    for (const dir of dirs) {
      await new Deno.Command("git", { args: ["-C", root, "worktree", "remove", "--force", dir] }).output();
    }
  }
}

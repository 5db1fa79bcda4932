/**
 * @module
 * MCP benchmark: the same authenticated `read_note` (2025-era stateless POST, as Claude sends it) at 32 concurrent
 * connections against three servers, each in its own process on 127.0.0.1:
 * - ours: the app (`createApp`) on a file KV;
 * - ceiling: a hand-written JSON-RPC handler on bare `Deno.serve` doing the same token check (lib/auth) and page
 *   read (PageStore.readWithBacklinks, same formatter) with no SDK and no Hono, on a file KV;
 * - node: Node 20 + Express 5 + the v1 SDK's stateless Streamable HTTP transport with a server per request
 *   (bench/node_reference.mjs; its dependencies are installed with npm into .tmp/bench-node on first run).
 * Also ours with a 2026-07-28 request.
 * All servers run at once and the timed requests are split into interleaved rounds, so that load from other
 * processes on the machine falls on every server alike. Each server's CPU time per request (from /proc) is reported
 * too: unlike req/s it hardly depends on other load on the machine. KV round trips per call are counted in-process
 * with a counting KV wrapper.
 *
 * `runMcpBench()` is what bench/main.ts calls; `deno run -A bench/mcp_bench.ts` runs it alone. The load generator
 * runs in this process with a bounded number of requests; servers are stopped by their pid.
 */
import { createApp } from "../main.ts";
import { testConfig } from "../lib/config.ts";
import { loadKeyRing } from "../lib/keys.ts";
import { createWikis } from "../lib/wiki/wikis.ts";
import { createWikiTokens } from "../lib/auth/tokens.ts";
import { authenticate } from "../lib/auth/authenticate.ts";
import { formatNote } from "../lib/mcp/format.ts";
import { FOREIGN_WIKI_DATA } from "../lib/platform/wiki_lifecycle.ts";
import { cpuSecondsOf } from "./stats.ts";

/** Options of a run. */
export interface McpBenchOptions {
  /** Timed requests per server, over all rounds (each round warms up with 10 per connection). Default 5000. */
  requests?: number;
  /** Concurrent connections. Default 32. */
  concurrency?: number;
  /** Interleaved rounds the requests are split into (default 5). */
  rounds?: number;
  /** Skip the Node reference (e.g. when npm is unreachable). */
  skipNode?: boolean;
  /** Progress and table output. Default console.log. */
  log?: (line: string) => void;
}

/** Numbers of one server. */
export interface ServerNumbers {
  name: string;
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  p50ms: number;
  p99ms: number;
  /**
   * CPU time the server process spent per request (user + system, from /proc; µs), or null where /proc is absent.
   * Unlike req/s it hardly depends on what else runs on the machine.
   */
  cpuUsPerRequest: number | null;
  /** KV round trips per read_note (get, getMany, list, commit each count one); null when the server has no KV. */
  kvRoundTrips: number | null;
}

/** Result of a run, with the targets evaluated. */
export interface McpBenchResult {
  servers: ServerNumbers[];
  /** ours rps / node rps, node in its default (SSE) configuration like ours (target >= 3). */
  oursToNode: number | null;
  /** ours rps / node rps with `enableJsonResponse: true` (the faster Node configuration). */
  oursToNodeJson: number | null;
  /** ours rps / ceiling rps. */
  oursToCeiling: number;
  targets: { atLeast3xNode: boolean | null; p99Under25ms: boolean; atMost2KvRoundTrips: boolean };
}

const ROOT = new URL("..", import.meta.url).pathname;
const NODE_DIR = `${ROOT}.tmp/bench-node`;
const NODE_DEPS = ["express@5.3.0", "@modelcontextprotocol/sdk@1.32.2", "zod@4.6.7"];

function readNoteBody(id: number, modern: boolean): string {
  const params: Record<string, unknown> = { name: "read_note", arguments: { path: "Home" } };
  if (modern) {
    params._meta = {
      "io.modelcontextprotocol/protocolVersion": "2026-07-28",
      "io.modelcontextprotocol/clientCapabilities": {},
      "io.modelcontextprotocol/clientInfo": { name: "bench", version: "1" },
    };
  }
  return JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params });
}

function headersFor(token: string, modern: boolean): Record<string, string> {
  const h: Record<string, string> = {
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    authorization: `Bearer ${token}`,
    "mcp-protocol-version": modern ? "2026-07-28" : "2025-11-25",
  };
  if (modern) Object.assign(h, { "mcp-method": "tools/call", "mcp-name": "read_note" });
  return h;
}

/** Wraps a KV store so that each get, getMany, list and atomic commit counts as one round trip. */
function countingKv(kv: Deno.Kv): { kv: Deno.Kv; count: () => number; reset: () => void } {
  let n = 0;
  const proxy = new Proxy(kv, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target);
      if (typeof v !== "function") return v;
      if (prop === "get" || prop === "getMany" || prop === "list") {
        return (...a: unknown[]) => {
          n++;
          return v.apply(target, a);
        };
      }
      if (prop === "atomic") {
        return () => {
          const op = target.atomic();
          const p: Deno.AtomicOperation = new Proxy(op, {
            get(t, q) {
              const f = Reflect.get(t, q, t);
              if (typeof f !== "function") return f;
              return (...a: unknown[]) => {
                if (q === "commit") n++;
                const r = f.apply(t, a);
                return r === t ? p : r;
              };
            },
          });
          return p;
        };
      }
      return v.bind(target);
    },
  });
  return { kv: proxy, count: () => n, reset: () => (n = 0) };
}

// ---------------------------------------------------------------- servers (subprocess side)

/** The Deno servers: the app (main.ts serves `/mcp` through lib/mcp/fast_path.ts), the hand-written ceiling. */
type Kind = "ours" | "ceiling";

/** A server's setup in its process: a handler, plus a token and what it answers. */
async function setupServer(kind: Kind, dir: string, kv: Deno.Kv, port: number) {
  const config = testConfig({ publicOrigin: `http://127.0.0.1:${port}`, kvPath: `${dir}/bench.kv` });
  const actor = { id: "local:bench", name: "bench", client: "cli" };
  if (kind !== "ceiling") {
    const app = await createApp(config, kv);
    const wiki = await app.deps.wikis.create({ slug: "bench", ownerDid: "local:bench" }, actor);
    const { token } = await createWikiTokens({ kv, keys: app.deps.keys }).create(wiki, { label: "bench" });
    await app.deps.wikis.pages(wiki).list(); // warm the in-process catalog (backlinks without a KV list)
    const url = app.deps.urls.mcp("bench");
    return { handler: app.fetch, token, url };
  }
  const keys = await loadKeyRing(kv, config);
  const wikis = createWikis({ kv, limits: config.limits }, FOREIGN_WIKI_DATA);
  const wiki = await wikis.create({ slug: "bench", ownerDid: "local:bench" }, actor);
  const tokens = createWikiTokens({ kv, keys });
  const { token } = await tokens.create(wiki, { label: "bench" });
  const verifiers = [tokens.verifier()];
  await wikis.pages(wiki).list();
  const handler = async (req: Request): Promise<Response> => {
    if (req.method !== "POST") return new Response(null, { status: 405, headers: { allow: "POST" } });
    const auth = await authenticate(kv, req, "bench", verifiers);
    if (!auth.result.ok || auth.wiki === null) return new Response(null, { status: 401 });
    const msg = await req.json();
    if (msg?.method !== "tools/call" || msg.params?.name !== "read_note") {
      return Response.json({ jsonrpc: "2.0", id: msg?.id ?? null, error: { code: -32601, message: "nope" } });
    }
    const page = await wikis.pages(auth.wiki).readWithBacklinks(String(msg.params.arguments?.path));
    const text = formatNote(page, { linksTo: page.links, linkedFrom: page.linkedFrom });
    return Response.json({ jsonrpc: "2.0", id: msg.id, result: { content: [{ type: "text", text }] } });
  };
  return { handler, token, url: `http://127.0.0.1:${port}/mcp` };
}

async function serveMain(kind: Kind, dir: string): Promise<void> {
  let handler: (r: Request) => Promise<Response> = () => Promise.resolve(new Response("", { status: 503 }));
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (r) => handler(r));
  const kv = await Deno.openKv(`${dir}/bench.kv`);
  const s = await setupServer(kind, dir, kv, server.addr.port);
  handler = s.handler;
  console.log(JSON.stringify({ port: server.addr.port, token: s.token, url: s.url }));
  // Exit normally on SIGTERM, so that `MCP_BENCH_DENO_ARGS="--cpu-prof --cpu-prof-dir=DIR"` writes a profile.
  Deno.addSignalListener("SIGTERM", () => Deno.exit(0));
  await server.finished;
}

// ---------------------------------------------------------------- load generator (bench side)

/** One timed round against one server: latencies (ms), errors, wall seconds, server CPU seconds (or null). */
interface Round {
  lat: number[];
  errors: number;
  seconds: number;
  cpuSeconds: number | null;
}

/** Warm-up requests per round (10 per connection), set by runMcpBench. */
let WARMUP_TOTAL = 0;

async function load(
  url: string,
  headers: Record<string, string>,
  modern: boolean,
  requests: number,
  concurrency: number,
): Promise<Round> {
  let next = 0;
  let errors = 0;
  const lat: number[] = [];
  const one = async (id: number, record: boolean) => {
    const t0 = performance.now();
    try {
      const res = await fetch(url, { method: "POST", headers, body: readNoteBody(id, modern) });
      const text = await res.text();
      if (
        res.status !== 200 || !text.includes("Path: Home") && !text.includes("# Home") || text.includes('isError":true')
      ) {
        errors++;
      }
    } catch {
      errors++;
    }
    if (record) lat.push(performance.now() - t0);
  };
  await Promise.all(Array.from({ length: concurrency }, async (_, w) => {
    for (let i = 0; i < 10; i++) await one(w * 100 + i, false);
  }));
  errors = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < requests) {
      const id = next++;
      await one(id, true);
    }
  }));
  return { lat, errors, seconds: (performance.now() - start) / 1000, cpuSeconds: null };
}

/** {@link load}, with the CPU time process `pid` spent meanwhile. */
async function loadMeasured(pid: number, ...args: Parameters<typeof load>): Promise<Round> {
  const before = cpuSecondsOf(pid);
  const r = await load(...args);
  const after = cpuSecondsOf(pid);
  return { ...r, cpuSeconds: before === null || after === null ? null : after - before };
}

/** A server's numbers over all its rounds: requests / total seconds, percentiles of all latencies. */
function combine(rounds: Round[]): Omit<ServerNumbers, "name" | "kvRoundTrips"> {
  const lat = rounds.flatMap((r) => r.lat).sort((a, b) => a - b);
  const seconds = rounds.reduce((n, r) => n + r.seconds, 0);
  const pct = (p: number) => lat[Math.min(lat.length - 1, Math.floor(lat.length * p))];
  const cpu = rounds.every((r) => r.cpuSeconds !== null) ? rounds.reduce((n, r) => n + r.cpuSeconds!, 0) : null;
  return {
    requests: lat.length,
    errors: rounds.reduce((n, r) => n + r.errors, 0),
    seconds,
    rps: lat.length / seconds,
    p50ms: pct(0.5),
    p99ms: pct(0.99),
    // The warm-up requests of each round (10 per connection) ran on the server too.
    cpuUsPerRequest: cpu === null ? null : (cpu * 1e6) / (lat.length + rounds.length * WARMUP_TOTAL),
  };
}

/** Starts a subprocess and waits for its first stdout line (JSON); returns it with the process. */
async function spawnServer(cmd: string, args: string[], env: Record<string, string> = {}, cwd?: string) {
  const child = new Deno.Command(cmd, { args, env, cwd, stdout: "piped", stderr: "inherit" }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  const deadline = Date.now() + 60_000;
  while (!buf.includes("\n")) {
    if (Date.now() > deadline) throw new Error(`${cmd} did not start`);
    const { value, done } = await reader.read();
    if (done) throw new Error(`${cmd} exited before listening`);
    buf += value;
  }
  (async () => {
    for (;;) if ((await reader.read()).done) break;
  })().catch(() => {});
  const info = JSON.parse(buf.slice(0, buf.indexOf("\n")));
  return { child, info };
}

async function stop(child: Deno.ChildProcess): Promise<void> {
  try {
    child.kill("SIGTERM");
  } catch { /* already gone */ }
  await child.status;
}

/** KV round trips of one read_note, measured in-process (steady state: after a warm-up call). */
async function measureRoundTrips(kind: Kind, modern: boolean): Promise<number> {
  const dir = await Deno.makeTempDir({ prefix: "mcp-bench-rt-" });
  const real = await Deno.openKv(`${dir}/bench.kv`);
  try {
    const c = countingKv(real);
    const s = await setupServer(kind, dir, c.kv, 8000);
    const call = async (id: number) => {
      const res = await s.handler(
        new Request(s.url, { method: "POST", headers: headersFor(s.token, modern), body: readNoteBody(id, modern) }),
      );
      await res.text();
    };
    await call(1);
    await call(2);
    c.reset();
    const n = 20;
    for (let i = 0; i < n; i++) await call(10 + i);
    return c.count() / n;
  } finally {
    real.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

async function ensureNodeDeps(log: (s: string) => void): Promise<void> {
  try {
    await Deno.stat(`${NODE_DIR}/node_modules/@modelcontextprotocol/sdk/package.json`);
    await Deno.stat(`${NODE_DIR}/node_modules/express/package.json`);
    return;
  } catch { /* install */ }
  log(`installing ${NODE_DEPS.join(" ")} into .tmp/bench-node ...`);
  await Deno.mkdir(NODE_DIR, { recursive: true });
  await Deno.writeTextFile(`${NODE_DIR}/package.json`, JSON.stringify({ private: true, type: "module" }));
  const out = await new Deno.Command("npm", {
    args: ["install", "--no-audit", "--no-fund", "--silent", ...NODE_DEPS],
    cwd: NODE_DIR,
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error("npm install for the Node reference failed");
}

function fmtRow(s: ServerNumbers): string {
  const rt = s.kvRoundTrips === null ? "n/a" : s.kvRoundTrips.toFixed(2);
  const cpu = s.cpuUsPerRequest === null ? "n/a" : s.cpuUsPerRequest.toFixed(0);
  return `${s.name.padEnd(24)} ${s.rps.toFixed(0).padStart(7)} ${s.p50ms.toFixed(2).padStart(8)} ` +
    `${s.p99ms.toFixed(2).padStart(8)} ${cpu.padStart(9)} ${rt.padStart(6)} ${String(s.errors).padStart(6)}`;
}

/** Runs the benchmark and prints a table; returns the numbers. */
export async function runMcpBench(opts: McpBenchOptions = {}): Promise<McpBenchResult> {
  const requests = opts.requests ?? 5000;
  const concurrency = opts.concurrency ?? 32;
  const log = opts.log ?? console.log;
  const extra = Deno.env.get("MCP_BENCH_DENO_ARGS")?.split(" ").filter(Boolean) ?? [];
  const rounds = Math.max(1, opts.rounds ?? 5);
  const perRound = Math.ceil(requests / rounds);
  WARMUP_TOTAL = 10 * concurrency;
  const servers: ServerNumbers[] = [];

  // Every server runs for the whole benchmark; the timed rounds are interleaved (A B C D, A B C D, ...), so that
  // load from other processes on the machine falls on all servers alike instead of on whichever ran at that time.
  interface Target {
    name: string;
    url: string;
    headers: Record<string, string>;
    modern: boolean;
    pid: number;
    kvRoundTrips: () => Promise<number | null>;
  }
  const targets: Target[] = [];
  const children: Deno.ChildProcess[] = [];
  const dirs: string[] = [];
  try {
    let pageText = "";
    for (const kind of ["ours", "ceiling"] as const) {
      const dir = await Deno.makeTempDir({ prefix: `mcp-bench-${kind}-` });
      dirs.push(dir);
      const { child, info } = await spawnServer(Deno.execPath(), [
        "run",
        "-A",
        ...extra,
        new URL(import.meta.url).pathname,
        "serve",
        kind,
        dir,
      ]);
      children.push(child);
      if (kind === "ours") {
        const res = await fetch(info.url, {
          method: "POST",
          headers: headersFor(info.token, false),
          body: readNoteBody(0, false),
        });
        const raw = await res.text();
        const m = raw.match(/"text":("(?:[^"\\]|\\.)*")/);
        pageText = m ? JSON.parse(m[1]) : "# Home\n";
      }
      for (const modern of kind === "ours" ? [false, true] : [false]) {
        const name = kind === "ours" ? `ours (${modern ? "2026-07-28" : "2025-11-25"})` : "ceiling (no SDK)";
        targets.push({
          name,
          url: info.url,
          headers: headersFor(info.token, modern),
          modern,
          pid: child.pid,
          kvRoundTrips: () => measureRoundTrips(kind, modern),
        });
      }
    }
    if (!opts.skipNode) {
      await ensureNodeDeps(log);
      const token = "rwtf_bench_node_reference_token";
      // ESM resolves packages from the script's folder: run a copy placed next to its node_modules.
      await Deno.copyFile(`${ROOT}bench/node_reference.mjs`, `${NODE_DIR}/node_reference.mjs`);
      for (const json of [false, true]) {
        const { child, info } = await spawnServer("node", [`${NODE_DIR}/node_reference.mjs`], {
          TOKEN: token,
          PAGE_TEXT: pageText,
          JSON_RESPONSE: json ? "1" : "0",
        }, NODE_DIR);
        children.push(child);
        targets.push({
          name: `node ref (${json ? "JSON" : "SSE, default"})`,
          url: `http://127.0.0.1:${info.port}/mcp`,
          headers: headersFor(token, false),
          modern: false,
          pid: child.pid,
          kvRoundTrips: () => Promise.resolve(null),
        });
      }
    }
    const results = new Map<string, Round[]>(targets.map((t) => [t.name, []]));
    for (let round = 0; round < rounds; round++) {
      log(`round ${round + 1}/${rounds}: ${perRound} requests per server at ${concurrency} connections ...`);
      for (const t of targets) {
        results.get(t.name)!.push(await loadMeasured(t.pid, t.url, t.headers, t.modern, perRound, concurrency));
      }
    }
    for (const t of targets) {
      servers.push({ name: t.name, ...combine(results.get(t.name)!), kvRoundTrips: await t.kvRoundTrips() });
    }
  } finally {
    for (const c of children) await stop(c);
    for (const d of dirs) await Deno.remove(d, { recursive: true }).catch(() => {});
  }

  const ours = servers[0];
  const ceiling = servers.find((s) => s.name.startsWith("ceiling"))!;
  const node = servers.find((s) => s.name.startsWith("node ref (SSE"));
  const nodeJson = servers.find((s) => s.name.startsWith("node ref (JSON"));
  const result: McpBenchResult = {
    servers,
    oursToNode: node ? ours.rps / node.rps : null,
    oursToNodeJson: nodeJson ? ours.rps / nodeJson.rps : null,
    oursToCeiling: ours.rps / ceiling.rps,
    targets: {
      atLeast3xNode: node ? ours.rps / node.rps >= 3 : null,
      p99Under25ms: ours.p99ms < 25,
      atMost2KvRoundTrips: (ours.kvRoundTrips ?? 0) <= 2,
    },
  };
  log("");
  log(`MCP read_note, ${concurrency} connections, ${requests} requests each`);
  log(
    `${"server".padEnd(24)} ${"req/s".padStart(7)} ${"p50 ms".padStart(8)} ${"p99 ms".padStart(8)} ` +
      `${"CPU µs/req".padStart(9)} ${"KV rt".padStart(6)} ${"errors".padStart(6)}`,
  );
  for (const s of servers) log(fmtRow(s));
  const cpuRatio = (a?: ServerNumbers, b?: ServerNumbers) =>
    a?.cpuUsPerRequest && b?.cpuUsPerRequest ? (b.cpuUsPerRequest / a.cpuUsPerRequest).toFixed(2) : "n/a";
  log(
    `server CPU per request (hardly depends on other load): node SSE / ours = ${cpuRatio(ours, node)}, ` +
      `node JSON / ours = ${cpuRatio(ours, nodeJson)}, ceiling / ours = ${cpuRatio(ours, ceiling)}`,
  );
  log(
    `ours/node = ${result.oursToNode?.toFixed(2) ?? "n/a"} (target >= 3; vs node JSON ` +
      `${result.oursToNodeJson?.toFixed(2) ?? "n/a"}), ours/ceiling = ` +
      `${result.oursToCeiling.toFixed(2)}, ours p99 ${ours.p99ms.toFixed(1)} ms (target < 25), ` +
      `KV round trips ${ours.kvRoundTrips?.toFixed(2)} (target <= 2)`,
  );
  return result;
}

if (import.meta.main) {
  if (Deno.args[0] === "serve") {
    await serveMain(Deno.args[1] as Kind, Deno.args[2]);
  } else {
    const requests = Number(Deno.args[0] ?? 5000);
    await runMcpBench({ requests });
  }
}

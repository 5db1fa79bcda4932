/**
 * @module
 * Git clone benchmark (lib/git/, `{wiki}/wiki.git`) on the default file KV, the app served on a loopback socket:
 *
 * 1. The 10,000-page bench wiki (bench/wiki_bench.ts's generator; one revision per page plus 300 updates):
 *    - baseline, same run: reading every page through the page store (`PageStore.list` then `read` of each; the
 *      faster of two passes);
 *    - a real `git clone` over HTTP (server and client on this machine), and the server's side alone (index the
 *      history, then stream the whole pack, in process), as ratios against the baseline;
 *    - the peak RSS (VmHWM) and CPU time of the server: a fresh process (bench/git_server.ts) on the same KV file.
 *    Wall times on a busy machine vary; the server's CPU seconds against the baseline's are the steadier figure.
 *    Targets: clone at most 5x the baseline read; RSS under 300 MB.
 * 2. Smart or dumb protocol, on a 500-page, 5,000-revision wiki: the requests and bytes of a smart clone (counted at
 *    the socket), against the requests a dumb clone needs (one per loose object, plus `info/refs` and `HEAD`).
 *
 * Without /usr/bin/git the clone rows are skipped (targets n/a) and the server-side row is still measured.
 */
import { createApp } from "../main.ts";
import { testConfig } from "../lib/config.ts";
import type { Actor } from "../lib/wiki/types.ts";
import type { PageStore } from "../lib/wiki/store.ts";
import { countObjects, historyObjects, indexHistory } from "../lib/git/history.ts";
import { packStream } from "../lib/git/pack.ts";
import { corpus, pageContent, pagePath } from "./wiki_bench.ts";
import { cpuSecondsOf, seededRandom, table } from "./stats.ts";
import { createWikis } from "../lib/wiki/wikis.ts";
import { DEFAULT_LIMITS } from "../lib/config.ts";
import { FOREIGN_WIKI_DATA } from "../lib/platform/wiki_lifecycle.ts";
import { SERVER_V8_FLAGS } from "./stats.ts";

/** Options of a run (defaults are the benchmark's; smaller while developing). */
export interface GitBenchOptions {
  pages?: number;
  updates?: number;
  protocolPages?: number;
  protocolRevisions?: number;
  log?: (line: string) => void;
}

/** Numbers of a run. */
export interface GitBenchResult {
  pages: number;
  revisions: number;
  readAllMs: number;
  readAllCpuS: number | null;
  cloneMs: number | null;
  /** CPU seconds of the server process for the clone. */
  cloneServerCpuS: number | null;
  serverMs: number;
  serverCpuS: number | null;
  /** RSS of the fresh server process before the clone, and its peak (VmHWM) after it. */
  rssBeforeMb: number | null;
  peakRssMb: number | null;
  packMb: number;
  protocol: { smartRequests: number | null; smartMb: number | null; dumbRequests: number; objects: number };
  targets: Record<string, boolean | null>;
}

const ACTOR: Actor = { id: "local:bench", name: "bench", client: "cli" };
const GIT = "/usr/bin/git";
const MB = 1024 * 1024;

/** A served app with one public wiki on a fresh file KV; `requests` and `bytes` count what the socket answered. */
async function servedWiki(pages: number) {
  const dir = await Deno.makeTempDir({ prefix: "git-bench-" });
  const kv = await Deno.openKv(`${dir}/bench.kv`);
  const counters = { requests: 0, bytes: 0 };
  let app: Awaited<ReturnType<typeof createApp>> | null = null;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    if (!app) return new Response("starting", { status: 503 });
    counters.requests++;
    const res = await app.fetch(req);
    if (!res.body) return res;
    const counted = res.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, c) {
          counters.bytes += chunk.length;
          c.enqueue(chunk);
        },
      }),
    );
    return new Response(counted, { status: res.status, headers: res.headers });
  });
  const origin = `http://localhost:${server.addr.port}`;
  const base = testConfig({ publicOrigin: origin });
  const config = testConfig({
    publicOrigin: origin,
    limits: { ...base.limits, quotaPages: pages + 1000, quotaBytes: 2 * 1024 * MB },
  });
  app = await createApp(config, kv);
  const wiki = await app.deps.wikis.create(
    { slug: "bench", ownerDid: "local:bench", visibility: "public", seed: false },
    ACTOR,
  );
  const store = app.deps.wikis.pages(wiki);
  return {
    kv,
    wiki,
    store,
    counters,
    url: `${origin}/w/bench/wiki.git`,
    kvPath: `${dir}/bench.kv`,
    /** Stops the server and closes the store, keeping the KV file. */
    async stop() {
      await server.shutdown();
      kv.close();
    },
    async remove() {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
    async close() {
      await server.shutdown();
      kv.close();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/** Writes `pages` generated pages, then `updates` updates of random pages (fixed seed). */
async function generate(store: PageStore, pages: number, updates: number, log: (l: string) => void): Promise<void> {
  const c = corpus(20261126);
  const revisions: string[] = [];
  const start = performance.now();
  for (let i = 0; i < pages; i++) {
    revisions.push((await store.write(pagePath(i), pageContent(c, i, pages, 300), {}, ACTOR)).revision);
    if ((i + 1) % 2000 === 0) log(`  ${i + 1} pages, ${((performance.now() - start) / 1000).toFixed(1)} s`);
  }
  const rand = seededRandom(7);
  for (let k = 0; k < updates; k++) {
    const i = Math.floor(rand() * pages);
    const text = pageContent(c, i, pages, 300, k + 1);
    revisions[i] = (await store.write(pagePath(i), text, { revision: revisions[i] }, ACTOR)).revision;
  }
}

/** Reads every page through the page store; wall milliseconds and this process's CPU seconds. */
async function readAll(store: PageStore): Promise<{ ms: number; cpuS: number | null }> {
  const cpu0 = cpuSecondsOf(Deno.pid);
  const start = performance.now();
  let bytes = 0;
  for (const meta of await store.list()) bytes += (await store.read(meta.path)).content.length;
  if (bytes === 0) throw new Error("read nothing");
  const ms = performance.now() - start;
  const cpu1 = cpuSecondsOf(Deno.pid);
  return { ms, cpuS: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0 };
}

/** Runs `git clone` of `url` into a temp dir; wall milliseconds. */
async function gitClone(url: string): Promise<number> {
  const dir = await Deno.makeTempDir({ prefix: "git-bench-clone-" });
  try {
    const start = performance.now();
    const out = await new Deno.Command(GIT, {
      args: ["clone", "--quiet", url, `${dir}/c`],
      env: { GIT_CONFIG_NOSYSTEM: "1", HOME: dir, GIT_TERMINAL_PROMPT: "0" },
      stdout: "null",
      stderr: "piped",
    }).output();
    const ms = performance.now() - start;
    if (!out.success) throw new Error(`git clone failed: ${new TextDecoder().decode(out.stderr)}`);
    return ms;
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** `VmHWM` (peak RSS) or `VmRSS` of process `pid` in MB, from /proc; null when unavailable. */
function memoryOf(pid: number, field: "VmHWM" | "VmRSS"): number | null {
  try {
    const m = Deno.readTextFileSync(`/proc/${pid}/status`).match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/**
 * Clones the wiki in `kvPath` from a fresh server process (bench/git_server.ts): the clone's wall time, the
 * server's CPU seconds for it, and its RSS before and at its peak.
 */
async function cloneFromServerProcess(kvPath: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", SERVER_V8_FLAGS, new URL("./git_server.ts", import.meta.url).pathname, kvPath],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  try {
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    while (!/port \d+/.test(seen)) {
      const { value, done } = await reader.read();
      if (done) throw new Error("the git bench server exited before listening");
      seen += value;
    }
    const port = Number(seen.match(/port (\d+)/)![1]);
    const rssBefore = memoryOf(child.pid, "VmRSS");
    const cpu0 = cpuSecondsOf(child.pid);
    const ms = await gitClone(`http://localhost:${port}/w/bench/wiki.git`);
    const cpu1 = cpuSecondsOf(child.pid);
    const peak = memoryOf(child.pid, "VmHWM");
    reader.cancel().catch(() => {});
    return { ms, cpuS: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0, rssBefore, peak };
  } finally {
    child.kill();
    await child.status;
  }
}

/** The server's side of a clone, in process: index the history, stream the whole pack; ms and pack bytes. */
async function serverSide(kv: Deno.Kv, wikiId: string) {
  const cpu0 = cpuSecondsOf(Deno.pid);
  const start = performance.now();
  const index = await indexHistory(kv, wikiId);
  const tip = index.commits[index.commits.length - 1].seq;
  const objects = countObjects(index, 0, tip);
  let bytes = 0;
  for await (const chunk of packStream(objects, historyObjects(kv, index, 0, tip))) bytes += chunk.length;
  const ms = performance.now() - start;
  const cpu1 = cpuSecondsOf(Deno.pid);
  return { ms, cpuS: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0, bytes, objects };
}

function haveGit(): boolean {
  try {
    return Deno.statSync(GIT).isFile;
  } catch {
    return false;
  }
}

/** Runs the git benchmark; prints a report and returns the numbers. */
export async function runGitBench(opts: GitBenchOptions = {}): Promise<GitBenchResult> {
  const pages = opts.pages ?? 10_000;
  const updates = opts.updates ?? 300;
  const log = opts.log ?? console.log;
  const withGit = haveGit();
  if (!withGit) log(`!!! ${GIT} not found: the git clone rows are skipped`);

  // ---- 1. the bench wiki: generated here, then read and cloned by fresh processes' state
  log(`git bench: generating ${pages} pages + ${updates} updates on a file KV ...`);
  const big = await servedWiki(pages);
  let result: GitBenchResult;
  try {
    await generate(big.store, pages, updates, log);
    const wikiId = big.wiki.id;
    await big.stop();
    const kv = await Deno.openKv(big.kvPath);
    try {
      const store = createWikis({ kv, limits: DEFAULT_LIMITS }, FOREIGN_WIKI_DATA).pages(big.wiki);
      const reads = [await readAll(store), await readAll(store)];
      const read = reads[0].ms <= reads[1].ms ? reads[0] : reads[1];
      const server = await serverSide(kv, wikiId);
      const clone = withGit ? await cloneFromServerProcess(big.kvPath) : null;
      result = {
        pages,
        revisions: pages + updates,
        readAllMs: read.ms,
        readAllCpuS: read.cpuS,
        cloneMs: clone?.ms ?? null,
        cloneServerCpuS: clone?.cpuS ?? null,
        serverMs: server.ms,
        serverCpuS: server.cpuS,
        rssBeforeMb: clone?.rssBefore ?? null,
        peakRssMb: clone?.peak ?? null,
        packMb: server.bytes / MB,
        protocol: { smartRequests: null, smartMb: null, dumbRequests: 0, objects: 0 },
        targets: {},
      };
    } finally {
      kv.close();
    }
  } finally {
    await big.remove();
  }

  // ---- 2. smart vs dumb
  const pPages = opts.protocolPages ?? 500;
  const pRevisions = opts.protocolRevisions ?? 5_000;
  log(`git bench: protocol comparison on ${pPages} pages, ${pRevisions} revisions ...`);
  const small = await servedWiki(pPages);
  try {
    await generate(small.store, pPages, pRevisions - pPages, () => {});
    const index = await indexHistory(small.kv, small.wiki.id);
    const objects = countObjects(index, 0, index.commits[index.commits.length - 1].seq);
    result.protocol.objects = objects;
    result.protocol.dumbRequests = objects + 2;
    if (withGit) {
      small.counters.requests = 0;
      small.counters.bytes = 0;
      await gitClone(small.url);
      result.protocol.smartRequests = small.counters.requests;
      result.protocol.smartMb = small.counters.bytes / MB;
    }
  } finally {
    await small.close();
  }

  const x = (a: number | null, base: number | null) => (a === null || !base ? "n/a" : `${(a / base).toFixed(2)}x`);
  const sec = (a: number | null) => (a === null ? "n/a" : `${(a / 1000).toFixed(2)} s`);
  const cpu = (a: number | null) => (a === null ? "n/a" : `${a.toFixed(2)} s`);
  result.targets = {
    "clone at most 5x reading every page": result.cloneMs === null ? null : result.cloneMs <= 5 * result.readAllMs,
    "RSS during clone under 300 MB": result.peakRssMb === null ? null : result.peakRssMb < 300,
  };
  const r = result;
  log("");
  log(`Git clone, ${pages} pages, ${r.revisions} revisions (commits), file KV; pack ${r.packMb.toFixed(1)} MB`);
  log(table(["operation", "wall", "ratio", "cpu", "cpu ratio"], [
    ["baseline: read every page (page store)", sec(r.readAllMs), "1.00x", cpu(r.readAllCpuS), "1.00x"],
    [
      "git clone (wall: server + git; cpu: server)",
      sec(r.cloneMs),
      x(r.cloneMs, r.readAllMs),
      cpu(r.cloneServerCpuS),
      x(r.cloneServerCpuS, r.readAllCpuS),
    ],
    [
      "server side alone (index + whole pack)",
      sec(r.serverMs),
      x(r.serverMs, r.readAllMs),
      cpu(r.serverCpuS),
      x(r.serverCpuS, r.readAllCpuS),
    ],
  ]));
  log(
    `server process RSS: ${r.rssBeforeMb?.toFixed(0) ?? "n/a"} MB before the clone, peak ${
      r.peakRssMb?.toFixed(0) ?? "n/a"
    } MB`,
  );
  const p = r.protocol;
  log(
    `Protocol, ${pPages} pages / ${pRevisions} revisions: ${p.objects} objects; smart v2 clone: ` +
      `${p.smartRequests ?? "n/a"} requests, ${p.smartMb?.toFixed(1) ?? "n/a"} MB; dumb clone: at least ` +
      `${p.dumbRequests} requests (one per loose object)`,
  );
  for (const [name, ok] of Object.entries(r.targets)) log(`${ok === null ? "n/a " : ok ? "PASS" : "FAIL"} ${name}`);
  return result;
}

if (import.meta.main) {
  await runGitBench({ pages: Number(Deno.args[0] ?? 10_000) });
}

/**
 * Rules of the code base that hold for every change (issue 10): no file under lib/ or routes/ is over 400 lines, and
 * lib/ never imports routes/ (domain code stays framework-free). The wiki core's own import rule is in
 * tests/wiki/layering_test.ts.
 */
import { assertEquals } from "./assert.ts";

const ROOT = new URL("../", import.meta.url);
const MAX_LINES = 400;

/** Every .ts/.tsx file under `dir` (relative to the repository root), recursively. */
async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(new URL(dir, ROOT))) {
    const path = `${dir}${e.name}`;
    if (e.isDirectory) out.push(...await sourceFiles(`${path}/`));
    else if (/\.tsx?$/.test(e.name)) out.push(path);
  }
  return out.sort();
}

Deno.test("repo rules - no file under lib/ or routes/ is over 400 lines", async () => {
  const long: string[] = [];
  for (const path of [...await sourceFiles("lib/"), ...await sourceFiles("routes/")]) {
    const lines = (await Deno.readTextFile(new URL(path, ROOT))).replace(/\n$/, "").split("\n").length;
    if (lines > MAX_LINES) long.push(`${path}: ${lines} lines`);
  }
  assertEquals(long, []);
});

Deno.test("repo rules - lib/ imports nothing from routes/", async () => {
  const offenders: string[] = [];
  for (const path of await sourceFiles("lib/")) {
    const text = await Deno.readTextFile(new URL(path, ROOT));
    for (const m of text.matchAll(/from\s+["']((?:\.\.\/)+)routes\//g)) offenders.push(`${path}: ${m[0]}`);
  }
  assertEquals(offenders, []);
});

/** Matches a call on a Deno.Kv handle (or the expiring-record helpers that take one). */
const RAW_KV = /\bkv\.(?:get|getMany|set|delete|list|atomic|enqueue|watch)\b|\b(?:getLive|setExpiring)\(/;

/**
 * Each part's KV access lives in its store (issue 10): in these parts only the store modules call KV. The wiki core
 * (lib/wiki: its modules are the wiki store) and lib/kv (the shared KV helpers) are not listed.
 */
const STORE_MODULES: Record<string, RegExp> = {
  "lib/oauth/": /^lib\/oauth\/store(?:_\w+)?\.ts$/,
  "lib/auth/": /^lib\/auth\/(?:token_store|authenticate)\.ts$/, // authenticate: the one-round-trip seam (owners' keys)
  "lib/session/": /^lib\/session\/store\.ts$/,
  "lib/platform/": /^lib\/platform\/(?:store|heartbeat)\.ts$/, // heartbeat: the store of its own records (HeartbeatKeys)
  "lib/atproto/": /^lib\/atproto\/stores\.ts$/,
  "lib/mcp/": /^$/,
  "lib/git/": /^$/,
};

Deno.test("repo rules - in oauth, auth, session, platform, atproto, mcp and git only the store modules touch KV", async () => {
  const offenders: string[] = [];
  for (const [dir, allowed] of Object.entries(STORE_MODULES)) {
    for (const path of await sourceFiles(dir)) {
      if (allowed.test(path)) continue;
      const lines = (await Deno.readTextFile(new URL(path, ROOT))).split("\n");
      lines.forEach((line, i) => {
        if (!/^\s*(\*|\/\/)/.test(line) && RAW_KV.test(line)) offenders.push(`${path}:${i + 1}: ${line.trim()}`);
      });
    }
  }
  assertEquals(offenders, []);
});

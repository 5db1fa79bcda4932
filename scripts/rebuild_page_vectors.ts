/**
 * @module
 * `deno task vectors:rebuild`: stores the static page vectors of every wiki that lack one for the current word file
 * (lib/wiki/meaning/rebuild.ts), e.g. after `deno task vectors:build` changed the model id. Works on the app's KV
 * (`KV_PATH`); a local KV file may be open in one process only, so stop the app first. Safe to run again.
 */
import { loadConfig } from "../lib/config.ts";
import { openKv } from "../lib/kv/open.ts";
import type { WikiId } from "../lib/kv/keys.ts";
import { rebuildStaticVectors } from "../lib/wiki/meaning/rebuild.ts";

/** Rebuilds every wiki's static vectors in `kv`; returns the totals. */
export async function rebuildAll(kv: Deno.Kv, log: (line: string) => void = console.log) {
  const total = { wikis: 0, pages: 0, written: 0, dropped: 0 };
  for await (const e of kv.list({ prefix: ["wiki"] })) {
    if (e.key.length !== 2) continue;
    const wikiId = e.key[1] as WikiId;
    const r = await rebuildStaticVectors(kv, wikiId);
    log(`${wikiId}: ${r.pages} pages, ${r.written} vectors stored, ${r.dropped} stale dropped`);
    total.wikis++;
    total.pages += r.pages;
    total.written += r.written;
    total.dropped += r.dropped;
  }
  return total;
}

if (import.meta.main) {
  const kv = await openKv(loadConfig().kvPath);
  try {
    const t = await rebuildAll(kv);
    console.log(`${t.wikis} wikis, ${t.pages} pages: ${t.written} vectors stored, ${t.dropped} stale dropped`);
  } finally {
    kv.close();
  }
}

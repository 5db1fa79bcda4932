/**
 * @module
 * Shared setup of the page-store tests: an in-memory KV, a controllable clock, a wiki, and an invariant check
 * that the backlink index agrees with page contents.
 */
import { DEFAULT_LIMITS, type Limits } from "../../lib/config.ts";
import { createWikis, type Wikis } from "../../lib/wiki/wikis.ts";
import type { PageStore, StoreDeps } from "../../lib/wiki/store.ts";
import type { Actor, WikiRecord } from "../../lib/wiki/types.ts";
import { K } from "../../lib/wiki/keys.ts";
import { linkTargets } from "../../lib/wiki/wikilinks.ts";
import { loadText, type PageHead } from "../../lib/wiki/records.ts";
import { assertEquals } from "../assert.ts";
import { FOREIGN_WIKI_DATA } from "../../lib/platform/wiki_lifecycle.ts";

/** The actor of test writes. */
export const ALICE: Actor = { id: "did:plc:alice", name: "alice.test", client: "web" };
/** A second actor. */
export const BOB: Actor = { id: "did:plc:bob", name: "bob.test", client: "mcp:claude" };

/** A test wiki and its store. */
export interface Fixture {
  kv: Deno.Kv;
  deps: StoreDeps;
  wikis: Wikis;
  wiki: WikiRecord;
  pages: PageStore;
  clock: { t: number };
  close(): void;
}

/** Opens an in-memory KV and creates an unseeded wiki `test` with the given limit overrides. */
export async function setup(
  limits: Partial<Limits> = {},
  extra: Partial<StoreDeps> = {},
  kvOverride?: (kv: Deno.Kv) => Deno.Kv,
): Promise<Fixture> {
  const real = await Deno.openKv(":memory:");
  const kv = kvOverride ? kvOverride(real) : real;
  const clock = { t: 1_800_000_000_000 };
  const deps: StoreDeps = { kv, limits: { ...DEFAULT_LIMITS, ...limits }, now: () => clock.t, ...extra };
  const wikis = createWikis(deps, FOREIGN_WIKI_DATA);
  const wiki = await wikis.create({ slug: "test", ownerDid: ALICE.id, seed: false }, ALICE);
  return { kv, deps, wikis, wiki, pages: wikis.pages(wiki), clock, close: () => real.close() };
}

/** Asserts that the backlink index holds exactly the links of the live pages' contents. */
export async function assertBacklinkIndexConsistent(kv: Deno.Kv, wikiId: string): Promise<void> {
  const expected: string[] = [];
  for await (const e of kv.list<PageHead>({ prefix: K.pages(wikiId) })) {
    if (e.value.deleted) continue;
    const text = await loadText(kv, wikiId, e.value.content);
    for (const t of linkTargets(text)) expected.push(`${t} <- ${e.value.path}`);
  }
  const actual: string[] = [];
  for await (const e of kv.list({ prefix: ["link", wikiId] })) {
    actual.push(`${String(e.key[2])} <- ${String(e.key[3])}`);
  }
  assertEquals(actual.sort(), expected.sort());
}

/** Number of keys under a prefix. */
export async function countKeys(kv: Deno.Kv, prefix: Deno.KvKey): Promise<number> {
  let n = 0;
  for await (const _ of kv.list({ prefix })) n++;
  return n;
}

/** Another handle on the same KV (a separate in-process catalog cache, like a second process would have). */
export function otherHandle(kv: Deno.Kv): Deno.Kv {
  return new Proxy(kv, {
    get(target, prop) {
      const v = Reflect.get(target, prop);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

/** `n` bytes in a pattern that covers every byte value and that a wrong encoder or decoder would break. */
export function pattern(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 7 + (i >> 10)) & 255;
  return out;
}

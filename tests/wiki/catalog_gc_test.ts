/**
 * A catalog rebuild collects its garbage as it goes (lib/wiki/catalog.ts `REBUILD_GC_PAGES`, lib/gc.ts): once past
 * every 2,000 pages indexed and once at its end, so that a large wiki's rebuild does not pile up dead buffers.
 */
import { assertEquals } from "../assert.ts";
import { forgetCatalog, freshCatalog, REBUILD_GC_PAGES } from "../../lib/wiki/catalog.ts";
import { K } from "../../lib/wiki/keys.ts";
import { ALICE, setup } from "./store_helpers.ts";

/** Counts the collections `fn` asks for (a stand-in for V8's exposed gc). */
async function collections(fn: () => Promise<unknown>): Promise<number> {
  const g = globalThis as { gc?: () => void };
  const saved = g.gc;
  let calls = 0;
  g.gc = () => void calls++;
  try {
    await fn();
  } finally {
    if (saved) g.gc = saved;
    else delete g.gc;
  }
  return calls;
}

Deno.test("catalog - a rebuild collects garbage every REBUILD_GC_PAGES pages and at its end", async () => {
  const f = await setup({ quotaPages: REBUILD_GC_PAGES + 100 });
  try {
    await f.pages.write("Home", "one page", {}, ALICE);
    forgetCatalog(f.kv, f.wiki.id);
    assertEquals(await collections(() => freshCatalog(f.kv, f.wiki.id)), 1, "a small wiki: at the end only");
    // Past REBUILD_GC_PAGES heads (written straight into KV: the count is what matters, not the write path).
    const head = (await f.kv.get(K.page(f.wiki.id, "Home"))).value as Record<string, unknown>;
    for (let i = 0; i < REBUILD_GC_PAGES; i += 500) {
      const op = f.kv.atomic();
      for (let j = i; j < i + 500; j++) {
        const path = `P/${String(j).padStart(5, "0")}`;
        op.set(K.page(f.wiki.id, path), { ...head, path, pageId: `p_${j}` });
      }
      await op.commit();
    }
    forgetCatalog(f.kv, f.wiki.id);
    let size = 0;
    const calls = await collections(async () => size = (await freshCatalog(f.kv, f.wiki.id)).pages().length);
    assertEquals(size, REBUILD_GC_PAGES + 1);
    assertEquals(calls, 2, "once past the first 2,000 pages, once at the end");
  } finally {
    f.close();
  }
});

/**
 * The git view's output pinned for a fixed wiki (fixed clock and revision ids): the tip commit id and the pack's
 * checksum (its trailing SHA-1 over every byte) are constants recorded from the implementation before its memory
 * rework (in-place tree bodies, blob entries packed while indexing), so that a change to how the history is
 * replayed or packed cannot move a clone's commit ids or pack bytes unnoticed. Page ids are random, and blobs go
 * out page by page, so the pinned packs have their blobs sorted by id (everything else in the order it came).
 */
import { assertEquals } from "../assert.ts";
import { createWikis } from "../../lib/wiki/wikis.ts";
import { DEFAULT_LIMITS } from "../../lib/config.ts";
import { FOREIGN_WIKI_DATA } from "../../lib/platform/wiki_lifecycle.ts";
import type { Actor } from "../../lib/wiki/types.ts";
import { countObjects, historyObjects, indexHistory } from "../../lib/git/history.ts";
import { packStream } from "../../lib/git/pack.ts";
import { hex } from "../../lib/git/objects.ts";
import type { GitObject } from "../../lib/git/replay.ts";

const ACTOR: Actor = { id: "local:t", name: "tester", client: "cli" };
const AGENT: Actor = { id: "token:t1", name: "helper", client: "mcp:claude" };

/** A wiki written with a fixed clock and revision ids: folders that delta, renames, deletions, an agent's edit. */
async function fixedWiki(kv: Deno.Kv) {
  let t = Date.UTC(2026, 0, 2, 3, 4, 5);
  let n = 0;
  const wikis = createWikis({
    kv,
    limits: DEFAULT_LIMITS,
    now: () => (t += 1000),
    revisionId: () => (++n).toString(16).padStart(32, "0"),
  }, FOREIGN_WIKI_DATA);
  const wiki = await wikis.create({ slug: "pinned", ownerDid: "local:t", seed: false }, ACTOR);
  const store = wikis.pages(wiki);
  for (const p of ["a", "a/b", "a-b", "Z", "\uE000", "\u{1F600}", "x/.git/config", "big"]) {
    await store.write(p, p === "big" ? "word ".repeat(40_000) : `# ${p}\n`, {}, ACTOR);
  }
  for (let i = 0; i < 120; i++) await store.write(`many/Page ${i}`, `page ${i}\n`, {}, i % 3 ? ACTOR : AGENT);
  for (let i = 0; i < 120; i += 7) {
    const p = await store.read(`many/Page ${i}`);
    await store.write(`many/Page ${i}`, `page ${i} again\n`, { revision: p.revision }, AGENT);
  }
  const a = await store.read("a");
  await store.write("a", "changed\n", { revision: a.revision }, ACTOR);
  await store.rename("a-b", "c/d", {}, ACTOR);
  await store.rename("many/Page 3", "other/Page 3", {}, ACTOR);
  await store.delete("Z", {}, ACTOR);
  await store.delete("many/Page 50", {}, ACTOR);
  return wiki;
}

/** `objects` with its leading blobs sorted by id (their order follows the random page ids); the rest as it comes. */
async function* blobsSorted(objects: AsyncIterable<GitObject>): AsyncGenerator<GitObject> {
  let blobs: GitObject[] | null = [];
  for await (const o of objects) {
    if (blobs !== null && o.type === "blob") {
      blobs.push(o);
      continue;
    }
    if (blobs !== null) {
      yield* blobs.sort((a, b) => (hex(a.oid) < hex(b.oid) ? -1 : 1));
      blobs = null;
    }
    yield o;
  }
  if (blobs !== null) yield* blobs.sort((a, b) => (hex(a.oid) < hex(b.oid) ? -1 : 1));
}

Deno.test("git history pinned: a fixed wiki's tip commit id and pack checksum are unchanged", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const wiki = await fixedWiki(kv);
    const index = await indexHistory(kv, wiki.id);
    const tip = index.commits[index.commits.length - 1];
    /** The whole pack's checksum and size (the first one takes the blob entries packed while indexing). */
    const wholePack = async () => {
      let last: Uint8Array = new Uint8Array(0);
      let bytes = 0;
      const objects = blobsSorted(historyObjects(kv, index, 0, tip.seq));
      for await (const chunk of packStream(countObjects(index, 0, tip.seq), objects)) {
        last = chunk;
        bytes += chunk.length;
      }
      return { bytes, sum: hex(last) };
    };
    const first = await wholePack();
    assertEquals(index.packed, null);
    // The second whole pack reads the texts again: the same bytes.
    assertEquals(await wholePack(), first);
    const [bytes, last] = [first.bytes, first.sum];
    // A later range too (an incremental fetch): its own count and bytes.
    const mid = index.commits[100].seq;
    let tail: Uint8Array = new Uint8Array(0);
    for await (
      const chunk of packStream(countObjects(index, mid, tip.seq), blobsSorted(historyObjects(kv, index, mid, tip.seq)))
    ) {
      tail = chunk;
    }
    assertEquals(
      { commits: index.commits.length, tip: tip.oid, packBytes: bytes, pack: last, fetch: hex(tail) },
      {
        commits: 151,
        tip: "c648e844f1a7873cd2524c911c6051d7aaecb907",
        packBytes: 64073,
        pack: "2766ee4d08e54c7802ae78d64be954320df4039d",
        fetch: "413f7e1bb71f57828e742f8c88311f15d6ec94df",
      },
    );
  } finally {
    kv.close();
  }
});

/**
 * The git view of a wiki's history (lib/git/history.ts, pack.ts, bundle.ts) checked by the real git: the pack
 * indexes, every object id is git's, trees are sorted as git sorts them (fsck --strict), a bundle clones, and a pack
 * of a later range holds exactly the objects first made in it.
 */
import { assertEquals, assertOk } from "../assert.ts";
import { createWikis } from "../../lib/wiki/wikis.ts";
import { DEFAULT_LIMITS } from "../../lib/config.ts";
import { FOREIGN_WIKI_DATA } from "../../lib/platform/wiki_lifecycle.ts";
import type { Actor } from "../../lib/wiki/types.ts";
import { countObjects, historyObjects, indexHistory } from "../../lib/git/history.ts";
import { packStream } from "../../lib/git/pack.ts";
import { historyBundle } from "../../lib/git/bundle.ts";
import { compareEntryNames } from "../../lib/git/objects.ts";
import { git, gitAvailable, gitOk } from "./git_cli.ts";

const ACTOR: Actor = { id: "local:t", name: "tester", client: "cli" };
const HAS_GIT = gitAvailable();

async function wikiWithHistory() {
  const kv = await Deno.openKv(":memory:");
  const wikis = createWikis({ kv, limits: DEFAULT_LIMITS }, FOREIGN_WIKI_DATA);
  const wiki = await wikis.create({ slug: "hist", ownerDid: "local:t", seed: false }, ACTOR);
  const store = wikis.pages(wiki);
  // Names whose git order differs from naive string order: a file beside a same-named folder, `-` vs `/`,
  // characters above U+E000 and outside the BMP, and a `.git` folder.
  for (const p of ["a", "a/b", "a-b", "Z", "\uE000", "\u{1F600}", "x/.git/config", "big"]) {
    await store.write(p, p === "big" ? "word ".repeat(40_000) : `# ${p}\n`, {}, ACTOR);
  }
  // A folder big enough that its trees go as deltas against their previous version.
  for (let i = 0; i < 40; i++) await store.write(`many/Page ${i}`, `page ${i}\n`, {}, ACTOR);
  const a = await store.read("a");
  await store.write("a", "changed\n", { revision: a.revision }, ACTOR);
  await store.rename("a-b", "c/d", {}, ACTOR);
  await store.delete("Z", {}, ACTOR);
  return { kv, wiki, store };
}

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of chunks) parts.push(c);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

Deno.test("git order: code point order (UTF-8 bytes), directories as if they ended in /", () => {
  const names = ["a/", "a.md", "a-b.md", "\uE000.md", "\u{1F600}.md", "Z.md"];
  const sorted = [...names].sort(compareEntryNames);
  assertEquals(sorted, ["Z.md", "a-b.md", "a.md", "a/", "\uE000.md", "\u{1F600}.md"]);
});

Deno.test({
  name: "git history: the pack indexes in real git, ids match, fsck --strict is clean, the bundle clones",
  ignore: !HAS_GIT,
  async fn() {
    const { kv, wiki, store } = await wikiWithHistory();
    const tmp = await Deno.makeTempDir({ prefix: "git-pack-" });
    try {
      const index = await indexHistory(kv, wiki.id);
      assertEquals(index.commits.length, (await store.recentChanges(100)).length);
      const bundle = (await historyBundle(kv, wiki.id, index))!;
      await Deno.writeFile(`${tmp}/h.bundle`, await collect(bundle.chunks));
      await gitOk(tmp, ["init", "--quiet", "r"]);
      const verify = await git(`${tmp}/r`, ["bundle", "verify", `${tmp}/h.bundle`]);
      assertEquals(verify.code, 0, verify.stderr);
      await gitOk(tmp, ["clone", "--quiet", `${tmp}/h.bundle`, "c"]);
      const log = (await gitOk(`${tmp}/c`, ["log", "--reverse", "--format=%H"])).trim().split("\n");
      assertEquals(log, index.commits.map((c) => c.oid));
      const packs = [...Deno.readDirSync(`${tmp}/c/.git/objects/pack`)].filter((e) => e.name.endsWith(".pack"));
      const listing = await gitOk(`${tmp}/c`, ["verify-pack", "-v", `.git/objects/pack/${packs[0].name}`]);
      const deltas = listing.split("\n").filter((l) => /^[0-9a-f]{40} tree .* [0-9a-f]{40}$/.test(l));
      assertOk(deltas.length >= 30, `trees sent as deltas: ${deltas.length}`);
      const fsck = await git(`${tmp}/c`, ["fsck", "--strict", "--no-dangling"]);
      assertEquals(fsck.code, 0, fsck.stderr + fsck.stdout);
      assertEquals(await Deno.readTextFile(`${tmp}/c/a.md`), "changed\n");
      assertEquals(await Deno.readTextFile(`${tmp}/c/c/d.md`), "# a-b\n");
      assertEquals(await Deno.readTextFile(`${tmp}/c/x/_.git/config.md`), "# x/.git/config\n");
      assertEquals(await Deno.readTextFile(`${tmp}/c/big.md`), "word ".repeat(40_000));
      assertOk(!(await Deno.stat(`${tmp}/c/Z.md`).then(() => true, () => false)), "deleted page absent");
    } finally {
      kv.close();
      await Deno.remove(tmp, { recursive: true });
    }
  },
});

Deno.test({
  name: "git history: a pack of the revisions after a base holds exactly the objects first made after it",
  ignore: !HAS_GIT,
  async fn() {
    const { kv, wiki } = await wikiWithHistory();
    const tmp = await Deno.makeTempDir({ prefix: "git-range-" });
    try {
      const index = await indexHistory(kv, wiki.id);
      const base = index.commits[30].seq;
      const tip = index.commits[index.commits.length - 1].seq;
      const full = countObjects(index, 0, tip);
      const later = countObjects(index, base, tip);
      assertOk(later > 0 && later < full, `${later} of ${full}`);
      await gitOk(tmp, ["init", "--quiet", "r"]);
      const pack = await collect(packStream(later, historyObjects(kv, index, base, tip)));
      await Deno.writeFile(`${tmp}/p.pack`, pack);
      // A range pack is not self-contained (trees name older blobs), but every object in it indexes.
      const listing = await gitOk(`${tmp}/r`, ["index-pack", "-v", `${tmp}/p.pack`]).catch((e) => String(e));
      assertOk(!/fatal/.test(listing), listing);
      const objects = (await gitOk(`${tmp}/r`, ["verify-pack", "-v", `${tmp}/p.idx`])).split("\n")
        .filter((l) => /^[0-9a-f]{40} (commit|tree|blob) /.test(l));
      assertEquals(objects.length, later);
    } finally {
      kv.close();
      await Deno.remove(tmp, { recursive: true });
    }
  },
});

/**
 * scripts/archive.ts (`deno task export` / `deno task import`) on a KV file: export to a file, import into a new wiki
 * with `--create` (history restored), a dry run that writes nothing, and a refused archive (exit code 1, the entry
 * named, nothing written).
 */
import { assertEquals, assertIncludes } from "../assert.ts";
import { main } from "../../scripts/archive.ts";
import { DEFAULT_LIMITS } from "../../lib/config.ts";
import { createWikis } from "../../lib/wiki/wikis.ts";
import { FOREIGN_WIKI_DATA } from "../../lib/platform/wiki_lifecycle.ts";
import { ALICE, makeZip } from "./helpers.ts";

async function withWikis<T>(kvPath: string, fn: (wikis: ReturnType<typeof createWikis>) => Promise<T>): Promise<T> {
  const kv = await Deno.openKv(kvPath);
  try {
    return await fn(createWikis({ kv, limits: DEFAULT_LIMITS }, FOREIGN_WIKI_DATA));
  } finally {
    kv.close();
  }
}

Deno.test("deno task export / import: a wiki leaves as a zip and comes back with its history", async () => {
  const dir = await Deno.makeTempDir({ prefix: "archive-cli-" });
  const kvPath = `${dir}/robot.kv`;
  const zip = `${dir}/out.zip`;
  const lines: string[] = [];
  const out = (l: string) => lines.push(l);
  try {
    await withWikis(kvPath, async (wikis) => {
      const wiki = await wikis.create({ slug: "src", ownerDid: ALICE.id }, ALICE);
      await wikis.pages(wiki).write("Notes/Plan", "# Plan\nlinks [[Home]]", {}, ALICE);
    });
    assertEquals(await main(["export", "src", zip, "--kv", kvPath], out), 0, lines.join("\n"));
    assertIncludes(lines.join("\n"), "Exported src:");
    assertEquals(await main(["import", "dst", zip, "--dry-run", "--kv", kvPath], out), 1, "no wiki, no --create");
    assertEquals(await main(["import", "dst", zip, "--create", "--kv", kvPath], out), 0, lines.join("\n"));
    assertIncludes(lines.join("\n"), "revisions of history");
    await withWikis(kvPath, async (wikis) => {
      const pages = wikis.pages((await wikis.bySlug("dst"))!);
      assertEquals((await pages.read("Notes/Plan")).lastRevision.author, ALICE.id);
      assertEquals((await pages.history("Home")).at(-1)?.revision.author, "system");
    });
    lines.length = 0;
    assertEquals(await main(["import", "dst", zip, "--dry-run", "--kv", kvPath], out), 0);
    assertIncludes(lines.join("\n"), "Dry run: nothing was written.");
    assertIncludes(lines.join("\n"), "Create 0, unchanged 4");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task import refuses a hostile archive with exit code 1, naming the entry", async () => {
  const dir = await Deno.makeTempDir({ prefix: "archive-cli-" });
  const kvPath = `${dir}/robot.kv`;
  try {
    await withWikis(kvPath, (wikis) => wikis.create({ slug: "dst", ownerDid: ALICE.id }, ALICE));
    await Deno.writeFile(`${dir}/bad.zip`, await makeZip({ "ok.md": "fine", "OK.md": "clash" }));
    const errors: string[] = [];
    const error = console.error;
    console.error = (m: string) => errors.push(m);
    try {
      assertEquals(await main(["import", "dst", `${dir}/bad.zip`, "--kv", kvPath], () => {}), 1);
    } finally {
      console.error = error;
    }
    assertIncludes(errors.join("\n"), '"ok.md"');
    await withWikis(kvPath, async (wikis) => {
      assertEquals(await wikis.pages((await wikis.bySlug("dst"))!).meta("ok"), null);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

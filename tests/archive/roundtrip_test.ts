/**
 * Export -> import -> export gives the same pages, attachments and revisions (every file of the two zips equal,
 * byte for byte), the history reads back through the page store, and the export opens as an Obsidian vault
 * (pages at `A/B.md`, attachments under `_attachments/`, attachment references as `![[…]]` embeds).
 */
import { assertEquals, assertOk as assert } from "../assert.ts";
import { ALICE, archiveFixture, exportBytes, text, unzip } from "./helpers.ts";
import { importArchive } from "../../lib/archive/import.ts";
import { bytesSource } from "../../lib/archive/zip_read.ts";
import { BOB } from "../wiki/store_helpers.ts";
import { type FaultController, faultyKv } from "../kv/faulty_kv.ts";

/** A wiki with renames, deletes, a restore, a page over one KV value, and attachments inline and chunked. */
async function populate(f: Awaited<ReturnType<typeof archiveFixture>>) {
  const wiki = await f.wiki("source");
  const pages = f.wikis.pages(wiki);
  await pages.write("Projects/Launch", "---\ncategory: project\n---\n# Launch\nSee [[Home]].\n", {}, ALICE);
  const big = "# Big\n" + "lorem ipsum dolor sit amet ".repeat(4000);
  await pages.write("Big", big, { message: "a large page" }, BOB);
  await pages.write("Old name", "to be renamed, links to [[Projects/Launch]]", {}, ALICE);
  await pages.rename("Old name", "Notes/New name", {}, BOB);
  await pages.write("Gone", "short-lived", {}, ALICE);
  await pages.putAttachment(
    "Gone",
    "left.txt",
    new TextEncoder().encode("attached to a page deleted later"),
    {},
    ALICE,
  );
  await pages.delete("Gone", {}, ALICE);
  const launch = await pages.read("Projects/Launch");
  await pages.write(
    "Projects/Launch",
    launch.content + "\n![diagram](/w/source/-/attachment/Projects/Launch/diagram.png)\n",
    { revision: launch.revision },
    BOB,
  );
  await pages.putAttachment(
    "Projects/Launch",
    "diagram.png",
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]),
    {},
    ALICE,
  );
  const blob = new Uint8Array(200_000).map((_, i) => (i * 7) % 251);
  await pages.putAttachment("Big", "data.bin", blob, {}, BOB);
  return wiki;
}

Deno.test("export -> import -> export: the same pages, attachments and revisions, file for file", async () => {
  const f = await archiveFixture();
  try {
    const source = await populate(f);
    const first = await exportBytes(f.kv, source);
    const files = await unzip(first);
    assert(files.has("Projects/Launch.md") && files.has("Notes/New name.md") && files.has("Home.md"));
    assert(!files.has("Gone.md"), "a deleted page is no file of the vault");
    assert(text(files, "Projects/Launch.md").includes("![[_attachments/Projects/Launch/diagram.png|diagram]]"));
    assertEquals(files.get("_attachments/Big/data.bin")?.length, 200_000);

    const copy = await f.wiki("copy");
    const target = f.target(copy);
    const dry = await importArchive(target, bytesSource(first), ALICE, { dryRun: true });
    assertEquals(dry.written, false);
    assert(dry.plan.history.restored);
    assert(dry.plan.history.note?.includes("starter pages"), "the dry run says the starter pages go");
    assertEquals((await target.pages.read("Home")).lastRevision.author, "system", "a dry run writes nothing");

    const done = await importArchive(target, bytesSource(first), ALICE);
    assertEquals(done.revisionsRestored, dry.plan.history.revisions);
    const second = await unzip(await exportBytes(f.kv, (await f.wikis.bySlug("copy"))!));
    assertEquals([...second.keys()].sort(), [...files.keys()].sort());
    for (const [name, bytes] of files) {
      if (name === ".robot-wtf/manifest.json") continue; // names the wiki it came from: compared below
      assertEquals(second.get(name), bytes, `${name} differs after the round trip`);
    }
    const { title: _a, ...before } = JSON.parse(text(files, ".robot-wtf/manifest.json"));
    const { title: _b, ...after } = JSON.parse(text(second, ".robot-wtf/manifest.json"));
    assertEquals(after, before);

    const history = await target.pages.history("Notes/New name");
    assertEquals(history.map((h) => h.revision.action), ["rename", "create"]);
    assertEquals(history[1].path, "Old name");
    const older = await target.pages.read("Projects/Launch", { revision: history[0].revision.id });
    assert(older.content.includes("See [[Home]]"));
    assertEquals((await target.pages.read("Big")).lastRevision.authorName, BOB.name);
    assertEquals((await target.pages.getAttachment("Big", "data.bin")).data.length, 200_000);
    assertEquals((await target.pages.links("Projects/Launch")).linkedFrom, ["Notes/New name"]);
    assertEquals((await target.pages.search("lorem")).hits[0]?.path, "Big");
    const gone = await target.pages.read("Gone", { includeDeleted: true });
    assertEquals(gone.deleted, true);
    const usage = await target.pages.usage();
    const sourceUsage = await f.wikis.pages(source).usage();
    assertEquals([usage.pages, usage.bytes], [sourceUsage.pages, sourceUsage.bytes]);
  } finally {
    f.close();
  }
});

Deno.test("an export into a wiki with changes of its own imports current pages only, and says so", async () => {
  const f = await archiveFixture();
  try {
    const source = await populate(f);
    const zip = await exportBytes(f.kv, source);
    const busy = await f.wiki("busy", { seed: false });
    const target = f.target(busy);
    await target.pages.write("Mine", "my own page", {}, ALICE);
    const result = await importArchive(target, bytesSource(zip), ALICE);
    assertEquals(result.plan.history.restored, false);
    assert(result.plan.history.note?.includes("not restored"));
    assertEquals((await target.pages.read("Mine")).content, "my own page");
    const launch = await target.pages.read("Projects/Launch");
    assert(launch.content.includes("![diagram](/w/busy/-/attachment/Projects/Launch/diagram.png)"), launch.content);
    assertEquals((await target.pages.getAttachment("Projects/Launch", "diagram.png")).data.length, 7);
    assertEquals(launch.lastRevision.author, ALICE.id);
    assert(result.plan.skipped.some((s) => s.entry === "_attachments/Gone/left.txt"), "a deleted page's file: skipped");

    const again = await importArchive(target, bytesSource(zip), ALICE);
    assertEquals([again.pagesWritten, again.attachmentsWritten], [0, 0], "a second run finds everything unchanged");
  } finally {
    f.close();
  }
});

Deno.test("a history import that fails midway removes everything it wrote: nothing half-imported", async () => {
  const source = await archiveFixture();
  let zip: Uint8Array;
  try {
    zip = await exportBytes(source.kv, await populate(source));
  } finally {
    source.close();
  }
  let faults: FaultController | null = null;
  const f = await archiveFixture({}, (real) => {
    const wrapped = faultyKv(real);
    faults = wrapped.faults;
    return wrapped.kv;
  });
  try {
    const wiki = await f.wiki("copy");
    const target = f.target(wiki);
    // The 1st commit touching page heads removes the starter pages; the 2nd writes the archive's heads: fail that one.
    faults!.failNth(2, { ops: ["commit"], prefix: ["page", wiki.id] });
    let caught: unknown = null;
    await importArchive(target, bytesSource(zip), ALICE).catch((e) => (caught = e));
    assert(caught instanceof Error, "the failure reaches the caller");
    const left: string[] = [];
    for (const type of ["page", "page_hist", "rev", "change", "link", "att", "blob", "blob_staging"]) {
      for await (const e of f.kv.list({ prefix: [type, wiki.id] })) left.push(JSON.stringify(e.key));
    }
    assertEquals(left, []);
    assertEquals((await f.kv.get(["wiki_state", wiki.id])).value, { pages: 0, bytes: 0, seq: 0 });
    const again = await importArchive(target, bytesSource(zip), ALICE);
    assert(again.plan.history.restored, "the emptied wiki takes the history on a second run");
    assertEquals((await target.pages.read("Big")).lastRevision.authorName, BOB.name);
  } finally {
    f.close();
  }
});

/**
 * An Obsidian-style vault made by the test imports with its links and embeds intact: `.obsidian/` and `.trash/` are
 * skipped, `[[Note|alias]]`, `[[Note#Heading]]`, `[[#Heading]]` and `![[Note]]` point at the pages' paths, `![[file]]`
 * embeds become attachments of the first note that embeds them, shown with this wiki's attachment URL; names that are
 * not page paths are renamed and reported; files no note uses are skipped and reported.
 */
import { assertEquals, assertOk as assert } from "../assert.ts";
import { ALICE, archiveFixture, makeZip } from "./helpers.ts";
import { importArchive } from "../../lib/archive/import.ts";
import { bytesSource } from "../../lib/archive/zip_read.ts";

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 9, 9]);

async function vault(): Promise<Uint8Array> {
  return await makeZip({
    "My Vault/.obsidian/app.json": "{}",
    "My Vault/.obsidian/workspace.json": "{}",
    "My Vault/.trash/Old.md": "thrown away",
    "My Vault/Index.md": "---\ntags: [start]\n---\n# Index\n" +
      "See [[Beta|the beta note]] and [[Beta#Details]], [[Projects/Alpha.md|alpha]], [[#Index]].\n" +
      "![[diagram.png]] and ![[diagram.png|300]] and ![[Gamma]]\n" +
      "`[[Beta]] in code` stays\n[[Nowhere]] stays too\n",
    "My Vault/Projects/Alpha.md": "# Alpha\nBack to [[Index]]; a report: [[report.pdf|the report]]\n",
    "My Vault/Notes/Deep/Beta.md": "# Beta\n## Details\n![[assets/photo.png|A photo]]\n",
    "My Vault/Gamma.md": "gamma",
    "My Vault/What_is [this].md": "odd name",
    "My Vault/assets/diagram.png": PNG,
    "My Vault/assets/photo.png": PNG,
    "My Vault/report.pdf": "%PDF-1.4",
    "My Vault/unused.bin": "nobody embeds me",
  });
}

Deno.test("an Obsidian vault imports with links and embeds intact", async () => {
  const f = await archiveFixture();
  try {
    const wiki = await f.wiki("vault");
    const target = f.target(wiki);
    const result = await importArchive(target, bytesSource(await vault()), ALICE);
    const plan = result.plan;
    assertEquals(plan.format, "obsidian");
    assertEquals(plan.root, "My Vault/");
    assertEquals(plan.refused, []);
    assert(plan.skipped.some((s) => s.entry === ".obsidian/app.json"));
    assert(plan.skipped.some((s) => s.entry === ".trash/Old.md"));
    assert(plan.skipped.some((s) => s.entry === "unused.bin" && s.reason.includes("no note")));
    const renamed = plan.pages.find((p) => p.renamedFrom === "What_is [this]");
    assertEquals(renamed?.path, "What is -this-");

    const index = (await target.pages.read("Index")).content;
    assert(index.includes("[[Notes/Deep/Beta|the beta note]]"), index);
    assert(index.includes("[[Notes/Deep/Beta#Details]]"), index);
    assert(index.includes("[[Projects/Alpha|alpha]]"), index);
    assert(index.includes("[[Index#Index]]"), index);
    assert(index.includes("![diagram.png](/w/vault/-/attachment/Index/diagram.png)"), index);
    assertEquals(index.split("/-/attachment/Index/diagram.png").length, 3, "both embeds of one file, one attachment");
    assert(index.includes("[[Gamma]]") && !index.includes("![[Gamma]]"), "a note embed becomes a link");
    assert(index.includes("`[[Beta]] in code`"), "code is left alone");
    assert(index.includes("[[Nowhere]]"), "an unresolved link stays as written");
    assert(index.startsWith("---\ntags: [start]\n---\n"), "frontmatter kept");

    const alpha = (await target.pages.read("Projects/Alpha")).content;
    assert(alpha.includes("[the report](/w/vault/-/attachment/Projects/Alpha/report.pdf)"), alpha);
    const beta = (await target.pages.read("Notes/Deep/Beta")).content;
    assert(beta.includes("![A photo](/w/vault/-/attachment/Notes/Deep/Beta/photo.png)"), beta);

    assertEquals((await target.pages.getAttachment("Index", "diagram.png")).data, PNG);
    assertEquals((await target.pages.listAttachments("Notes/Deep/Beta")).map((a) => a.filename), ["photo.png"]);
    assertEquals((await target.pages.links("Notes/Deep/Beta")).linkedFrom, ["Index"]);
    assertEquals((await target.pages.read("Index")).lastRevision.author, ALICE.id);
  } finally {
    f.close();
  }
});

Deno.test("a plain Markdown folder imports; a dry run writes nothing; conflicts are reported, never overwritten", async () => {
  const f = await archiveFixture();
  try {
    const wiki = await f.wiki("plain");
    const target = f.target(wiki);
    const zip = await makeZip({
      "notes/Home.md": "# My own home\n",
      "notes/Ideas/One.md": "first idea",
      "notes/Ideas/Two.md": "second idea, see [[Ideas/One]] and [the first](One.md), ![a diagram](../img/d%20one.png)",
      "notes/img/d one.png": PNG,
    });
    const dry = await importArchive(target, bytesSource(zip), ALICE, { dryRun: true });
    assertEquals(dry.plan.format, "markdown");
    assertEquals(dry.plan.attachments.map((a) => [a.path, a.filename, a.action]), [[
      "Ideas/Two",
      "d one.png",
      "create",
    ]]);
    assertEquals(dry.plan.pages.map((p) => [p.path, p.action]), [
      ["Home", "conflict"],
      ["Ideas/One", "create"],
      ["Ideas/Two", "create"],
    ]);
    assertEquals(await target.pages.meta("Ideas/One"), null, "a dry run writes nothing");
    const before = (await target.pages.read("Home")).content;
    let message = "";
    await importArchive(target, bytesSource(zip), ALICE).catch((e) => (message = e.message));
    assert(message.includes("already exist") && message.includes('"Home"'), message);
    assertEquals(await target.pages.meta("Ideas/One"), null, "a refused import writes nothing");
    const done = await importArchive(target, bytesSource(zip), ALICE, { skipConflicts: true });
    assertEquals([done.pagesWritten, done.attachmentsWritten], [2, 1]);
    assertEquals((await target.pages.read("Home")).content, before, "the wiki's page is kept");
    const two = (await target.pages.read("Ideas/Two")).content;
    assert(two.includes("[[Ideas/One|the first]]"), two);
    assert(two.includes("![a diagram](/w/plain/-/attachment/Ideas/Two/d%20one.png)"), two);
    assertEquals((await target.pages.getAttachment("Ideas/Two", "d one.png")).data, PNG);
  } finally {
    f.close();
  }
});

Deno.test("the quota is checked before anything is written", async () => {
  const f = await archiveFixture();
  try {
    const wiki = await f.wiki("small", { seed: false, quota: { pages: 3, bytes: 1_000_000 } });
    const target = f.target(wiki);
    await target.pages.write("Existing", "one page already", {}, ALICE);
    const zip = await makeZip({ "A.md": "a", "B.md": "b", "C.md": "c" });
    const dry = await importArchive(target, bytesSource(zip), ALICE, { dryRun: true });
    assert(dry.plan.quotaError?.includes("quota is 3 pages"), String(dry.plan.quotaError));
    let caught: { code?: string; message?: string } = {};
    await importArchive(target, bytesSource(zip), ALICE).catch((e) => (caught = e));
    assertEquals(caught.code, "quota_exceeded", caught.message);
    assertEquals((await target.pages.list()).map((p) => p.path), ["Existing"], "nothing was written");
  } finally {
    f.close();
  }
});

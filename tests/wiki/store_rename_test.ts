import { assertEquals, assertIncludes, assertOk, assertRejects } from "../assert.ts";
import { AlreadyExistsError, InvalidInputError, NotFoundError, TooLargeError } from "../../lib/errors.ts";
import { ALICE, assertBacklinkIndexConsistent, BOB, countKeys, setup } from "./store_helpers.ts";

Deno.test("store - rename rewrites backlinks in every page as one revision; history continues", async () => {
  const f = await setup();
  const r1 = await f.pages.write("Old Name", "I am [[Old Name]]; see [[Other]].", {}, ALICE);
  await f.pages.write("Old Name", "I am [[Old Name]]; see [[Other]]. v2", { revision: r1.revision }, ALICE);
  await f.pages.write("Other", "Go to [[Old Name|the page]] and [[Old_Name#Setup|setup]].", {}, ALICE);
  await f.pages.write(
    "Third",
    "Plain [[/Old Name]] link.\n\n```\n[[Old Name]] in code\n```\nand `[[Old Name]]`",
    {},
    BOB,
  );
  await f.pages.write("Unrelated", "Links to [[Other]] and [[Old Name/Sub]].", {}, BOB);
  await f.pages.write("Projects/Fourth", "---\ntags: [x]\n---\n* [[Old Name]]\n* [[Old Name]] twice", {}, BOB);
  const before = await f.pages.usage();
  await f.pages.list(); // warm the catalog so the rename must refresh it
  const res = await f.pages.rename("Old Name", "New Name", {}, BOB);
  assertEquals(res.from, "Old Name");
  assertEquals(res.to, "New Name");
  assertEquals(res.updatedPages, ["Other", "Projects/Fourth", "Third"]);
  await assertRejects(() => f.pages.read("Old Name"), NotFoundError);
  assertEquals(await f.pages.meta("Old Name"), null);
  const moved = await f.pages.read("New Name");
  assertEquals(moved.content, "I am [[New Name]]; see [[Other]]. v2");
  assertEquals(moved.revision, res.revision);
  assertEquals(moved.title, "New Name");
  assertEquals((await f.pages.read("Other")).content, "Go to [[New Name|the page]] and [[New Name#Setup|setup]].");
  assertEquals(
    (await f.pages.read("Third")).content,
    "Plain [[/New Name]] link.\n\n```\n[[Old Name]] in code\n```\nand `[[Old Name]]`",
  );
  assertEquals((await f.pages.read("Unrelated")).content, "Links to [[Other]] and [[Old Name/Sub]].");
  assertEquals((await f.pages.read("Other")).revision, res.revision);
  assertEquals((await f.pages.read("Third")).revision, res.revision);
  const rev = await f.pages.resolveRevision(res.revision);
  assertEquals(rev.action, "rename");
  assertEquals(rev.paths, ["New Name", "Other", "Projects/Fourth", "Third"]);
  assertEquals(
    (await f.pages.read("Projects/Fourth")).content,
    "---\ntags: [x]\n---\n* [[New Name]]\n* [[New Name]] twice",
  );
  assertEquals((await f.pages.read("Projects/Fourth")).tags, ["x"]);
  assertEquals(rev.message, "Rename: Old Name -> New Name");
  const hist = await f.pages.history("New Name");
  assertEquals(hist.map((h) => [h.path, h.revision.action]), [
    ["New Name", "rename"],
    ["Old Name", "update"],
    ["Old Name", "create"],
  ]);
  assertEquals(
    (await f.pages.read("New Name", { revision: r1.revision })).content,
    "I am [[Old Name]]; see [[Other]].",
  );
  assertEquals((await f.pages.history("Other"))[0].revision.id, res.revision);
  assertEquals((await f.pages.links("New Name")).linkedFrom, ["Other", "Projects/Fourth", "Third"]);
  assertEquals((await f.pages.links("Old Name")).linkedFrom, []);
  assertEquals((await f.pages.list()).map((p) => p.path), [
    "New Name",
    "Other",
    "Projects/Fourth",
    "Third",
    "Unrelated",
  ]);
  assertEquals((await f.pages.search("name")).hits.map((h) => h.path)[0], "New Name");
  const after = await f.pages.usage();
  assertEquals(after.pages, before.pages);
  assertEquals(after.bytes, before.bytes); // "Old Name" and "New Name" have the same length
  await assertBacklinkIndexConsistent(f.kv, f.wiki.id);
  f.close();
});

Deno.test("store - rename refused when the target exists, the source is missing, or the paths are equal", async () => {
  const f = await setup();
  await f.pages.write("A", "a", {}, ALICE);
  await f.pages.write("B", "b [[A]]", {}, ALICE);
  const e = await assertRejects(() => f.pages.rename("A", "B", {}, ALICE), AlreadyExistsError);
  assertIncludes(e.message, 'A page already exists at "B"');
  await assertRejects(() => f.pages.rename("Missing", "C", {}, ALICE), NotFoundError);
  await assertRejects(() => f.pages.rename("A", "A", {}, ALICE), InvalidInputError, "same page path");
  assertEquals((await f.pages.read("B")).content, "b [[A]]");
  await f.pages.putAttachment("B", "old.bin", new Uint8Array(70_000), {}, ALICE);
  await f.pages.delete("B", {}, ALICE);
  assertEquals((await f.pages.usage()).bytes, 1 + 70_000);
  const ok = await f.pages.rename("A", "B", { message: "take the freed name" }, ALICE);
  assertEquals(await f.pages.listAttachments("B"), []);
  assertEquals((await f.pages.usage()).bytes, 1);
  assertEquals(await countKeys(f.kv, ["blob", f.wiki.id]), 0);
  assertEquals((await f.pages.read("B")).content, "a");
  assertEquals((await f.pages.resolveRevision(ok.revision)).message, "take the freed name");
  await assertBacklinkIndexConsistent(f.kv, f.wiki.id);
  f.close();
});

Deno.test("store - a rename too large for one commit is refused with the page counts, nothing changes", async () => {
  const f = await setup({ quotaPages: 10_000 });
  await f.pages.write("Hub", "hub", {}, ALICE);
  // 300 pages linking to Hub: each needs 4 key updates (head, history, link removed, link added): > 1000.
  for (let i = 0; i < 300; i++) await f.pages.write(`L${i}`, `to [[Hub]] ${i}`, {}, ALICE);
  const seq = (await f.pages.recentChanges(1))[0].seq;
  const e = await assertRejects(() => f.pages.rename("Hub", "Center", {}, ALICE), TooLargeError);
  assertIncludes(e.message, 'Renaming "Hub" to "Center" would change 301 pages at once');
  assertIncludes(e.message, "at most about");
  assertEquals((await f.pages.recentChanges(1))[0].seq, seq);
  assertOk(await f.pages.meta("Hub"));
  for (let i = 0; i < 120; i++) await f.pages.delete(`L${i}`, {}, ALICE);
  const ok = await f.pages.rename("Hub", "Center", {}, ALICE);
  assertEquals(ok.updatedPages.length, 180);
  assertEquals((await f.pages.links("Center")).linkedFrom.length, 180);
  await assertBacklinkIndexConsistent(f.kv, f.wiki.id);
  f.close();
});

Deno.test("store - rename with large pages stages contents as blobs and stays one commit", async () => {
  const f = await setup();
  const big = "x".repeat(200_000);
  await f.pages.write("Target", "t", {}, ALICE);
  for (let i = 0; i < 6; i++) await f.pages.write(`Big${i}`, `[[Target]]\n${big}`, {}, ALICE);
  const res = await f.pages.rename("Target", "Moved", {}, ALICE);
  assertEquals(res.updatedPages.length, 6);
  for (let i = 0; i < 6; i++) assertEquals((await f.pages.read(`Big${i}`)).content, `[[Moved]]\n${big}`);
  await assertBacklinkIndexConsistent(f.kv, f.wiki.id);
  f.close();
});

Deno.test("store - backlink index agrees with contents through write, edit, delete, restore, rename", async () => {
  const f = await setup();
  const a = await f.pages.write("A", "[[B]] [[C]] `[[D]]`", {}, ALICE);
  await f.pages.write("B", "[[A]] [[A|again]]", {}, ALICE);
  await assertBacklinkIndexConsistent(f.kv, f.wiki.id);
  const e = await f.pages.edit("A", { revision: a.revision, oldString: "[[C]]", newString: "[[E]]" }, ALICE);
  await assertBacklinkIndexConsistent(f.kv, f.wiki.id);
  await f.pages.delete("A", { revision: e.revision }, ALICE);
  await assertBacklinkIndexConsistent(f.kv, f.wiki.id);
  await f.pages.restore("A", {}, ALICE);
  await assertBacklinkIndexConsistent(f.kv, f.wiki.id);
  await f.pages.rename("B", "B2", {}, ALICE);
  await assertBacklinkIndexConsistent(f.kv, f.wiki.id);
  assertEquals((await f.pages.links("A")).linkedFrom, ["B2"]);
  assertEquals((await f.pages.links("A")).linksTo, ["B2", "E"]);
  f.close();
});

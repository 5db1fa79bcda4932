import { assertEquals, assertIncludes, assertOk, assertRejects } from "../assert.ts";
import { AmbiguousError, ConflictError, InvalidInputError, NotFoundError } from "../../lib/errors.ts";
import { K } from "../../lib/wiki/keys.ts";
import { ALICE, assertBacklinkIndexConsistent, BOB, setup } from "./store_helpers.ts";

Deno.test("store - create, read, update with revision", async () => {
  const f = await setup();
  const r1 = await f.pages.write(
    "Design_Notes",
    "---\ncategory: Design\ntags: [a, b]\n---\nHello [[Home]] world",
    {},
    ALICE,
  );
  assertEquals(r1.created, true);
  assertEquals(r1.path, "Design Notes");
  assertOk(/^[0-9a-f]{32}$/.test(r1.revision));
  const p1 = await f.pages.read("Design Notes");
  assertEquals(p1.content, "---\ncategory: Design\ntags: [a, b]\n---\nHello [[Home]] world");
  assertEquals([p1.title, p1.category, p1.tags, p1.links, p1.words, p1.revision], [
    "Design Notes",
    "Design",
    ["a", "b"],
    ["Home"],
    3,
    r1.revision,
  ]);
  assertEquals(p1.lastRevision.message, "Create: Design Notes");
  assertEquals(p1.lastRevision.action, "create");
  assertEquals(p1.lastRevision.author, ALICE.id);
  f.clock.t += 1000;
  const r2 = await f.pages.write("Design Notes", "v2", { revision: r1.revision.slice(0, 7), message: "shorter" }, BOB);
  assertEquals(r2.created, false);
  const p2 = await f.pages.read("Design Notes");
  assertEquals([p2.content, p2.revision, p2.lastRevision.message, p2.lastRevision.authorName], [
    "v2",
    r2.revision,
    "shorter",
    "bob.test",
  ]);
  assertEquals(p2.createdAt, p1.createdAt);
  assertEquals(p2.updatedAt, p1.updatedAt + 1000);
  const defaultMsg = await f.pages.write("Design Notes", "v3", { revision: r2.revision }, BOB);
  assertEquals((await f.pages.read("Design Notes")).lastRevision.message, "Update: Design Notes");
  assertEquals((await f.pages.usage()).pages, 1);
  assertEquals((await f.pages.usage()).bytes, 2);
  assertOk(defaultMsg.revision);
  f.close();
});

Deno.test("store - stale revision and missing revision are conflicts naming the current revision", async () => {
  const f = await setup();
  const r1 = await f.pages.write("A", "one", {}, ALICE);
  const r2 = await f.pages.write("A", "two", { revision: r1.revision }, ALICE);
  const stale = await assertRejects(
    () => f.pages.write("A", "three", { revision: r1.revision.slice(0, 8) }, BOB),
    ConflictError,
  );
  assertEquals(
    stale.message,
    `Revision mismatch: A is at revision ${r2.revision.slice(0, 8)}, not ${r1.revision.slice(0, 8)}. ` +
      `Read the page again to get the current revision, then retry.`,
  );
  assertEquals(stale.currentRevision, r2.revision);
  const missing = await assertRejects(() => f.pages.write("A", "three", {}, BOB), ConflictError);
  assertIncludes(missing.message, `A already exists (revision ${r2.revision.slice(0, 8)})`);
  assertEquals(missing.currentRevision, r2.revision);
  await assertRejects(() => f.pages.write("A", "x", { revision: "abc" }, BOB), InvalidInputError, "Invalid revision");
  await assertRejects(
    () => f.pages.write("Nope", "x", { revision: r1.revision }, BOB),
    ConflictError,
    "does not exist",
  );
  assertEquals((await f.pages.read("A")).content, "two");
  f.close();
});

Deno.test("store - edit replaces exactly one occurrence; refuses missing, repeated, empty, identical", async () => {
  const f = await setup();
  const r1 = await f.pages.write("E", "alpha beta gamma beta", {}, ALICE);
  const rev = r1.revision;
  const nf = await assertRejects(
    () => f.pages.edit("E", { revision: rev, oldString: "delta", newString: "x" }, ALICE),
    NotFoundError,
  );
  assertIncludes(nf.message, "The text to replace was not found in E.");
  const amb = await assertRejects(
    () => f.pages.edit("E", { revision: rev, oldString: "beta", newString: "x" }, ALICE),
    AmbiguousError,
  );
  assertIncludes(amb.message, "occurs 2 times in E; it must occur exactly once");
  await assertRejects(
    () => f.pages.edit("E", { revision: rev, oldString: "", newString: "x" }, ALICE),
    InvalidInputError,
    "The text to replace is empty",
  );
  await assertRejects(
    () => f.pages.edit("E", { revision: rev, oldString: "alpha", newString: "alpha" }, ALICE),
    InvalidInputError,
    "identical",
  );
  await assertRejects(
    () => f.pages.edit("E", { revision: "0000000", oldString: "alpha", newString: "A" }, ALICE),
    ConflictError,
    "Revision mismatch",
  );
  const r2 = await f.pages.edit("E", { revision: rev, oldString: "beta gamma", newString: "B G" }, BOB);
  const p = await f.pages.read("E");
  assertEquals(p.content, "alpha B G beta");
  assertEquals(p.lastRevision.action, "edit");
  assertEquals(p.lastRevision.message, "Edit: E");
  assertEquals(p.revision, r2.revision);
  await assertRejects(
    () => f.pages.edit("Missing", { revision: rev, oldString: "a", newString: "b" }, ALICE),
    NotFoundError,
    'Page "Missing" does not exist',
  );
  f.close();
});

Deno.test("store - revision prefixes: 7+ resolves, shorter invalid, unknown not found, shared prefix ambiguous", async () => {
  const ids = ["abcdef1" + "0".repeat(25), "abcdef1" + "1".repeat(25), "1234567" + "2".repeat(25)];
  let i = 0;
  const f = await setup({}, { revisionId: () => ids[i++] });
  await f.pages.write("P", "one", {}, ALICE);
  await f.pages.write("P", "two", { revision: "abcdef10" }, ALICE);
  await f.pages.write("Q", "q", {}, ALICE);
  assertEquals((await f.pages.resolveRevision("abcdef10")).id, ids[0]);
  assertEquals((await f.pages.resolveRevision("ABCDEF11")).id, ids[1]);
  assertEquals((await f.pages.resolveRevision("1234567")).paths, ["Q"]);
  await assertRejects(() => f.pages.resolveRevision("123456"), InvalidInputError, "7 to 32 hexadecimal");
  await assertRejects(() => f.pages.resolveRevision("xyzxyzx"), InvalidInputError);
  await assertRejects(() => f.pages.resolveRevision("fffffff"), NotFoundError, "Revision fffffff was not found");
  const amb = await assertRejects(() => f.pages.resolveRevision("abcdef1"), AmbiguousError);
  assertIncludes(amb.message, "matches more than one revision");
  await assertRejects(() => f.pages.read("P", { revision: "abcdef1" }), AmbiguousError);
  assertEquals((await f.pages.read("P", { revision: "abcdef10" })).content, "one");
  f.close();
});

Deno.test("store - history newest first, read at an old revision, diff between revisions", async () => {
  const f = await setup();
  const r1 = await f.pages.write("H", "line1\nline2\n", {}, ALICE);
  f.clock.t += 10;
  const r2 = await f.pages.write("H", "line1\nline2 changed\nline3\n", { revision: r1.revision }, BOB);
  await f.pages.write("Other", "x", {}, ALICE);
  f.clock.t += 10;
  const r3 = await f.pages.edit("H", { revision: r2.revision, oldString: "line3", newString: "line4" }, ALICE);
  const hist = await f.pages.history("H");
  assertEquals(hist.map((h) => h.revision.id), [r3.revision, r2.revision, r1.revision]);
  assertEquals(hist.map((h) => h.revision.action), ["edit", "update", "create"]);
  assertEquals(hist[2].bytes, 12);
  assertEquals((await f.pages.history("H", 1)).length, 1);
  const old = await f.pages.read("H", { revision: r1.revision.slice(0, 7) });
  assertEquals([old.content, old.revision, old.deleted], ["line1\nline2\n", r1.revision, false]);
  const d = await f.pages.diff("H", r1.revision, r2.revision);
  assertEquals([d.from, d.to, d.added, d.removed], [r1.revision, r2.revision, 2, 1]);
  assertIncludes(d.unified, "-line2\n+line2 changed\n+line3");
  const toCurrent = await f.pages.diff("H", r2.revision);
  assertEquals(toCurrent.to, r3.revision);
  assertIncludes(toCurrent.unified, "-line3\n+line4");
  const changes = await f.pages.recentChanges(10);
  assertEquals(changes.map((c) => c.paths), [["H"], ["Other"], ["H"], ["H"]]);
  assertEquals(changes.map((c) => c.seq), [4, 3, 2, 1]);
  f.close();
});

Deno.test("store - delete keeps history; restore undeletes; restore an old revision writes it anew", async () => {
  const f = await setup();
  const r1 = await f.pages.write("D", "first [[Target]]", {}, ALICE);
  const r2 = await f.pages.write("D", "second [[Target]]", { revision: r1.revision }, ALICE);
  await assertRejects(() => f.pages.delete("D", { revision: r1.revision }, ALICE), ConflictError);
  const del = await f.pages.delete("D", { revision: r2.revision }, BOB);
  const nf = await assertRejects(() => f.pages.read("D"), NotFoundError);
  assertIncludes(nf.message, 'Page "D" was deleted');
  assertEquals(await f.pages.meta("D"), null);
  const ghost = await f.pages.read("D", { includeDeleted: true });
  assertEquals([ghost.deleted, ghost.content, ghost.lastRevision.message], [true, "second [[Target]]", "Delete: D"]);
  assertEquals((await f.pages.usage()).pages, 0);
  assertEquals((await f.pages.usage()).bytes, 0);
  assertEquals((await f.pages.links("Target")).linkedFrom, []);
  await assertBacklinkIndexConsistent(f.kv, f.wiki.id);
  assertEquals((await f.pages.history("D")).map((h) => [h.revision.id, h.deleted]), [
    [del.revision, true],
    [r2.revision, false],
    [r1.revision, false],
  ]);
  await assertRejects(() => f.pages.delete("D", {}, ALICE), NotFoundError);
  const res = await f.pages.restore("D", {}, ALICE);
  assertEquals(res.created, true);
  const back = await f.pages.read("D");
  assertEquals([back.content, back.lastRevision.action, back.lastRevision.message], [
    "second [[Target]]",
    "restore",
    "Restore: D",
  ]);
  assertEquals((await f.pages.links("Target")).linkedFrom, ["D"]);
  await assertRejects(() => f.pages.restore("D", {}, ALICE), InvalidInputError, "is not deleted");
  const res2 = await f.pages.restore("D", { revision: r1.revision }, ALICE);
  assertEquals(res2.created, false);
  assertEquals((await f.pages.read("D")).content, "first [[Target]]");
  assertEquals((await f.pages.history("D")).length, 5);
  await assertBacklinkIndexConsistent(f.kv, f.wiki.id);
  f.close();
});

Deno.test("store - a new write at a deleted path continues the page id and its history", async () => {
  const f = await setup();
  const r1 = await f.pages.write("Re", "one", {}, ALICE);
  await f.pages.delete("Re", {}, ALICE);
  const id = (await f.kv.get<{ pageId: string }>(K.page(f.wiki.id, "Re"))).value!.pageId;
  const r3 = await f.pages.write("Re", "again", {}, ALICE);
  assertEquals(r3.created, true);
  const page = await f.pages.read("Re");
  assertEquals(page.pageId, id);
  assertEquals((await f.pages.history("Re")).map((h) => h.revision.action), ["create", "delete", "create"]);
  assertEquals((await f.pages.read("Re", { revision: r1.revision })).content, "one");
  f.close();
});

Deno.test("store - invalid paths are refused with the path module's message", async () => {
  const f = await setup();
  await assertRejects(() => f.pages.write("/Foo", "x", {}, ALICE), InvalidInputError, 'paths have no leading "/"');
  await assertRejects(() => f.pages.read("a|b"), InvalidInputError);
  await assertRejects(() => f.pages.read("Nope"), NotFoundError, 'Page "Nope" does not exist');
  f.close();
});

Deno.test("store - a wiki that keeps losing the write race answers 'busy' after bounded retries", async () => {
  const f = await setup({}, {}, (kv) =>
    new Proxy(kv, {
      get(target, prop) {
        if (prop === "atomic") {
          return () => {
            const op = target.atomic();
            let guarded = false;
            const proxy: Deno.AtomicOperation = new Proxy(op, {
              get(o, p) {
                if (p === "check") {
                  return (...checks: Deno.AtomicCheck[]) => {
                    if (checks.some((c) => c.key[0] === "wiki_state")) guarded = true;
                    o.check(...checks);
                    return proxy;
                  };
                }
                if (p === "commit") return () => guarded ? Promise.resolve({ ok: false }) : o.commit();
                const v = Reflect.get(o, p);
                return typeof v === "function" ? (...a: unknown[]) => (v.apply(o, a), proxy) : v;
              },
            });
            return proxy;
          };
        }
        const v = Reflect.get(target, prop);
        return typeof v === "function" ? v.bind(target) : v;
      },
    }));
  const e = await assertRejects(() => f.pages.write("A", "a", {}, ALICE), ConflictError, "The wiki is busy");
  assertEquals(e.currentRevision, null);
  assertEquals(await f.pages.meta("A"), null);
  f.close();
});

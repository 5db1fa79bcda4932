import { assertEquals, assertIncludes, assertRejects } from "../assert.ts";
import { InvalidInputError, NotFoundError, QuotaExceededError, TooLargeError } from "../../lib/errors.ts";
import { K } from "../../lib/wiki/keys.ts";
import { STAGING_TTL_MS, sweepStagedBlobs } from "../../lib/kv/blobs.ts";
import { mimeFor, sanitizeFilename } from "../../lib/wiki/attachments.ts";
import { ALICE, countKeys, pattern, setup } from "./store_helpers.ts";

Deno.test("store - a 1 MB page round-trips intact, ASCII and multibyte; over the cap is refused", async () => {
  const f = await setup();
  const ascii = ("0123456789abcdef".repeat(62_500)).slice(0, 1_000_000);
  const r = await f.pages.write("Big", ascii, {}, ALICE);
  assertEquals((await f.pages.read("Big")).content, ascii);
  // 3-byte characters plus a 4-byte emoji: 333 332 * 3 + 4 = 999 1000 bytes
  const multi = "€".repeat(333_332) + "😀";
  await f.pages.write("Big", multi, { revision: r.revision }, ALICE);
  const back = await f.pages.read("Big");
  assertEquals(back.content, multi);
  assertEquals(back.bytes, 1_000_000);
  assertEquals((await f.pages.read("Big", { revision: r.revision })).content, ascii);
  const e = await assertRejects(() => f.pages.write("Huge", "a".repeat(1_000_001), {}, ALICE), TooLargeError);
  assertEquals(e.message, "Content too large (1000001 bytes). Maximum size is 1000000 bytes.");
  assertEquals((await f.pages.usage()).bytes, 1_000_000);
  assertEquals((await f.pages.search("0123456789abcdef")).hits[0]?.path, undefined); // multibyte now
  f.close();
});

Deno.test("store - a 10 MB attachment round-trips byte-identical; over the cap refused; detach frees quota", async () => {
  const f = await setup();
  await f.pages.write("Files", "files here", {}, ALICE);
  const data = pattern(10 * 1024 * 1024);
  const info = await f.pages.putAttachment("Files", "../../Big Data.BIN", data, {}, ALICE);
  assertEquals([info.filename, info.size, info.mime], ["Big Data.BIN", data.length, "application/octet-stream"]);
  const got = await f.pages.getAttachment("Files", "Big Data.BIN");
  assertEquals(got.data.length, data.length);
  assertEquals(got.data, data);
  assertEquals(got.info.sha256.length, 64);
  const small = await f.pages.putAttachment("Files", "note.txt", new TextEncoder().encode("hi"), {}, ALICE);
  assertEquals(small.mime, "text/plain");
  assertEquals((await f.pages.listAttachments("Files")).map((a) => a.filename), ["Big Data.BIN", "note.txt"]);
  assertEquals((await f.pages.usage()).bytes, 10 + data.length + 2);
  const changes = await f.pages.recentChanges(2);
  assertEquals(changes.map((c) => [c.action, c.message]), [
    ["attach", "Attach: Files/note.txt"],
    ["attach", "Attach: Files/Big Data.BIN"],
  ]);
  assertEquals((await f.pages.history("Files")).length, 1);
  const tooBig = await assertRejects(
    () => f.pages.putAttachment("Files", "x.bin", new Uint8Array(10 * 1024 * 1024 + 1), {}, ALICE),
    TooLargeError,
  );
  assertIncludes(tooBig.message, "Attachment too large (10485761 bytes). Maximum size is 10485760 bytes");
  await f.pages.deleteAttachment("Files", "Big Data.BIN", {}, ALICE);
  // The bytes stay for the attachment history (`att_hist`, the git view) and keep counting toward the storage quota,
  // so attaching and detaching cannot grow storage past it.
  assertEquals((await f.pages.usage()).bytes, 12 + data.length);
  assertEquals(await countKeys(f.kv, ["blob", f.wiki.id]), Math.ceil(data.length / (60 * 1024)));
  await assertRejects(() => f.pages.getAttachment("Files", "Big Data.BIN"), NotFoundError);
  assertEquals((await f.pages.recentChanges(1))[0].action, "detach");
  await assertRejects(() => f.pages.putAttachment("Nope", "a.txt", new Uint8Array(1), {}, ALICE), NotFoundError);
  f.close();
});

Deno.test("store - attachment filenames are sanitized; mime from extension", () => {
  assertEquals(sanitizeFilename("  dir/sub\\..hidden.png "), "hidden.png");
  assertEquals(sanitizeFilename("a\u0000b\u001f.txt"), "ab.txt");
  const long = sanitizeFilename("é".repeat(200) + ".pdf");
  assertEquals(new TextEncoder().encode(long).length <= 255, true);
  assertEquals(long.endsWith(".pdf"), true);
  for (const bad of ["", "...", "a/", " / ", "\u0001"]) {
    try {
      sanitizeFilename(bad);
      throw new Error(`accepted ${JSON.stringify(bad)}`);
    } catch (e) {
      assertEquals(e instanceof InvalidInputError, true);
    }
  }
  assertEquals([mimeFor("x.PNG"), mimeFor("x"), mimeFor("x.weird")], [
    "image/png",
    "application/octet-stream",
    "application/octet-stream",
  ]);
});

Deno.test("store - page and byte quotas", async () => {
  const f = await setup({ quotaPages: 2, quotaBytes: 1000 });
  await f.pages.write("A", "a".repeat(400), {}, ALICE);
  const b = await f.pages.write("B", "b".repeat(400), {}, ALICE);
  const pagesFull = await assertRejects(() => f.pages.write("C", "c", {}, ALICE), QuotaExceededError);
  assertIncludes(pagesFull.message, "Page limit reached (2 pages).");
  const bytesFull = await assertRejects(
    () => f.pages.write("B", "b".repeat(700), { revision: b.revision }, ALICE),
    QuotaExceededError,
  );
  assertIncludes(bytesFull.message, "Wiki storage quota exceeded (1000 bytes limit).");
  await assertRejects(
    () => f.pages.putAttachment("A", "f.bin", new Uint8Array(300), {}, ALICE),
    QuotaExceededError,
    "Wiki storage quota exceeded",
  );
  await f.pages.write("B", "b", { revision: b.revision }, ALICE); // shrinking is always allowed
  await f.pages.delete("A", {}, ALICE);
  await f.pages.write("C", "c", {}, ALICE); // deleted pages do not count
  assertEquals(await f.pages.usage(), { pages: 2, bytes: 2, quotaPages: 2, quotaBytes: 1000 });
  await assertRejects(() => f.pages.restore("A", {}, ALICE), QuotaExceededError, "Page limit reached");
  f.close();

  const g = await setup({ quotaBytes: 50 * 1024 * 1024 });
  assertEquals((await g.pages.usage()).quotaBytes, 52428800);
  g.close();
});

/** A KV whose atomic commits that check `wiki_state` throw: a crash between staging and the final commit. */
function crashingKv(kv: Deno.Kv, crash: { on: boolean }): Deno.Kv {
  return new Proxy(kv, {
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
              if (p === "commit") {
                return () => {
                  if (guarded && crash.on) throw new Error("simulated crash");
                  return o.commit();
                };
              }
              const v = Reflect.get(o, p);
              return typeof v === "function" ? (...args: unknown[]) => (v.apply(o, args) === o ? proxy : undefined) : v;
            },
          });
          return proxy;
        };
      }
      const v = Reflect.get(target, prop);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

Deno.test("store - a crash between staging and the final commit leaves nothing visible; sweep removes chunks", async () => {
  const crash = { on: false };
  const f = await setup({}, {}, (kv) => crashingKv(kv, crash));
  await f.pages.write("Small", "small page", {}, ALICE);
  assertEquals((await f.pages.list()).length, 1);
  const before = await f.pages.usage();
  crash.on = true;
  const big = "word ".repeat(100_000);
  await assertRejects(() => f.pages.write("Big", big, {}, ALICE), Error, "simulated crash");
  await assertRejects(
    () => f.pages.putAttachment("Small", "a.bin", pattern(500_000), {}, ALICE),
    Error,
    "simulated crash",
  );
  crash.on = false;
  await assertRejects(() => f.pages.read("Big"), NotFoundError);
  assertEquals((await f.pages.list()).map((p) => p.path), ["Small"]);
  assertEquals((await f.pages.search("word")).total, 0);
  assertEquals(await f.pages.usage(), before);
  assertEquals(await f.pages.listAttachments("Small"), []);
  assertEquals(await countKeys(f.kv, ["blob_staging", f.wiki.id]), 2);
  const chunks = await countKeys(f.kv, ["blob", f.wiki.id]);
  assertEquals(chunks > 0, true);
  assertEquals(await sweepStagedBlobs(f.kv, f.wiki.id, f.clock.t + STAGING_TTL_MS + 1), 2);
  assertEquals(await countKeys(f.kv, ["blob", f.wiki.id]), 0);
  assertEquals(await countKeys(f.kv, K.pages(f.wiki.id)), 1);
  f.close();
});

Deno.test("store - a page with too many links for one commit is refused; broken Unicode is refused", async () => {
  const f = await setup();
  const links = Array.from({ length: 1200 }, (_, i) => `[[T${i}]]`).join(" ");
  await assertRejects(() => f.pages.write("Many", links, {}, ALICE), TooLargeError, "Reduce the number of links");
  await assertRejects(() => f.pages.write("Bad", "a\ud800b", {}, ALICE), InvalidInputError, "broken Unicode");
  const ok = Array.from({ length: 300 }, (_, i) => `[[T${i}]]`).join(" ");
  await f.pages.write("Some", ok, {}, ALICE);
  assertEquals((await f.pages.links("T299")).linkedFrom, ["Some"]);
  assertEquals((await f.pages.usage()).pages, 1);
  f.close();
});

Deno.test("store - contents around the inline/blob boundary all store and read back (ASCII, Latin-1, UTF-16)", async () => {
  const f = await setup();
  for (const ch of ["a", "é", "€", "😀"]) {
    for (let n = 26_000; n <= 34_000; n += 1000) {
      const text = `---\ntitle: T ${ch}\ntags: [x]\n---\n` + ch.repeat(n / ch.length);
      const path = `B ${ch} ${n}`;
      await f.pages.write(path, text, {}, ALICE);
      assertEquals((await f.pages.read(path)).content, text);
    }
  }
  assertEquals((await f.pages.list()).length, 36);
  f.close();
});

Deno.test("store - a write refused after staging its blob leaves no chunks behind", async () => {
  const f = await setup({ quotaBytes: 100_000 });
  await assertRejects(() => f.pages.write("Big", "z".repeat(200_000), {}, ALICE), QuotaExceededError);
  assertEquals(await countKeys(f.kv, ["blob", f.wiki.id]), 0);
  assertEquals(await countKeys(f.kv, ["blob_staging", f.wiki.id]), 0);
  assertEquals((await f.pages.usage()).bytes, 0);
  f.close();
});

Deno.test("store - attachments follow a rename and survive the page's deletion", async () => {
  const f = await setup();
  await f.pages.write("Doc", "doc", {}, ALICE);
  await f.pages.putAttachment("Doc", "a.txt", new TextEncoder().encode("hello"), {}, ALICE);
  await f.pages.rename("Doc", "Docs/Main", {}, ALICE);
  assertEquals((await f.pages.listAttachments("Docs/Main")).map((a) => a.filename), ["a.txt"]);
  assertEquals(new TextDecoder().decode((await f.pages.getAttachment("Docs/Main", "a.txt")).data), "hello");
  await assertRejects(() => f.pages.listAttachments("Doc"), NotFoundError);
  await f.pages.delete("Docs/Main", {}, ALICE);
  assertEquals((await f.pages.listAttachments("Docs/Main")).length, 1);
  await assertRejects(
    () => f.pages.putAttachment("Docs/Main", "b.txt", new Uint8Array(1), {}, ALICE),
    NotFoundError,
    "was deleted",
  );
  assertEquals((await f.pages.usage()).bytes, 5);
  f.close();
});

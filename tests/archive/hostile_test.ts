/**
 * Hostile archives are refused with an error naming the entry, and nothing is imported: zip bombs (a ratio over the
 * limit, a declared total over the limit, an entry that inflates past its declared size), `../` and absolute paths,
 * symlink entries, names differing only in case, names that are not UTF-8, 10,000 tiny files, a page over the size
 * limit. Every archive here is written byte by byte (tests/archive/raw_zip.ts) where a library would refuse.
 */
import { assertEquals, assertOk as assert } from "../assert.ts";
import { ALICE, archiveFixture, makeZip } from "./helpers.ts";
import { rawZip, textEntry } from "./raw_zip.ts";
import { importArchive } from "../../lib/archive/import.ts";
import { ArchiveError } from "../../lib/archive/archive_error.ts";
import { deflateRaw, ZipWriter } from "../../lib/archive/zip_write.ts";
import { bytesSource } from "../../lib/archive/zip_read.ts";
import { crc32 } from "../../lib/archive/crc32.ts";
import { K } from "../../lib/wiki/keys.ts";
import { concat } from "./helpers.ts";

/** Imports `zip` into a fresh seeded wiki, expects a refusal naming `entry`, and checks nothing was written. */
async function expectRefused(zip: Uint8Array, entry: string, kind: string, limits = {}): Promise<string> {
  const f = await archiveFixture(limits);
  try {
    const wiki = await f.wiki("target", { seed: Object.keys(limits).length === 0 });
    const before = await f.kv.get(K.wikiState(wiki.id));
    let caught: unknown = null;
    await importArchive(f.target(wiki), bytesSource(zip), ALICE).catch((e) => (caught = e));
    assert(caught instanceof Error, `expected a refusal for ${entry}`);
    const message = (caught as Error).message;
    assert(message.includes(entry), `the error names "${entry}": ${message}`);
    if (caught instanceof ArchiveError) assertEquals(caught.kind, kind, message);
    else assertEquals(kind, "plan", message);
    const after = await f.kv.get(K.wikiState(wiki.id));
    assertEquals(after.versionstamp, before.versionstamp, "nothing was written");
    return message;
  } finally {
    f.close();
  }
}

Deno.test("a zip bomb by ratio is refused naming the entry", async () => {
  const zeros = new Uint8Array(20 * 1024 * 1024);
  const packed = await deflateRaw(zeros);
  const zip = rawZip([
    textEntry("Fine.md", "fine"),
    { name: "bomb.md", stored: packed, method: 8, size: zeros.length, crc: crc32(zeros) },
  ]);
  const message = await expectRefused(zip, "bomb.md", "bomb");
  assert(message.includes("zip bomb"), message);
});

Deno.test("a declared total over the limit is refused before anything is unpacked", async () => {
  const entries = Array.from(
    { length: 8 },
    (_, i) => textEntry(`big${i}.bin`, "x", { size: 10 * 1024 * 1024, compressedSize: 200 * 1024, crc: 0 }),
  );
  await expectRefused(rawZip(entries), "big6.bin", "bomb", { quotaBytes: 1024 * 1024 });
});

Deno.test("an entry that inflates past its declared size is cut off and refused", async () => {
  const real = new TextEncoder().encode("a".repeat(100_000));
  const zip = rawZip([{ name: "Lie.md", stored: await deflateRaw(real), method: 8, size: 100, crc: crc32(real) }]);
  await expectRefused(zip, "Lie.md", "bomb");
});

Deno.test("../ and absolute paths are refused", async () => {
  await expectRefused(rawZip([textEntry("notes/../../evil.md", "x")]), "notes/../../evil.md", "bad_path");
  await expectRefused(rawZip([textEntry("/etc/cron.d/evil.md", "x")]), "/etc/cron.d/evil.md", "bad_path");
  await expectRefused(rawZip([textEntry("C:/Windows/evil.md", "x")]), "C:/Windows/evil.md", "bad_path");
  await expectRefused(rawZip([textEntry("dir\\..\\evil.md", "x")]), "dir\\..\\evil.md", "bad_path");
});

Deno.test("a symlink entry is refused", async () => {
  const zip = rawZip([textEntry("Fine.md", "ok"), textEntry("Link.md", "../../etc/passwd", { mode: 0o120777 })]);
  await expectRefused(zip, "Link.md", "symlink");
});

Deno.test("names differing only in case are refused", async () => {
  const zip = rawZip([textEntry("Notes/Plan.md", "one"), textEntry("notes/plan.md", "two")]);
  const message = await expectRefused(zip, "notes/plan.md", "duplicate");
  assert(message.includes("Notes/Plan.md"), message);
});

Deno.test("a name that is not UTF-8 is refused", async () => {
  const latin1 = new Uint8Array([0x43, 0x61, 0x66, 0xe9, 0x2e, 0x6d, 0x64]); // "Café.md" in Latin-1
  const message = await expectRefused(rawZip([textEntry(latin1, "x", { flags: 0 })]), "Caf", "bad_name_encoding");
  assert(message.includes("43 61 66 e9"), message);
});

Deno.test("10,000 tiny files are refused as too many entries", async () => {
  const w = new ZipWriter();
  const parts: Uint8Array[] = [];
  for (let i = 0; i < 10_000; i++) parts.push(...await w.add({ name: `n/${i}.md`, data: new Uint8Array([0x78]) }));
  parts.push(...w.finish());
  const message = await expectRefused(concat(parts), "10000 entries", "too_many_entries");
  assert(message.includes("at most 2500"), message);
});

Deno.test("a page over the size limit is refused naming it, and nothing is imported", async () => {
  const zip = await makeZip({ "A.md": "small", "Huge.md": "y".repeat(5000), "Z.md": "small too" });
  const message = await expectRefused(zip, "Huge.md", "plan", { maxPageBytes: 1000 });
  assert(message.includes("1000 bytes"), message);
});

Deno.test("a corrupted entry (bad checksum) is refused naming it", async () => {
  await expectRefused(rawZip([textEntry("Bad.md", "hello", { crc: 1234 })]), "Bad.md", "corrupt");
});

Deno.test("a file that is not a zip is refused", async () => {
  await expectRefused(new TextEncoder().encode("just text"), "not a zip", "not_zip");
});

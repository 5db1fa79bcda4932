/**
 * Backup files that are not whole (truncated, corrupted, of another version, foreign) are refused with a clear
 * message before anything is written; a non-empty target is refused; a restore that fails half-way leaves its
 * marker; and the command lines (`deno task backup` / `restore`: scripts/backup.ts, scripts/restore.ts) say so.
 */
import { assertEquals, assertIncludes, assertOk, assertRejects } from "../../assert.ts";
import { writeBackup } from "../../../lib/kv/backup/backup.ts";
import { BackupFormatError } from "../../../lib/kv/backup/format.ts";
import { restoreBackup, RestoreKeys, RestoreRefusedError } from "../../../lib/kv/backup/restore.ts";
import { backupRuleOf } from "../../../lib/platform/key_registry.ts";
import { startHeartbeat } from "../../../lib/platform/heartbeat.ts";
import { main as backupMain } from "../../../scripts/backup.ts";
import { main as restoreMain } from "../../../scripts/restore.ts";

/** A small store: pages, a blob chunk over 60 KiB, a rate counter (skipped) and an expiring session. */
async function populate(kv: Deno.Kv): Promise<void> {
  for (let i = 0; i < 30; i++) await kv.set(["page", "w_a", `P${i}`], { text: "x".repeat(i), n: i });
  await kv.set(["blob", "w_a", "b_1", 0], new Uint8Array(61_000).fill(7));
  await kv.set(["rate", "login", 1, "127.0.0.1"], new Deno.KvU64(3n));
  await kv.set(["session", "h1"], { did: "did:plc:a", expiresAt: Date.now() + 3_600_000 }, { expireIn: 3_600_000 });
}

/** Runs a command line, returning its exit code and output. */
async function run(main: (argv: string[], log: (l: string) => void) => Promise<number>, argv: string[]) {
  const out: string[] = [];
  const code = await main(argv, (l) => out.push(l));
  return { code, out: out.join("\n") };
}

async function keysOf(path: string): Promise<string[]> {
  const kv = await Deno.openKv(path);
  try {
    const keys: string[] = [];
    for await (const e of kv.list({ prefix: [] })) keys.push(JSON.stringify(e.key));
    return keys;
  } finally {
    kv.close();
  }
}

Deno.test("backup files - the command lines round-trip a store file; bad files and a non-empty target are refused", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const source = `${dir}/source.kv`;
    const kv = await Deno.openKv(source);
    await populate(kv);
    kv.close();
    const file = `${dir}/b.jsonl.gz`;
    const made = await run(backupMain, [file, "--kv", source]);
    assertEquals(made.code, 0, made.out);
    assertIncludes(made.out, "Backed up 32 records");
    assertIncludes(made.out, "Skipped (not backed up by design): rate 1");
    const done = await run(restoreMain, [file, "--kv", `${dir}/target.kv`]);
    assertEquals(done.code, 0, done.out);
    assertIncludes(done.out, "Restored 32 records");
    assertEquals(await keysOf(`${dir}/target.kv`), (await keysOf(source)).filter((k) => !k.startsWith('["rate"')));

    // A non-empty target is refused and left as it was.
    const again = await run(restoreMain, [file, "--kv", `${dir}/target.kv`]);
    assertEquals(again.code, 1);
    assertIncludes(again.out, "the target KV is not empty");
    assertEquals((await keysOf(`${dir}/target.kv`)).length, 32);

    // A gzip file cut short, a plain file without its trailer, an edited record, another version, a foreign file.
    const gz = await Deno.readFile(file);
    await Deno.writeFile(`${dir}/cut.gz`, gz.subarray(0, Math.floor(gz.length / 2)));
    const plain = `${dir}/b.jsonl`;
    const reopened = await Deno.openKv(source);
    await writeBackup(reopened, (await Deno.create(plain)).writable, backupRuleOf, { gzip: false });
    reopened.close();
    const text = await Deno.readTextFile(plain);
    const lines = text.trimEnd().split("\n");
    await Deno.writeTextFile(`${dir}/notrailer.jsonl`, lines.slice(0, -1).join("\n") + "\n");
    await Deno.writeTextFile(`${dir}/edited.jsonl`, text.replace('"text":"xxx"', '"text":"xxy"'));
    await Deno.writeTextFile(`${dir}/v2.jsonl`, text.replace('"version":1', '"version":2'));
    await Deno.writeTextFile(`${dir}/dropped.jsonl`, [lines[0], ...lines.slice(2)].join("\n") + "\n");
    await Deno.writeTextFile(`${dir}/after.jsonl`, text + '{"k":["page","w_a","Z"],"v":1}\n');
    await Deno.writeTextFile(`${dir}/foreign.jsonl`, "hello\nworld\n");
    const cases: [string, string][] = [
      ["cut.gz", "corrupted or truncated"],
      ["notrailer.jsonl", "no trailer after 32 records: the file is truncated"],
      ["edited.jsonl", "checksum mismatch: the file is corrupted"],
      ["v2.jsonl", "backup version 2 is not supported (this code reads version 1)"],
      ["dropped.jsonl", "the trailer counts 32 records, the file holds 31"],
      ["after.jsonl", "data after the trailer"],
      ["foreign.jsonl", "not a robot.wtf backup"],
    ];
    for (const [name, message] of cases) {
      const target = `${dir}/t-${name}.kv`;
      const res = await run(restoreMain, [`${dir}/${name}`, "--kv", target]);
      assertEquals(res.code, 1, name);
      assertIncludes(res.out, message, name);
      assertIncludes(res.out, "Nothing was written", name);
      assertEquals(await keysOf(target), [], `${name}: the target stays empty`);
    }
    // The plain (uncompressed) file restores too.
    assertEquals((await run(restoreMain, [plain, "--kv", `${dir}/plain.kv`])).code, 0);
    assertEquals((await keysOf(`${dir}/plain.kv`)).length, 32);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("backup files - a restore that fails after it began writing leaves its marker; the next one is refused", async () => {
  const source = await Deno.openKv(":memory:");
  const target = await Deno.openKv(":memory:");
  try {
    await populate(source);
    const chunks: Uint8Array[] = [];
    await writeBackup(source, new WritableStream({ write: (c) => void chunks.push(c) }), backupRuleOf, { gzip: false });
    const good = new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c])));
    const bad = good.replace('"text":"xxx"', '"text":"xxy"');
    let opened = 0;
    const open = () => Promise.resolve(new Blob([opened++ === 0 ? good : bad]).stream());
    const err = await assertRejects(() => restoreBackup(target, open), Error, "the store is partial");
    assertOk(!(err instanceof BackupFormatError));
    assertOk((await target.get(RestoreKeys.marker())).value !== null, "the marker stays");
    await assertRejects(
      () => restoreBackup(target, () => Promise.resolve(new Blob([good]).stream())),
      RestoreRefusedError,
      "interrupted restore",
    );
  } finally {
    source.close();
    target.close();
  }
});

Deno.test("backup files - the backup refuses while an app process is running, not while it is in maintenance mode", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/live.kv`;
    const kv = await Deno.openKv(path);
    await populate(kv);
    const running = await startHeartbeat(kv, { maintenance: false });
    const refused = await run(backupMain, [`${dir}/x.gz`, "--kv", path]);
    assertEquals(refused.code, 1);
    assertIncludes(refused.out, "the app is running on this KV");
    assertEquals(await Deno.stat(`${dir}/x.gz`).then(() => true, () => false), false, "no file is left");
    const forced = await run(backupMain, [`${dir}/x.gz`, "--kv", path, "--force"]);
    assertEquals(forced.code, 0, forced.out);
    assertIncludes(forced.out, "Backing up anyway (--force)");
    await running.stop();
    const quiet = await startHeartbeat(kv, { maintenance: true });
    const ok = await run(backupMain, [`${dir}/y.gz`, "--kv", path]);
    assertEquals(ok.code, 0, ok.out);
    assertIncludes(ok.out, "1 app process(es) in maintenance mode");
    await quiet.stop();
    kv.close();
    const missing = await run(backupMain, [`${dir}/z.gz`, "--kv", `${dir}/nothing.kv`]);
    assertEquals(missing.code, 1);
    assertIncludes(missing.out, "No KV store at");
    assertEquals((await run(backupMain, [])).code, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/**
 * Staged import uploads (lib/archive/upload_store.ts): bytes come back exactly across chunk edges; an upload past the
 * limit is refused and leaves nothing; a wiki holds at most three at once; only the uploader finds theirs; the
 * uploader's account deletion (forgetUser) and the wiki's deletion (forgetWiki) remove them.
 */
import { assertEquals, assertRejects } from "../assert.ts";
import {
  findUpload,
  MAX_STAGED_UPLOADS,
  stageUpload,
  UPLOAD_STORE,
  uploadSource,
} from "../../lib/archive/upload_store.ts";
import { ConflictError, TooLargeError } from "../../lib/errors.ts";
import { ALICE, archiveFixture } from "./helpers.ts";

async function* pieces(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.slice(i, i + size);
}

async function keys(kv: Deno.Kv, wikiId: string): Promise<number> {
  let n = 0;
  for await (const _ of kv.list({ prefix: ["import_upload", wikiId] })) n++;
  return n;
}

Deno.test("staged uploads: exact bytes back, size limit, three per wiki, uploader only, forgotten with both", async () => {
  const f = await archiveFixture();
  try {
    const wiki = await f.wiki("uploads");
    const data = new Uint8Array(200_000).map((_, i) => (i * 31) & 0xff);
    const now = 1_800_000_000_000;
    const info = { by: ALICE.id, filename: "a.zip", maxBytes: 300_000, now };
    const meta = await stageUpload(f.kv, wiki.id, pieces(data, 7_777), info);
    assertEquals([meta.size, meta.chunks], [200_000, 4]);
    const src = uploadSource(f.kv, wiki.id, meta);
    assertEquals(await src.read(61_000, 1_000), data.subarray(61_000, 62_000), "across a chunk edge");
    assertEquals(await src.read(0, 200_000), data);
    assertEquals((await findUpload(f.kv, wiki.id, meta.id, ALICE.id, now))?.id, meta.id);
    assertEquals(await findUpload(f.kv, wiki.id, meta.id, "did:plc:mallory", now), null, "only the uploader");
    assertEquals(await findUpload(f.kv, wiki.id, meta.id, ALICE.id, meta.expiresAt), null, "expired");

    const before = await keys(f.kv, wiki.id);
    await assertRejects(
      () => stageUpload(f.kv, wiki.id, pieces(data, 50_000), { ...info, maxBytes: 100_000 }),
      TooLargeError,
    );
    assertEquals(await keys(f.kv, wiki.id), before, "a refused upload leaves nothing");

    for (let i = 1; i < MAX_STAGED_UPLOADS; i++) await stageUpload(f.kv, wiki.id, pieces(data, 65_536), info);
    await assertRejects(() => stageUpload(f.kv, wiki.id, pieces(data, 65_536), info), ConflictError);
    const later = { ...info, now: meta.expiresAt + 1 };
    await stageUpload(f.kv, wiki.id, pieces(data, 65_536), later); // expired ones make room

    assertEquals(await UPLOAD_STORE.forgetUser(f.kv, ALICE.id), 1, "the one live upload (the expired were dropped)");
    assertEquals(await keys(f.kv, wiki.id), 0);
    await stageUpload(f.kv, wiki.id, pieces(data, 65_536), info);
    await UPLOAD_STORE.forgetWiki(f.kv, wiki.id);
    assertEquals(await keys(f.kv, wiki.id), 0);
  } finally {
    f.close();
  }
});

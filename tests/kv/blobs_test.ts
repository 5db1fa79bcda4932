import { assertEquals, assertRejects } from "../assert.ts";
import {
  CHUNK_BYTES,
  deleteBlob,
  publishBlob,
  readBlob,
  stageBlob,
  STAGING_TTL_MS,
  sweepStagedBlobs,
} from "../../lib/kv/blobs.ts";
import { BlobKeys } from "../../lib/kv/blobs.ts";
import { getLive, setExpiring } from "../../lib/kv/expiring.ts";

function pattern(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + (i >> 8)) & 255;
  return out;
}

async function countKeys(kv: Deno.Kv, prefix: Deno.KvKey): Promise<number> {
  let n = 0;
  for await (const _ of kv.list({ prefix })) n++;
  return n;
}

Deno.test("blobs - a 10 MB blob round-trips byte-identical through chunks", async () => {
  const kv = await Deno.openKv(":memory:");
  const data = pattern(10 * 1024 * 1024);
  const ref = await stageBlob(kv, "w_test", data);
  assertEquals(ref.chunks, Math.ceil(data.length / CHUNK_BYTES));
  const back = await readBlob(kv, "w_test", ref);
  assertEquals(back.length, data.length);
  assertEquals(back, data);
  kv.close();
});

Deno.test("blobs - an empty blob is one empty chunk", async () => {
  const kv = await Deno.openKv(":memory:");
  const ref = await stageBlob(kv, "w_test", new Uint8Array(0));
  assertEquals(await readBlob(kv, "w_test", ref), new Uint8Array(0));
  kv.close();
});

Deno.test("blobs - publishing removes the staging marker; sweep leaves published blobs alone", async () => {
  const kv = await Deno.openKv(":memory:");
  const now = 1_000_000;
  const ref = await stageBlob(kv, "w_test", pattern(200_000), now);
  assertEquals(await countKeys(kv, ["blob_staging", "w_test"]), 1);
  await publishBlob(kv.atomic(), "w_test", ref).commit();
  assertEquals(await countKeys(kv, ["blob_staging", "w_test"]), 0);
  assertEquals(await sweepStagedBlobs(kv, "w_test", now + STAGING_TTL_MS + 1), 0);
  assertEquals((await readBlob(kv, "w_test", ref)).length, 200_000);
  kv.close();
});

Deno.test("blobs - an unpublished blob is swept after its staging marker expires, not before", async () => {
  const kv = await Deno.openKv(":memory:");
  const now = 1_000_000;
  const ref = await stageBlob(kv, "w_test", pattern(300_000), now);
  assertEquals(await sweepStagedBlobs(kv, "w_test", now + 1000), 0);
  assertEquals(await sweepStagedBlobs(kv, "w_test", now + STAGING_TTL_MS + 1), 1);
  assertEquals(await countKeys(kv, BlobKeys.blobChunks("w_test", ref.blob)), 0);
  await assertRejects(() => readBlob(kv, "w_test", ref), Error, "incomplete");
  kv.close();
});

Deno.test("blobs - a missing chunk is detected, and deleteBlob removes everything", async () => {
  const kv = await Deno.openKv(":memory:");
  const ref = await stageBlob(kv, "w_test", pattern(CHUNK_BYTES * 3));
  await kv.delete(BlobKeys.blobChunk("w_test", ref.blob, 1));
  await assertRejects(() => readBlob(kv, "w_test", ref), Error, "missing chunk 1");
  await deleteBlob(kv, "w_test", ref.blob);
  assertEquals(await countKeys(kv, ["blob", "w_test"]), 0);
  assertEquals(await countKeys(kv, ["blob_staging", "w_test"]), 0);
  kv.close();
});

Deno.test("expiring - a value reads as absent once its inner expiry passes, before KV deletes it", async () => {
  const kv = await Deno.openKv(":memory:");
  const now = Date.now();
  await setExpiring(kv.atomic(), ["t", 1], { v: 1 }, 60_000, now).commit();
  assertEquals((await getLive<{ v: number }>(kv, ["t", 1], now + 59_999)).value?.v, 1);
  const expired = await getLive(kv, ["t", 1], now + 60_000);
  assertEquals(expired.value, null);
  assertEquals(typeof expired.versionstamp, "string");
  kv.close();
});

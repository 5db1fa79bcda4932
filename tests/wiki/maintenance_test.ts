import { assertEquals } from "../assert.ts";
import { publishBlob, readBlob, stageBlob } from "../../lib/kv/blobs.ts";
import { STAGED_BLOB_MIN_AGE_MS, startStagedBlobSweeper, sweepAllStagedBlobs } from "../../lib/wiki/maintenance.ts";
import { countKeys } from "./store_helpers.ts";

const T = 1_800_000_000_000;
const DATA = new Uint8Array(130_000).fill(7); // three chunks

Deno.test("maintenance - sweeps unpublished staged blobs of every wiki once old enough, never published ones", async () => {
  const kv = await Deno.openKv(":memory:");
  const oldA = await stageBlob(kv, "w_a", DATA, T);
  const oldB = await stageBlob(kv, "w_b", DATA, T);
  const young = await stageBlob(kv, "w_a", DATA, T + STAGED_BLOB_MIN_AGE_MS);
  const published = await stageBlob(kv, "w_a", DATA, T);
  await publishBlob(kv.atomic().set(["owner"], published), "w_a", published).commit();

  assertEquals(await sweepAllStagedBlobs(kv, { now: T + STAGED_BLOB_MIN_AGE_MS - 1 }), 0);
  assertEquals(await sweepAllStagedBlobs(kv, { now: T + STAGED_BLOB_MIN_AGE_MS }), 2);
  assertEquals(await countKeys(kv, ["blob", "w_a", oldA.blob]), 0);
  assertEquals(await countKeys(kv, ["blob", "w_b", oldB.blob]), 0);
  assertEquals(await countKeys(kv, ["blob_staging", "w_b"]), 0);
  // Still staged but young, and published: untouched.
  assertEquals(await countKeys(kv, ["blob", "w_a", young.blob]), 3);
  assertEquals(await countKeys(kv, ["blob_staging"]), 1);
  assertEquals((await readBlob(kv, "w_a", published)).length, DATA.length);
  assertEquals(await sweepAllStagedBlobs(kv, { now: T + 2 * STAGED_BLOB_MIN_AGE_MS }), 1);
  assertEquals(await countKeys(kv, ["blob_staging"]), 0);
  assertEquals((await readBlob(kv, "w_a", published)).length, DATA.length);
  kv.close();
});

Deno.test("maintenance - the sweeper runs on its interval and stops", async () => {
  const kv = await Deno.openKv(":memory:");
  await stageBlob(kv, "w_a", DATA, Date.now() - 2 * STAGED_BLOB_MIN_AGE_MS);
  const logs: string[] = [];
  const sweeper = startStagedBlobSweeper(kv, { intervalMs: 5, log: (m) => logs.push(m) });
  try {
    for (let i = 0; i < 200 && logs.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
  } finally {
    sweeper.stop();
    sweeper.stop();
  }
  assertEquals(logs, ["maintenance: deleted 1 staged blob(s) of writes that never committed"]);
  assertEquals(await countKeys(kv, ["blob", "w_a"]), 0);
  await new Promise((r) => setTimeout(r, 20)); // a run in flight at stop() finishes before the KV is closed
  kv.close();
});

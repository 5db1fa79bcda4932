import { assertEquals, withHangGuard } from "../assert.ts";
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
  const logged = Promise.withResolvers<void>();
  const sweeper = startStagedBlobSweeper(kv, {
    intervalMs: 5,
    log: (m) => {
      logs.push(m);
      logged.resolve();
    },
  });
  try {
    await withHangGuard(logged.promise, "the first sweep's log line");
  } finally {
    await sweeper.stop(); // a run in flight at stop() finishes before stop() resolves, so the KV can close
    await sweeper.stop();
  }
  assertEquals(logs, ["maintenance: deleted 1 staged blob(s) of writes that never committed"]);
  assertEquals(await countKeys(kv, ["blob", "w_a"]), 0);
  kv.close();
});

Deno.test("maintenance - stop() resolves only once the run in flight has finished, and no run starts after", async () => {
  const kv = await Deno.openKv(":memory:");
  await stageBlob(kv, "w_a", DATA, Date.now() - 2 * STAGED_BLOB_MIN_AGE_MS);
  // The sweep's first read waits on `gate`: stop() is called while a run is certainly in flight.
  const { kv: held, started, gate } = heldOnFirstList(kv);
  const logs: string[] = [];
  let lists = 0;
  const counted = new Proxy(held, {
    get(target, prop) {
      if (prop === "list") lists++;
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  const sweeper = startStagedBlobSweeper(counted, { intervalMs: 5, log: (m) => logs.push(m) });
  await withHangGuard(started, "the first sweep to start");
  const stopped = sweeper.stop();
  gate.resolve();
  await withHangGuard(Promise.resolve(stopped), "stop()");
  assertEquals(logs, ["maintenance: deleted 1 staged blob(s) of writes that never committed"]);
  assertEquals(await countKeys(kv, ["blob", "w_a"]), 0, "the run finished its deletions before stop() resolved");
  const listsAtStop = lists;
  await sweeper.stop();
  assertEquals(lists, listsAtStop, "no run started after stop()");
  kv.close();
});

/** A view of `kv` whose first `list` waits for `gate`; `started` resolves when that list is called. */
function heldOnFirstList(kv: Deno.Kv) {
  const started = Promise.withResolvers<void>();
  const gate = Promise.withResolvers<void>();
  let first = true;
  const view = new Proxy(kv, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (prop === "list" && first) {
        return (...args: Parameters<Deno.Kv["list"]>) => {
          first = false;
          started.resolve();
          const inner = target.list(...args);
          return (async function* () {
            await gate.promise;
            yield* inner;
          })();
        };
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { kv: view, started: started.promise, gate };
}

/**
 * The app's heartbeat (lib/platform/heartbeat.ts): what `deno task backup` reads to know whether the store is quiet.
 */
import { assertEquals, assertIncludes } from "../assert.ts";
import {
  HEARTBEAT_TTL_MS,
  HeartbeatKeys,
  liveHeartbeats,
  startHeartbeat,
  writersRunning,
} from "../../lib/platform/heartbeat.ts";

Deno.test("heartbeat - a running process is seen until it stops or its beat is older than the TTL", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    let t = 1_800_000_000_000;
    const heart = await startHeartbeat(kv, { maintenance: false, now: () => t, intervalMs: 3_600_000 });
    assertEquals((await liveHeartbeats(kv, t)).map((h) => h.instance), [heart.instance]);
    assertIncludes((await writersRunning(kv, t + 5_000))!, "last beat 5 s ago");
    assertEquals(await writersRunning(kv, t + HEARTBEAT_TTL_MS), null, "a beat older than the TTL is dead");
    t += 1;
    await heart.stop();
    assertEquals((await kv.get(HeartbeatKeys.beat(heart.instance))).value, null, "a clean stop deletes it");
    const quiet = await startHeartbeat(kv, { maintenance: true, now: () => t, intervalMs: 3_600_000 });
    assertEquals((await liveHeartbeats(kv, t)).length, 1);
    assertEquals(await writersRunning(kv, t), null, "a process in maintenance mode does not write");
    await quiet.stop();
  } finally {
    kv.close();
  }
});

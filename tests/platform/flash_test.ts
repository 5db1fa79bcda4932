/**
 * One-time flashes (lib/platform/flash.ts): single use, only for the session that made them, encrypted at rest,
 * expiring.
 */
import { assertEquals, assertExcludes } from "../assert.ts";
import { FLASH_TTL_MS, putFlash, takeFlash } from "../../lib/platform/flash.ts";
import { PlatformKeys } from "../../lib/platform/store.ts";

Deno.test("flash: taken once by its session; other sessions, expired and malformed ids get null", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const t = Date.UTC(2026, 10, 26);
    const id = await putFlash(kv, "session-a", { token: "rwtf_secret" }, t);
    const stored = (await kv.get(PlatformKeys.flash(id))).value;
    assertExcludes(
      JSON.stringify(stored, (_k, v) => v instanceof Uint8Array ? new TextDecoder().decode(v) : v),
      "rwtf_secret",
    );
    assertEquals(await takeFlash(kv, "session-b", id, t), null);
    assertEquals(await takeFlash(kv, "session-a", "../x", t), null);
    assertEquals(await takeFlash(kv, "session-a", id, t + FLASH_TTL_MS), null);
    assertEquals(await takeFlash(kv, "session-a", id, t + 1000), { token: "rwtf_secret" });
    assertEquals(await takeFlash(kv, "session-a", id, t + 1000), null);
  } finally {
    kv.close();
  }
});

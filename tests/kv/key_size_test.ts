/** `fitsKeyPart`: which request input may become part of a KV key (issue 9 item 5). */
import { assertEquals } from "../assert.ts";
import { fitsKeyPart, KV_MAX_KEY_BYTES, MAX_INPUT_KEY_PART_BYTES } from "../../lib/kv/keys.ts";

Deno.test("fitsKeyPart counts UTF-8 bytes against MAX_INPUT_KEY_PART_BYTES", () => {
  assertEquals(MAX_INPUT_KEY_PART_BYTES * 2, KV_MAX_KEY_BYTES);
  assertEquals(fitsKeyPart(""), true);
  assertEquals(fitsKeyPart("a".repeat(1024)), true);
  assertEquals(fitsKeyPart("a".repeat(1025)), false);
  assertEquals(fitsKeyPart("é".repeat(512)), true); // 2 bytes each
  assertEquals(fitsKeyPart("é".repeat(513)), false);
  assertEquals(fitsKeyPart("😀".repeat(256)), true); // 4 bytes, 2 UTF-16 units each
  assertEquals(fitsKeyPart("😀".repeat(257)), false);
  assertEquals(fitsKeyPart("\ud800".repeat(341)), true); // an unpaired surrogate encodes as 3 bytes
  assertEquals(fitsKeyPart("\ud800".repeat(342)), false);
  assertEquals(fitsKeyPart("a".repeat(3000), 4096), true);
});

Deno.test("a key built from a part that fits is accepted by KV; one that does not is refused by KV", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const wikiId = "w_" + "a".repeat(20);
    const part = "é".repeat(512);
    await kv.get(["wiki_member", wikiId, part]);
    let refused = false;
    await kv.get(["wiki_member", wikiId, "a".repeat(2100)]).catch(() => refused = true);
    assertEquals(refused, true);
  } finally {
    kv.close();
  }
});

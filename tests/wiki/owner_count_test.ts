/**
 * The per-person wiki counter (lib/wiki/owner_count.ts): its commit checks make a stale count fail, both when the
 * counter exists and when it is initialised from the wikis owned (data from before the counter).
 */
import { assertEquals, assertOk, assertRejects } from "../assert.ts";
import { DEFAULT_LIMITS } from "../../lib/config.ts";
import { K } from "../../lib/wiki/keys.ts";
import { createWikis } from "../../lib/wiki/wikis.ts";
import { OwnerLimitError, readOwnerCount } from "../../lib/wiki/owner_count.ts";
import { ForbiddenError } from "../../lib/errors.ts";
import { ALICE } from "./store_helpers.ts";
import { FOREIGN_WIKI_DATA } from "../../lib/platform/wiki_lifecycle.ts";

async function registry() {
  const kv = await Deno.openKv(":memory:");
  return { kv, wikis: createWikis({ kv, limits: DEFAULT_LIMITS }, FOREIGN_WIKI_DATA) };
}

Deno.test("owner count - creates and deletes keep the counter; at 0 the key is gone", async () => {
  const { kv, wikis } = await registry();
  try {
    assertEquals((await readOwnerCount(kv, ALICE.id)).owned, 0);
    const a = await wikis.create({ slug: "count-a", ownerDid: ALICE.id, seed: false }, ALICE);
    const b = await wikis.create({ slug: "count-b", ownerDid: ALICE.id, seed: false, ownerLimit: 2 }, ALICE);
    assertEquals((await kv.get(K.userWikiCount(ALICE.id))).value, { owned: 2 });
    const err = await assertRejects(
      () => wikis.create({ slug: "count-c", ownerDid: ALICE.id, seed: false, ownerLimit: 2 }, ALICE),
      OwnerLimitError,
    );
    assertOk(err instanceof ForbiddenError && err.status === 403);
    assertEquals([err.owned, err.limit], [2, 2]);
    assertEquals(
      err.message,
      "You own 2 wikis; 2 wikis are the most one person can have. Delete one to create another.",
    );
    await wikis.delete(a.id);
    assertEquals((await kv.get(K.userWikiCount(ALICE.id))).value, { owned: 1 });
    await wikis.delete(b.id);
    assertEquals((await kv.get(K.userWikiCount(ALICE.id))).versionstamp, null);
  } finally {
    kv.close();
  }
});

Deno.test("owner count - a count read before a change to the counter fails its commit", async () => {
  const { kv, wikis } = await registry();
  try {
    await wikis.create({ slug: "stale-a", ownerDid: ALICE.id, seed: false }, ALICE);
    const stale = await readOwnerCount(kv, ALICE.id);
    assertEquals(stale.owned, 1);
    await wikis.create({ slug: "stale-b", ownerDid: ALICE.id, seed: false }, ALICE);
    assertEquals((await stale.apply(kv.atomic(), +1).commit()).ok, false);
    assertEquals((await kv.get(K.userWikiCount(ALICE.id))).value, { owned: 2 });
  } finally {
    kv.close();
  }
});

Deno.test("owner count - without a counter, a count taken from the wikis fails when one of them is deleted", async () => {
  const { kv, wikis } = await registry();
  try {
    const a = await wikis.create({ slug: "legacy-a", ownerDid: ALICE.id, seed: false }, ALICE);
    await kv.delete(K.userWikiCount(ALICE.id)); // data from before the counter
    const stale = await readOwnerCount(kv, ALICE.id);
    assertEquals(stale.owned, 1);
    // The delete takes the only wiki: the counter goes from (absent, 1 counted) to absent (0).
    await wikis.delete(a.id);
    assertEquals((await kv.get(K.userWikiCount(ALICE.id))).versionstamp, null);
    assertEquals((await stale.apply(kv.atomic(), +1).commit()).ok, false, "a commit on the stale count is refused");
    const fresh = await readOwnerCount(kv, ALICE.id);
    assertEquals(fresh.owned, 0);
    assertEquals((await fresh.apply(kv.atomic(), +1).commit()).ok, true);
  } finally {
    kv.close();
  }
});

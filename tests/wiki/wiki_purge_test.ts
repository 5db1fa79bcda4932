/**
 * Interrupted wiki creations and deletions (lib/wiki/wiki_purge.ts, issue 9 item 9): a seeded creation that fails
 * part-way leaves nothing visible, only keys under a purge marker that the sweeper removes once abandoned (and
 * never while the creation could still publish); a deletion that fails part-way hides the wiki at once, and
 * deleting again, or the sweeper, finishes it.
 */
import { assertEquals, assertOk, assertRejects, withHangGuard } from "../assert.ts";
import { DEFAULT_LIMITS, testConfig } from "../../lib/config.ts";
import { NotFoundError } from "../../lib/errors.ts";
import { createWikis } from "../../lib/wiki/wikis.ts";
import { ABANDONED_CREATE_MS, finishWikiPurges, type PurgeMarker } from "../../lib/wiki/wiki_purge.ts";
import { startMaintenance } from "../../lib/wiki/maintenance.ts";
import { loadKeyRing } from "../../lib/keys.ts";
import { createWikiTokens } from "../../lib/auth/tokens.ts";
import { faultyKv } from "../kv/faulty_kv.ts";
import { listAll, wikiIdsInStore } from "../kv/fault_helpers.ts";
import { ALICE, BOB } from "./store_helpers.ts";
import { FOREIGN_WIKI_DATA } from "../../lib/platform/wiki_lifecycle.ts";

async function faultyRegistry() {
  const raw = await Deno.openKv(":memory:");
  const { kv, faults } = faultyKv(raw);
  const clock = { t: 1_800_000_000_000 };
  return {
    raw,
    kv,
    faults,
    clock,
    wikis: createWikis({ kv, limits: DEFAULT_LIMITS, now: () => clock.t }, FOREIGN_WIKI_DATA),
  };
}

Deno.test("wiki purge - a seeded creation failing part-way is invisible, marked, and swept only once abandoned", async () => {
  const { raw, faults, clock, wikis } = await faultyRegistry();
  // The second seed page's commit fails, and so does the cleanup's first read: the store is down.
  faults.failNth(2, { ops: ["commit"], prefix: ["page"] });
  faults.failAll({ ops: ["get"], prefix: ["wiki_purge"] });
  await assertRejects(() => wikis.create({ slug: "half", ownerDid: ALICE.id }, ALICE), Error, "database is locked");
  faults.recover();

  assertEquals(await wikis.bySlug("half"), null);
  assertEquals(await wikis.forUser(ALICE.id), []);
  const markers = await listAll<PurgeMarker>(raw, ["wiki_purge"]);
  assertEquals(markers.map((m) => [m.value.kind, m.value.slug]), [["create", "half"]]);
  const id = markers[0].key[1] as string;
  assertEquals((await listAll(raw, ["page", id])).length, 1, "the first seed page was written");

  assertEquals(
    await finishWikiPurges(raw, FOREIGN_WIKI_DATA, { now: clock.t + ABANDONED_CREATE_MS - 1 }),
    0,
    "not abandoned yet",
  );
  assertOk((await wikiIdsInStore(raw)).has(id));
  assertEquals(await finishWikiPurges(raw, FOREIGN_WIKI_DATA, { now: clock.t + ABANDONED_CREATE_MS }), 1);
  assertEquals([...(await wikiIdsInStore(raw)).keys()], [], "nothing of the creation is left");

  const again = await wikis.create({ slug: "half", ownerDid: ALICE.id }, ALICE);
  assertEquals((await wikis.pages(again).list()).length, 3);
  raw.close();
});

Deno.test("wiki purge - a creation the sweeper took for abandoned cannot publish (swept while seeding or before publishing)", async () => {
  for (const at of ["page", "wiki_slug"]) {
    const { raw, faults, clock, wikis } = await faultyRegistry();
    let swept = -1;
    faults.onCall = async (call) => {
      if (swept >= 0 || call.op !== "commit" || !call.keys.some((k) => k[0] === at)) return;
      swept = 0;
      swept = await finishWikiPurges(raw, FOREIGN_WIKI_DATA, { now: clock.t + ABANDONED_CREATE_MS });
    };
    await assertRejects(() => wikis.create({ slug: "slow", ownerDid: ALICE.id }, ALICE), Error);
    assertEquals(swept, 1, at);
    assertEquals(await wikis.bySlug("slow"), null, at);
    assertEquals(await wikis.forUser(ALICE.id), [], at);
    assertEquals([...(await wikiIdsInStore(raw)).keys()], [], at);
    raw.close();
  }
});

Deno.test("wiki purge - an interrupted deletion hides the wiki at once; deleting again or the sweeper finishes it", async () => {
  const { raw, kv, faults, clock, wikis } = await faultyRegistry();
  const tokens = createWikiTokens({ kv, keys: await loadKeyRing(kv, testConfig()) });
  const w = await wikis.create({ slug: "gone", ownerDid: ALICE.id }, ALICE);
  await wikis.setMember(w.id, BOB.id, "editor", ALICE.id);
  await tokens.create(w, { label: "agent" });
  const w2 = await wikis.create({ slug: "gone-too", ownerDid: ALICE.id }, ALICE);

  for (const wiki of [w, w2]) {
    faults.failAll({ ops: ["commit"], prefix: ["page"] }); // the purge stops at the pages
    await assertRejects(() => wikis.delete(wiki.id), Error, "database is locked");
    faults.recover();
    assertEquals(await wikis.bySlug(wiki.slug), null);
    assertEquals(await wikis.byId(wiki.id), null);
    assertOk((await listAll(raw, ["page", wiki.id])).length > 0, "the purge was interrupted");
    assertEquals((await listAll(raw, ["wiki_token", wiki.id])).length, 0, "credentials go first");
  }
  assertEquals(await wikis.forUser(ALICE.id), []);
  assertEquals(await wikis.forUser(BOB.id), []);
  assertEquals(await wikis.finishDeletion("gone", BOB.id), false, "only the owner's deletion");

  await wikis.delete(w.id); // deleting again finishes it
  assertEquals((await wikiIdsInStore(raw)).has(w.id), false);
  assertEquals(await finishWikiPurges(raw, FOREIGN_WIKI_DATA, { now: clock.t }), 1, "a deletion is due at once");
  assertEquals([...(await wikiIdsInStore(raw)).keys()], []);
  assertEquals(await listAll(raw, ["user_wiki"]), []);

  assertEquals(await wikis.finishDeletion("gone", ALICE.id), true, "the owner's deletion, finished");
  await assertRejects(() => wikis.delete(w.id), NotFoundError);
  raw.close();
});

Deno.test("wiki purge - startMaintenance finishes interrupted deletions on its timer", async () => {
  const { raw, faults, wikis } = await faultyRegistry();
  const w = await wikis.create({ slug: "later", ownerDid: ALICE.id }, ALICE);
  faults.failAll({ ops: ["commit"], prefix: ["page"] });
  await assertRejects(() => wikis.delete(w.id), Error);
  faults.recover();
  const logs: string[] = [];
  const logged = Promise.withResolvers<void>();
  const sweeper = startMaintenance(raw, FOREIGN_WIKI_DATA, {
    intervalMs: 5,
    log: (m) => {
      logs.push(m);
      logged.resolve();
    },
  });
  try {
    await withHangGuard(logged.promise, "the first maintenance run's log line");
  } finally {
    await sweeper.stop(); // a run in flight at stop() finishes before stop() resolves, so the KV can close
  }
  assertEquals(logs, ["maintenance: finished removing 1 deleted or abandoned wiki(s)"]);
  assertEquals([...(await wikiIdsInStore(raw)).keys()], []);
  raw.close();
});

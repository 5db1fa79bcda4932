import { assertEquals, assertIncludes, assertOk, assertRejects } from "../assert.ts";
import { AlreadyExistsError, InvalidInputError, NotFoundError } from "../../lib/errors.ts";
import { DEFAULT_LIMITS, testConfig } from "../../lib/config.ts";
import { K } from "../../lib/wiki/keys.ts";
import { TokenKeys } from "../../lib/auth/token_store.ts";
import { createWikis, SLUG_COOLING_OFF_MS } from "../../lib/wiki/wikis.ts";
import { loadKeyRing } from "../../lib/keys.ts";
import { createWikiTokens } from "../../lib/auth/tokens.ts";
import { OK } from "../../lib/oauth/store.ts";
import { ALICE, BOB, countKeys } from "./store_helpers.ts";
import { FOREIGN_WIKI_DATA } from "../../lib/platform/wiki_lifecycle.ts";
import { KEY_PREFIXES } from "../../lib/platform/key_registry.ts";

async function registry() {
  const kv = await Deno.openKv(":memory:");
  const clock = { t: 1_800_000_000_000 };
  return { kv, clock, wikis: createWikis({ kv, limits: DEFAULT_LIMITS, now: () => clock.t }, FOREIGN_WIKI_DATA) };
}

Deno.test("wikis - create, look up by slug and id, quota from limits, duplicate and invalid slugs", async () => {
  const { kv, wikis } = await registry();
  const w = await wikis.create({ slug: "my-notes", ownerDid: ALICE.id, seed: false }, ALICE);
  assertOk(/^w_[a-z2-7]{20}$/.test(w.id));
  assertEquals([w.slug, w.title, w.visibility, w.quota], ["my-notes", "my-notes", "private", {
    pages: 500,
    bytes: 50 * 1024 * 1024,
  }]);
  assertEquals(await wikis.bySlug("my-notes"), w);
  assertEquals(await wikis.byId(w.id), w);
  assertEquals(await wikis.bySlug("other"), null);
  const dup = await assertRejects(() => wikis.create({ slug: "my-notes", ownerDid: BOB.id }, BOB), AlreadyExistsError);
  assertIncludes(dup.message, 'The name "my-notes" is already taken');
  for (const bad of ["ab", "-abc", "abc-", "ABC", "a_b_c", "a".repeat(31)]) {
    await assertRejects(
      () => wikis.create({ slug: bad, ownerDid: ALICE.id }, ALICE),
      InvalidInputError,
      "Invalid wiki name",
    );
  }
  assertEquals((await wikis.pages(w).usage()).pages, 0);
  kv.close();
});

Deno.test("wikis - visibility kept in sync on record and slug; members and roles", async () => {
  const { kv, wikis } = await registry();
  const w = await wikis.create({ slug: "team", ownerDid: ALICE.id, seed: false }, ALICE);
  const pub = await wikis.setVisibility(w.id, "public");
  assertEquals(pub.visibility, "public");
  assertEquals((await wikis.bySlug("team"))?.visibility, "public");
  assertEquals((await wikis.byId(w.id))?.visibility, "public");
  await wikis.setMember(w.id, BOB.id, "editor", ALICE.id);
  await wikis.setMember(w.id, "did:plc:carol", "viewer", ALICE.id);
  assertEquals((await wikis.members(w.id)).map((m) => [m.did, m.role]), [
    [ALICE.id, "admin"],
    [BOB.id, "editor"],
    ["did:plc:carol", "viewer"],
  ]);
  assertEquals(await wikis.roleOf(pub, ALICE.id), "admin");
  assertEquals(await wikis.roleOf(pub, BOB.id), "editor");
  assertEquals(await wikis.roleOf(pub, "did:plc:nobody"), null);
  assertEquals(await wikis.roleOf(pub, null), null);
  assertEquals((await wikis.forUser(BOB.id)).map((x) => [x.wiki.slug, x.role]), [["team", "editor"]]);
  await assertRejects(() => wikis.setMember(w.id, ALICE.id, "viewer", ALICE.id), InvalidInputError, "always an admin");
  await assertRejects(() => wikis.removeMember(w.id, ALICE.id), InvalidInputError);
  await wikis.removeMember(w.id, BOB.id);
  assertEquals(await wikis.roleOf(pub, BOB.id), null);
  assertEquals(await wikis.forUser(BOB.id), []);
  assertEquals((await wikis.forUser(ALICE.id)).map((x) => x.role), ["admin"]);
  kv.close();
});

Deno.test("wikis - delete removes every wiki-scoped key and tombstones the slug for 30 days", async () => {
  const { kv, wikis, clock } = await registry();
  const w = await wikis.create({ slug: "gone", ownerDid: ALICE.id }, ALICE);
  const other = await wikis.create({ slug: "stays", ownerDid: ALICE.id }, ALICE);
  await wikis.setMember(w.id, BOB.id, "editor", ALICE.id);
  const pages = wikis.pages(w);
  await pages.write("Big", "x ".repeat(100_000), {}, ALICE);
  await pages.putAttachment("Big", "f.bin", new Uint8Array(200_000), {}, ALICE);
  await pages.list();
  await wikis.delete(w.id);
  const wikiScoped = KEY_PREFIXES.filter((p) => p.scope === "wiki").map((p) => p.type);
  for (const type of wikiScoped) assertEquals(await countKeys(kv, [type, w.id]), 0, type);
  assertEquals(await countKeys(kv, K.userWiki(BOB.id, w.id)), 0);
  assertEquals(await countKeys(kv, K.userWiki(ALICE.id, w.id)), 0);
  assertEquals((await kv.get(K.wikiState(w.id))).versionstamp, null);
  const left: string[] = [];
  for await (const e of kv.list({ prefix: [] })) if (e.key.includes(w.id)) left.push(JSON.stringify(e.key));
  assertEquals(left, []);
  assertEquals(await wikis.byId(w.id), null);
  assertEquals(await wikis.bySlug("gone"), null);
  await assertRejects(() => pages.read("Big"), NotFoundError);
  await assertRejects(() => pages.list(), NotFoundError);
  assertEquals((await wikis.forUser(ALICE.id)).map((x) => x.wiki.slug), ["stays"]);
  assertEquals((await wikis.pages(other).list()).length, 3);
  const taken = await assertRejects(() => wikis.create({ slug: "gone", ownerDid: BOB.id }, BOB), AlreadyExistsError);
  assertIncludes(taken.message, "deleted recently");
  clock.t += SLUG_COOLING_OFF_MS + 1;
  const again = await wikis.create({ slug: "gone", ownerDid: BOB.id, seed: false }, BOB);
  assertOk(again.id !== w.id);
  assertEquals((await wikis.bySlug("gone"))?.ownerDid, BOB.id);
  kv.close();
});

Deno.test("wikis - delete revokes the wiki's tokens and removes its OAuth records, other wikis untouched", async () => {
  const { kv, wikis } = await registry();
  const keys = await loadKeyRing(kv, testConfig());
  const tokens = createWikiTokens({ kv, keys });
  const w = await wikis.create({ slug: "gone", ownerDid: ALICE.id, seed: false }, ALICE);
  const other = await wikis.create({ slug: "stays", ownerDid: ALICE.id, seed: false }, ALICE);
  const minted = [];
  for (let i = 0; i < 3; i++) minted.push((await tokens.create(w, { label: `t${i}` })).token);
  const kept = await tokens.create(other, { label: "kept" });
  const hashKeys = (await Promise.all(minted.map((t) => tokens.verifier().lookupKeys(t)))).flat();
  assertEquals((await kv.getMany(hashKeys)).filter((e) => e.value !== null).length, 3);
  // OAuth records of both wikis (shapes of lib/oauth: a grant and its per-user pointer, a client, a token).
  for (const wiki of [w, other]) {
    await kv.set(OK.grant(wiki.id, "g1"), { id: "g1", did: BOB.id, wikiId: wiki.id });
    await kv.set(OK.userGrant(BOB.id, wiki.id, "g1"), { grantId: "g1" });
    await kv.set(OK.client(wiki.id, "c1"), { clientId: "c1" });
    await kv.set(OK.access(wiki.id, "h1"), { grantId: "g1" });
  }

  await wikis.delete(w.id);

  assertEquals((await kv.getMany(hashKeys)).filter((e) => e.value !== null).length, 0);
  assertEquals(await tokens.list(w.id), []);
  for (
    const type of FOREIGN_WIKI_DATA.flatMap((d) => d.prefixes.filter((p) => p.scope === "wiki").map((p) => p.type))
  ) {
    assertEquals(await countKeys(kv, [type, w.id]), 0, type);
  }
  assertEquals(await countKeys(kv, ["oauth_user_grant", BOB.id, w.id]), 0);
  const left: string[] = [];
  for await (const e of kv.list({ prefix: [] })) if (e.key.includes(w.id)) left.push(JSON.stringify(e.key));
  assertEquals(left, []);
  // The other wiki keeps its token and OAuth records.
  assertEquals((await tokens.list(other.id)).map((t) => t.id), [kept.record.id]);
  assertEquals(await countKeys(kv, ["oauth_user_grant", BOB.id, other.id]), 1);
  assertEquals(await countKeys(kv, ["oauth_grant", other.id]), 1);
  assertEquals(await countKeys(kv, ["oauth_access", other.id]), 1);
  kv.close();
});

Deno.test("wikis - delete of a wiki with more tokens than one commit holds removes them all", async () => {
  const { kv, wikis } = await registry();
  const w = await wikis.create({ slug: "many", ownerDid: ALICE.id, seed: false }, ALICE);
  // 600 token records with their index entries: more than DELETE_BATCH keys.
  for (let i = 0; i < 600; i += 100) {
    const op = kv.atomic();
    for (let j = i; j < i + 100; j++) {
      op.set(TokenKeys.tokenByHash(`h${j}`), { id: `tok_${j}`, wikiId: w.id }).set(
        TokenKeys.wikiToken(w.id, `tok_${j}`),
        {
          hash: `h${j}`,
        },
      );
    }
    await op.commit();
  }
  await wikis.delete(w.id);
  assertEquals(await countKeys(kv, ["wiki_token_hash"]), 0);
  assertEquals(await countKeys(kv, ["wiki_token", w.id]), 0);
  kv.close();
});

/**
 * Every state-changing dashboard form refuses a missing or wrong CSRF token with a readable 403 and changes nothing:
 * no token, another session's token, the header's sign-out token (another purpose), garbage.
 */
import { assertEquals, assertIncludes, assertOk } from "../../assert.ts";
import { csrfFrom, PEOPLE, setup } from "../../app/helpers.ts";
import { csrfToken } from "../../../lib/session/csrf.ts";
import { getUser } from "../../../lib/platform/users.ts";

const ROUTES: [string, Record<string, string>][] = [
  ["/app/wikis", { slug: "newwiki" }],
  ["/app/wikis/alice/tokens", { label: "x" }],
  ["/app/wikis/alice/tokens/tok_x/revoke", {}],
  ["/app/wikis/alice/apps/g_x/revoke", {}],
  ["/app/wikis/alice/visibility", { visibility: "public" }],
  ["/app/wikis/alice/members", { handle: "bob.test", role: "admin" }],
  ["/app/wikis/alice/members/role", { did: PEOPLE["carol.test"], role: "admin" }],
  ["/app/wikis/alice/members/remove", { did: PEOPLE["carol.test"] }],
  ["/app/wikis/alice/delete", { confirm: "alice" }],
  ["/app/account/delete", { confirm: "alice.test" }],
];

Deno.test("CSRF: every dashboard POST refuses a missing or wrong token with a readable 403; nothing changes", async () => {
  const f = await setup({ wikisPerUser: 2 });
  try {
    const alice = await f.signIn("alice.test");
    const bob = await f.signIn("bob.test");
    const wiki = await f.wikiOf("alice.test", "alice");
    await f.app.deps.wikis.setMember(wiki.id, PEOPLE["carol.test"], "viewer", alice.did);
    const bobsToken = csrfFrom(await bob.page("/app/account"));
    const logoutToken = await csrfToken(f.app.deps.keys, alice.sessionId, "logout");
    const wrong: [string, string | null][] = [
      ["missing", null],
      ["another session's", bobsToken],
      ["another purpose's", logoutToken],
      ["garbage", "x".repeat(64)],
      ["too long", "a".repeat(500)],
    ];
    for (const [path, fields] of ROUTES) {
      for (const [what, csrf] of wrong) {
        const res = await alice.post(path, fields, { csrf });
        assertEquals(res.status, 403, `${path} with a ${what} token`);
        const html = await res.text();
        assertIncludes(html, "<h1>This form has expired</h1>");
        assertIncludes(html, "Nothing was changed. Go back, reload the page, and try again.");
      }
    }
    // Nothing happened.
    assertEquals(await f.app.deps.wikis.bySlug("newwiki"), null);
    const now = (await f.app.deps.wikis.bySlug("alice"))!;
    assertEquals(now.visibility, "private");
    assertEquals(await f.app.deps.wikis.roleOf(now, PEOPLE["bob.test"]), null);
    assertEquals(await f.app.deps.wikis.roleOf(now, PEOPLE["carol.test"]), "viewer");
    assertOk(await getUser(f.kv, alice.did));
    let tokens = 0;
    for await (const _ of f.kv.list({ prefix: ["wiki_token", wiki.id] })) tokens++;
    assertEquals(tokens, 0);
    // The right token works (the refusals were about the token, not the request).
    assertEquals((await alice.post("/app/wikis/alice/visibility", { visibility: "public" })).status, 303);
  } finally {
    f.close();
  }
});

Deno.test("CSRF: a token from an earlier session of the same person is refused", async () => {
  const f = await setup();
  try {
    const before = await f.signIn("alice.test");
    await f.wikiOf("alice.test", "alice");
    const stale = csrfFrom(await before.page("/app/account"));
    const after = await f.signIn("alice.test");
    const res = await after.post("/app/wikis/alice/visibility", { visibility: "public" }, { csrf: stale });
    assertEquals(res.status, 403);
    await res.body?.cancel();
    assertEquals((await f.app.deps.wikis.bySlug("alice"))?.visibility, "private");
  } finally {
    f.close();
  }
});

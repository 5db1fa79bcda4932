/**
 * Deleting a wiki (type its slug: tokens, grants and members go; the slug stays reserved) and deleting an account
 * (type the handle: owned wikis, memberships, grants, ATProto session, browser sessions, the user record).
 */
import { assertEquals, assertIncludes, assertOk } from "../../assert.ts";
import { connectApp, location, mcpCall, ORIGIN, PEOPLE, setup, unescapeHtml } from "../../app/helpers.ts";
import { getUser } from "../../../lib/platform/users.ts";
import { PlatformKeys } from "../../../lib/platform/store.ts";

async function count(kv: Deno.Kv, prefix: Deno.KvKey): Promise<number> {
  let n = 0;
  for await (const _ of kv.list({ prefix })) n++;
  return n;
}

Deno.test("delete wiki: a wrong confirmation deletes nothing and keeps what was typed", async () => {
  const f = await setup();
  try {
    const alice = await f.signIn("alice.test");
    await f.wikiOf("alice.test", "alice");
    for (const typed of ["", "alic", "bob"]) {
      const res = await alice.post("/app/wikis/alice/delete", { confirm: typed });
      assertEquals(res.status, 422);
      const html = unescapeHtml(await res.text());
      assertIncludes(html, "To confirm, type the wiki's name exactly: alice. Nothing was deleted.");
      const input = /<input[^>]*name="confirm"[^>]*>/.exec(html)![0];
      assertIncludes(input, typed === "" ? " value/>" : ` value="${typed}"/>`);
    }
    assertOk(await f.app.deps.wikis.bySlug("alice"));
  } finally {
    f.close();
  }
});

Deno.test("delete wiki: tokens and apps stop at once, members lose it, the slug cannot be re-created", async () => {
  const f = await setup();
  try {
    const alice = await f.signIn("alice.test");
    const wiki = await f.wikiOf("alice.test", "alice");
    await alice.post("/app/wikis/alice/members", { handle: "bob.test", role: "editor" });
    const { token } = await f.app.deps.wikis.bySlug("alice").then(async (w) => {
      const res = await alice.post("/app/wikis/alice/tokens", { label: "cli" });
      const html = unescapeHtml(await alice.page(location(res)));
      return { w, token: /<code>(rwtf_[A-Za-z0-9_-]+)<\/code>/.exec(html)![1] };
    });
    const app = await connectApp(f.app, "alice", alice.did);
    const mcpUrl = "http://alice.localhost:8000/mcp";
    const ok = await mcpCall(f.app, mcpUrl, token, "read_note", { path: "Home" });
    assertEquals(ok.status, 200);
    await ok.body?.cancel();

    const res = await alice.post("/app/wikis/alice/delete", { confirm: " Alice " });
    assertEquals(location(res), "/app/?notice=wiki-deleted");
    assertEquals(await f.app.deps.wikis.bySlug("alice"), null);
    // Every credential is gone from KV, not merely unusable.
    assertEquals(await count(f.kv, ["wiki_token", wiki.id]), 0);
    assertEquals(await count(f.kv, ["wiki_token_hash"]), 0);
    assertEquals(await count(f.kv, ["oauth_grant", wiki.id]), 0);
    assertEquals(await count(f.kv, PlatformKeys.memberHandles(wiki.id)), 0);
    assertEquals(await f.app.deps.oauth.listGrants(wiki.id), []);
    for (const credential of [token, app]) {
      const r = await mcpCall(f.app, mcpUrl, credential, "read_note", { path: "Home" });
      assertOk(r.status === 401 || r.status === 404, String(r.status));
      await r.body?.cancel();
    }
    // The owner without wikis sees the notice and the create form (not signup), and cannot take the slug back.
    const home = unescapeHtml(await alice.page(location(res)));
    assertIncludes(home, "Wiki deleted. Its tokens and connected apps no longer work");
    assertIncludes(home, "Create a wiki");
    const again = await alice.post("/app/wikis", { slug: "alice" });
    assertEquals(again.status, 409);
    assertIncludes(unescapeHtml(await again.text()), 'The name "alice" belonged to a wiki deleted recently; it can be');
    // bob no longer has it.
    assertEquals(await f.app.deps.wikis.forUser(PEOPLE["bob.test"]), []);
  } finally {
    f.close();
  }
});

Deno.test("delete account: wrong handle deletes nothing", async () => {
  const f = await setup();
  try {
    const alice = await f.signIn("alice.test");
    await f.wikiOf("alice.test", "alice");
    const res = await alice.post("/app/account/delete", { confirm: "bob.test" });
    assertEquals(res.status, 422);
    const html = unescapeHtml(await res.text());
    assertIncludes(html, "To confirm, type your handle exactly: alice.test. Nothing was deleted.");
    assertIncludes(html, 'value="bob.test"');
    assertOk(await getUser(f.kv, alice.did));
    assertOk(await f.app.deps.wikis.bySlug("alice"));
    assertEquals(f.atprotoLogouts, []);
  } finally {
    f.close();
  }
});

Deno.test("delete account: owned wikis, memberships, grants, ATProto and browser sessions, user record", async () => {
  const f = await setup();
  try {
    const alice = await f.signIn("alice.test");
    const otherBrowser = await f.signIn("alice.test");
    const bob = await f.signIn("bob.test");
    const own = await f.wikiOf("alice.test", "alice");
    const bobs = await f.wikiOf("bob.test", "bobs");
    await f.app.deps.wikis.setMember(bobs.id, alice.did, "editor", bob.did);
    await f.app.deps.wikis.setMember(own.id, bob.did, "viewer", alice.did);
    const aliceOnBobs = await connectApp(f.app, "bobs", alice.did);
    const bobOnBobs = await connectApp(f.app, "bobs", bob.did);
    await connectApp(f.app, "alice", alice.did);

    // The ATProto client's session at the PDS (kept only to revoke it at logout); the fake logout leaves it, as a
    // PDS that cannot be reached would: account deletion forgets it itself.
    await f.kv.set(["atproto_session", alice.did], { sealed: "opaque", expiresAt: Date.now() + 60_000 });

    const page = unescapeHtml(await alice.page("/app/account"));
    assertIncludes(page, "<dd>@alice.test</dd>");
    assertIncludes(page, `<code class="did">${alice.did}</code>`);
    assertIncludes(page, "your wiki <strong>alice</strong> with every page, token and connected app");
    assertIncludes(page, "removes you from bobs;");

    const res = await alice.post("/app/account/delete", { confirm: "@alice.test" });
    assertEquals(res.status, 303);
    assertEquals(location(res), `${ORIGIN}/?account=deleted`);
    assertIncludes(res.headers.get("set-cookie") ?? "", "rw_session=;");

    assertEquals(await getUser(f.kv, alice.did), null);
    assertEquals(await f.app.deps.wikis.bySlug("alice"), null);
    assertEquals(await f.app.deps.wikis.roleOf(bobs, alice.did), null);
    assertEquals(await f.app.deps.wikis.forUser(alice.did), []);
    assertEquals(await f.app.deps.wikis.forUser(bob.did).then((w) => w.map((x) => x.wiki.slug)), ["bobs"]);
    assertEquals((await f.app.deps.oauth.listGrants(bobs.id)).map((g) => g.did), [bob.did]);
    assertEquals(f.atprotoLogouts, [alice.did]);
    assertEquals(await count(f.kv, ["user_session", alice.did]), 0);
    assertEquals((await f.kv.get(["atproto_session", alice.did])).value, null);
    for (const b of [alice, otherBrowser]) {
      assertIncludes(location(await b.get("/app/")), "/auth/login?return_to=");
    }
    const mcp = "http://bobs.localhost:8000/mcp";
    const refused = await mcpCall(f.app, mcp, aliceOnBobs, "read_note", { path: "Home" });
    assertEquals(refused.status, 401);
    await refused.body?.cancel();
    const kept = await mcpCall(f.app, mcp, bobOnBobs, "read_note", { path: "Home" });
    assertEquals(kept.status, 200);
    await kept.body?.cancel();
    // bob is still signed in; the deleted wiki's slug stays reserved.
    assertEquals((await bob.get("/app/")).status, 200);
    const taken = await bob.post("/app/wikis", { slug: "alice" });
    assertOk(taken.status === 409 || taken.status === 403, String(taken.status));
  } finally {
    f.close();
  }
});

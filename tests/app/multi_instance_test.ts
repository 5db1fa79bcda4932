/**
 * Many instances, one KV: two or three apps with their own memory on one store (tests/app/multi_instance.ts), as
 * Deno Deploy runs isolates. What one instance does is seen by the others on their next request: page writes in
 * reads, search, backlinks, the page index and the browser pages; token and grant revocation, demotion, removal and
 * wiki deletion in refusals; and the write rate limit and the quotas count across instances.
 */
import { assertEquals, assertExcludes, assertIncludes, assertOk } from "../assert.ts";
import { callTool, type Cluster, type Instance, setupCluster, type Visitor } from "./multi_instance.ts";
import { connectApp, PEOPLE } from "./helpers.ts";
import { createWikiTokens } from "../../lib/auth/tokens.ts";
import { cachedCatalog } from "../../lib/wiki/catalog.ts";
import { DEFAULT_LIMITS } from "../../lib/config.ts";
import type { WikiRecord } from "../../lib/wiki/types.ts";
import { LOGOUT_PURPOSE } from "../../routes/_middleware/session.ts";

const SLUG = "team";

/** A cluster with Alice's wiki `team` (Bob an editor) and a read-write wiki token made on instance A. */
async function withTeam(
  count: number,
  fn: (c: Cluster, ctx: { wiki: WikiRecord; token: string; tokenId: string; alice: Visitor }) => Promise<void>,
  overrides: Parameters<typeof setupCluster>[1] = {},
): Promise<void> {
  const c = await setupCluster(count, overrides);
  try {
    const [a] = c.instances;
    const alice = await c.signIn("alice.test");
    const wiki = await a.app.deps.wikis.create(
      { slug: SLUG, title: "Team", ownerDid: alice.did, seed: false },
      { id: alice.did, name: alice.handle, client: "web" },
    );
    await a.app.deps.wikis.setMember(wiki.id, PEOPLE["bob.test"], "editor", alice.did);
    const made = await createWikiTokens({ kv: a.kv, keys: a.app.deps.keys }).create(wiki, { label: "agent" });
    await fn(c, { wiki, token: made.token, tokenId: made.record.id, alice });
  } finally {
    await c.close();
  }
}

async function ok(on: Instance, token: string, name: string, args: Record<string, unknown> = {}): Promise<string> {
  const r = await callTool(on, SLUG, token, name, args);
  assertEquals([r.status, r.isError, r.refusal], [200, false, ""], `${on.name} ${name}: ${r.text}`);
  return r.text;
}

Deno.test("cluster - the instances share the store but not their memory", async () => {
  await withTeam(2, async (c, { wiki, token }) => {
    const [a, b] = c.instances;
    assertOk(a.kv !== b.kv && a.app.deps.wikis !== b.app.deps.wikis);
    await ok(a, token, "list_notes");
    await ok(b, token, "list_notes");
    const ca = cachedCatalog(a.app.deps.kv, wiki.id);
    const cb = cachedCatalog(b.app.deps.kv, wiki.id);
    assertOk(ca !== null && cb !== null && ca !== cb, "each instance builds its own catalog");
  });
});

Deno.test("cluster - a write on A is at once seen on B and C: read, search, backlinks, index, browser pages", async () => {
  await withTeam(3, async (c, { token, alice }) => {
    const [a, b, cc] = c.instances;
    await ok(a, token, "write_note", { path: "Home", content: "# Home\n\nStart here." });
    // B and C warm their caches (catalog, search index, backlink map) at this state.
    for (const on of [b, cc]) {
      assertIncludes(await ok(on, token, "search_notes", { query: "zebra" }), '0 results for "zebra"');
      assertExcludes(await ok(on, token, "list_notes"), "Zoo");
      assertExcludes(await ok(on, token, "read_note", { path: "Home" }), "Zoo");
      assertIncludes(await alice.page(on, "/w/team/-/search?q=zebra"), "No pages match");
      assertExcludes(await alice.page(on, "/w/team/-/index"), "Zoo");
    }

    await ok(a, token, "write_note", { path: "Zoo", content: "# Zoo\n\nA zebra lives here. Back to [[Home]]." });
    for (const on of [b, cc]) {
      assertIncludes(await ok(on, token, "read_note", { path: "Zoo" }), "A zebra lives here.");
      assertIncludes(await ok(on, token, "search_notes", { query: "zebra" }), "Zoo");
      assertIncludes(await ok(on, token, "get_links", { path: "Home" }), "Zoo");
      assertIncludes(await ok(on, token, "read_note", { path: "Home" }), "Zoo"); // "Linked from"
      assertIncludes(await ok(on, token, "list_notes"), "Zoo");
      assertIncludes(await ok(on, token, "find_orphaned_notes"), "Zoo");
      assertIncludes(await alice.page(on, "/w/team/Zoo"), "A zebra lives here.");
      assertIncludes(await alice.page(on, "/w/team/-/search?q=zebra"), "/w/team/Zoo");
      assertIncludes(await alice.page(on, "/w/team/-/index"), "/w/team/Zoo");
      assertIncludes(await alice.page(on, "/w/team/Home"), "/w/team/Zoo");
    }

    // An edit, a rename and a delete on B: A (whose catalog applied its own write) and C follow.
    const zooRev = /Revision: ([0-9a-f]{32})/.exec(await ok(b, token, "read_note", { path: "Zoo" }))![1];
    await ok(b, token, "edit_note", { path: "Zoo", revision: zooRev, old_string: "zebra", new_string: "okapi" });
    for (const on of [a, cc]) {
      assertIncludes(await ok(on, token, "search_notes", { query: "okapi" }), "Zoo");
      assertIncludes(await ok(on, token, "search_notes", { query: "zebra" }), '0 results for "zebra"');
    }
    await ok(b, token, "rename_note", { path: "Zoo", new_path: "Park" });
    for (const on of [a, cc]) {
      const found = await ok(on, token, "search_notes", { query: "okapi" });
      assertIncludes(found, '1 results for "okapi":\n1. Park (score');
      assertIncludes(await ok(on, token, "get_links", { path: "Home" }), "Park");
      assertIncludes(await alice.page(on, "/w/team/-/index"), "/w/team/Park");
      assertExcludes(await alice.page(on, "/w/team/-/index"), "/w/team/Zoo");
    }
    await ok(cc, token, "delete_note", { path: "Park" });
    for (const on of [a, b]) {
      assertIncludes(await ok(on, token, "search_notes", { query: "okapi" }), '0 results for "okapi"');
      assertExcludes(await ok(on, token, "list_notes"), "Park");
      assertExcludes(await ok(on, token, "get_links", { path: "Home" }), "Park");
      assertExcludes(await ok(on, token, "read_note", { path: "Home" }), "Park");
      assertEquals((await alice.get(on, "/w/team/Park")).status, 404);
    }
  });
});

Deno.test("cluster - a browser edit on B is seen by MCP on A", async () => {
  await withTeam(2, async (c, { wiki, token, alice }) => {
    const [a, b] = c.instances;
    await ok(a, token, "write_note", { path: "Notes", content: "first words" });
    assertIncludes(await ok(a, token, "search_notes", { query: "first" }), "Notes");
    const rev = /Revision: ([0-9a-f]{32})/.exec(await ok(a, token, "read_note", { path: "Notes" }))?.[1];
    assertOk(rev, "a revision to edit from");
    const res = await alice.post(b, "/w/team/-/edit/Notes", {
      content: "second thoughts",
      revision: rev,
      message: "",
    }, `wiki-edit:${wiki.id}`);
    assertEquals(res.status, 303, await res.text());
    assertIncludes(await ok(a, token, "search_notes", { query: "second" }), "Notes");
    assertIncludes(await ok(a, token, "search_notes", { query: "first" }), '0 results for "first"');
  });
});

Deno.test("cluster - a token revoked on A is refused on B's next call", async () => {
  await withTeam(2, async (c, { token, tokenId, alice }) => {
    const [a, b] = c.instances;
    await ok(b, token, "list_notes"); // B has looked the token up once
    const res = await alice.post(a, `/app/wikis/team/tokens/${tokenId}/revoke`, {}, "app");
    assertEquals(res.status, 303);
    const r = await callTool(b, SLUG, token, "list_notes");
    assertEquals(r.status, 401);
    assertIncludes(r.refusal, 'error="invalid_token"');
  });
});

Deno.test("cluster - an app disconnected on A is refused on B's next call", async () => {
  await withTeam(2, async (c, { wiki, alice }) => {
    const [a, b] = c.instances;
    const access = await connectApp(a.app, SLUG, alice.did);
    await ok(b, access, "list_notes");
    const grant = (await a.app.deps.oauth.listGrants(wiki.id))[0];
    const res = await alice.post(a, `/app/wikis/team/apps/${grant.grantId}/revoke`, {}, "app");
    assertEquals(res.status, 303);
    const r = await callTool(b, SLUG, access, "list_notes");
    assertEquals(r.status, 401);
    assertIncludes(r.refusal, "revoked");
  });
});

Deno.test("cluster - a collaborator demoted on A can no longer write on B; removed, cannot read", async () => {
  await withTeam(2, async (c, { wiki, alice }) => {
    const [a, b] = c.instances;
    const bob = await c.signIn("bob.test");
    const access = await connectApp(a.app, SLUG, bob.did);
    await ok(b, access, "write_note", { path: "Bob", content: "by bob" });
    const edit = `wiki-edit:${wiki.id}`;
    const before = await bob.post(b, "/w/team/-/new", { path: "Bob Two", content: "x", message: "" }, edit);
    assertEquals(before.status, 303);

    const demote = await alice.post(a, "/app/wikis/team/members/role", { did: bob.did, role: "viewer" }, "app");
    assertEquals(demote.status, 303);
    const write = await callTool(b, SLUG, access, "write_note", { path: "Bob", content: "again" });
    // A viewer can never write: the tool says why (issue 11 item 2), no 403 step-up.
    assertEquals([write.status, write.isError], [200, true]);
    assertIncludes(write.text, "your role is viewer");
    const browser = await bob.post(b, "/w/team/-/edit/Bob", { content: "again", message: "" }, edit);
    assertEquals(browser.status, 403);
    await browser.body?.cancel();
    assertIncludes(await ok(b, access, "read_note", { path: "Bob" }), "by bob");

    const remove = await alice.post(a, "/app/wikis/team/members/remove", { did: bob.did }, "app");
    assertEquals(remove.status, 303);
    const read = await callTool(b, SLUG, access, "read_note", { path: "Bob" });
    assertEquals(read.status, 401);
    assertIncludes(read.refusal, "revoked"); // removing a collaborator revokes the grants they gave
    assertEquals((await bob.get(b, "/w/team/Bob")).status, 403);
  });
});

Deno.test("cluster - a wiki deleted on A is refused on B (MCP, pages, search) at once", async () => {
  await withTeam(2, async (c, { wiki, token, alice }) => {
    const [a, b] = c.instances;
    await ok(a, token, "write_note", { path: "Secret", content: "classified words" });
    assertIncludes(await ok(b, token, "search_notes", { query: "classified" }), "Secret");
    assertIncludes(await alice.page(b, "/w/team/-/search?q=classified"), "Secret");
    const res = await alice.post(a, "/app/wikis/team/delete", { confirm: SLUG }, "app");
    assertEquals(res.status, 303);
    assertOk(cachedCatalog(b.app.deps.kv, wiki.id) !== null, "B still holds the deleted wiki's catalog in memory");
    for (const tool of ["search_notes", "read_note", "list_notes"]) {
      const r = await callTool(b, SLUG, token, tool, { query: "classified", path: "Secret" });
      assertOk(r.status === 401 || r.status === 404, `${tool}: ${r.status}`);
      assertExcludes(r.text + r.refusal, "classified");
    }
    for (const path of ["/w/team/-/search?q=classified", "/w/team/Secret", "/w/team/-/index"]) {
      const page = await alice.get(b, path);
      assertEquals(page.status, 404, path);
      assertExcludes(await page.text(), "classified");
    }
    // And B's page store, built before the delete, refuses to serve from its stale catalog.
    const stale = b.app.deps.wikis.pages(wiki);
    const err = await stale.search("classified").then(() => null, (e) => e);
    assertOk(err instanceof Error && /does not exist/.test(err.message), String(err));
  });
});

Deno.test("cluster - the MCP write rate limit counts writes through every instance", async () => {
  await withTeam(2, async (c, { token }) => {
    const [a, b] = c.instances;
    // The limit counts per minute window: start early in a minute so that the test stays inside one.
    const left = 60_000 - Date.now() % 60_000;
    if (left < 20_000) await new Promise((r) => setTimeout(r, left + 50));
    for (let i = 0; i < 120; i++) {
      const on = i % 2 === 0 ? a : b;
      await ok(on, token, "write_note", { path: `Rate ${i}`, content: `write ${i}` });
    }
    for (const on of [a, b]) {
      const r = await callTool(on, SLUG, token, "write_note", { path: `Over ${on.name}`, content: "one too many" });
      assertEquals(r.isError, true, `${on.name}: ${r.text}`);
      assertIncludes(r.text, "Rate limited");
    }
  });
});

Deno.test("cluster - the page quota counts across instances, also under concurrent writes", async () => {
  const limits = { ...DEFAULT_LIMITS, quotaPages: 5 };
  await withTeam(3, async (c, { token }) => {
    const writes = await Promise.all(
      Array.from(
        { length: 12 },
        (_, i) => callTool(c.instances[i % 3], SLUG, token, "write_note", { path: `Page ${i}`, content: `page ${i}` }),
      ),
    );
    assertEquals(writes.filter((w) => !w.isError).length, 5, writes.map((w) => w.text).join("\n"));
    for (const w of writes.filter((w) => w.isError)) assertIncludes(w.text, "Page limit reached (5 pages)");
    for (const on of c.instances) {
      assertEquals((await on.app.deps.wikis.pages((await on.app.deps.wikis.bySlug(SLUG))!).usage()).pages, 5);
      const more = await callTool(on, SLUG, token, "write_note", { path: `More ${on.name}`, content: "more" });
      assertIncludes(more.text, "Page limit reached (5 pages)");
    }
  }, { limits });
});

Deno.test("cluster - the byte quota counts across instances, also under concurrent writes", async () => {
  const limits = { ...DEFAULT_LIMITS, quotaBytes: 4000 };
  await withTeam(3, async (c, { token }) => {
    const writes = await Promise.all(
      Array.from(
        { length: 10 },
        (_, i) =>
          callTool(c.instances[i % 3], SLUG, token, "write_note", { path: `Big ${i}`, content: "x".repeat(1000) }),
      ),
    );
    assertEquals(writes.filter((w) => !w.isError).length, 4, writes.map((w) => w.text).join("\n"));
    for (const w of writes.filter((w) => w.isError)) assertIncludes(w.text, "Wiki storage quota exceeded");
    for (const on of c.instances) {
      const usage = await on.app.deps.wikis.pages((await on.app.deps.wikis.bySlug(SLUG))!).usage();
      assertEquals(usage.bytes, 4000, on.name);
      const more = await callTool(on, SLUG, token, "write_note", { path: `More ${on.name}`, content: "y" });
      assertIncludes(more.text, "Wiki storage quota exceeded");
    }
  }, { limits });
});

Deno.test("cluster - signing out on A ends the session on B; a wiki made private on A is closed on B", async () => {
  await withTeam(2, async (c, { alice }) => {
    const [a, b] = c.instances;
    await a.app.deps.wikis.setVisibility((await a.app.deps.wikis.bySlug(SLUG))!.id, "public");
    const carol = await c.signIn("carol.test");
    assertEquals((await carol.get(b, "/w/team/-/index")).status, 200);
    assertEquals((await alice.get(b, "/app/")).status, 200);
    const out = await alice.post(a, "/auth/logout", {}, LOGOUT_PURPOSE);
    assertEquals(out.status, 303);
    const after = await alice.get(b, "/app/");
    assertEquals(after.status, 303);
    assertIncludes(after.headers.get("location") ?? "", "/auth/login");
    await a.app.deps.wikis.setVisibility((await a.app.deps.wikis.bySlug(SLUG))!.id, "private");
    const closed = await carol.get(b, "/w/team/-/index");
    assertEquals(closed.status, 403);
    await closed.body?.cancel();
  });
});

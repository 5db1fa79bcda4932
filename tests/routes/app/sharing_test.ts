/**
 * Sharing in the dashboard: collaborators by handle (add, change role, remove), visibility, connected apps (listed,
 * disconnected at once), and what editors and viewers may not do.
 */
import { assertEquals, assertExcludes, assertIncludes } from "../../assert.ts";
import { connectApp, location, mcpCall, PEOPLE, setup, unescapeHtml } from "../../app/helpers.ts";
import { PlatformKeys } from "../../../lib/platform/store.ts";

Deno.test("collaborators: add by handle (with @ and without), change role, remove", async () => {
  const f = await setup();
  try {
    const alice = await f.signIn("alice.test");
    const wiki = await f.wikiOf("alice.test", "alice");
    const add = await alice.post("/app/wikis/alice/members", { handle: "@Bob.Test", role: "editor" });
    assertEquals(location(add), "/app/wikis/alice?notice=collaborator-added#collaborators");
    assertEquals(await f.app.deps.wikis.roleOf(wiki, PEOPLE["bob.test"]), "editor");
    let html = await alice.page("/app/wikis/alice");
    assertIncludes(html, "<strong>@bob.test</strong>");
    assertIncludes(html, PEOPLE["bob.test"]);
    assertIncludes(html, '<option value="editor" selected>Editor</option>');

    // Already there, the owner, unknown handles, a URL, a bad role: readable errors, input kept.
    const cases: [Record<string, string>, string][] = [
      [
        { handle: "bob.test", role: "viewer" },
        "bob.test is already a collaborator (editor). Change their role in the list.",
      ],
      [{ handle: "alice.test", role: "viewer" }, "alice.test owns this wiki already."],
      [{ handle: "nobody.test", role: "viewer" }, "We couldn't find the handle nobody.test. Check the spelling."],
      [{ handle: "https://pds.example", role: "viewer" }, "Enter the person's handle (like alice.bsky.social) or DID"],
      [{ handle: "carol.test", role: "owner" }, "Choose a role: admin, editor or viewer."],
      [{ handle: "", role: "viewer" }, "Enter a handle (like alice.bsky.social), DID or PDS URL."],
      [{ handle: "down.test", role: "viewer" }, "We could not look up down.test right now. Try again in a moment."],
      [{ handle: "not a handle!", role: "viewer" }, '"not a handle!" is not a valid handle. Check the spelling.'],
    ];
    for (const [fields, message] of cases) {
      const res = await alice.post("/app/wikis/alice/members", fields);
      assertEquals(res.status, 422, JSON.stringify(fields));
      const page = unescapeHtml(await res.text());
      assertIncludes(page, message);
      if (fields.handle) assertIncludes(page, `value="${fields.handle}"`);
    }

    // A DID works too; never signed in and added without a handle, the person shows as their DID.
    const byDid = await alice.post("/app/wikis/alice/members", { handle: PEOPLE["carol.test"], role: "viewer" });
    assertEquals(byDid.status, 303);
    assertEquals(await f.app.deps.wikis.roleOf(wiki, PEOPLE["carol.test"]), "viewer");
    assertIncludes(await alice.page("/app/wikis/alice"), `<strong>${PEOPLE["carol.test"]}</strong>`);

    const role = await alice.post("/app/wikis/alice/members/role", { did: PEOPLE["bob.test"], role: "viewer" });
    assertEquals(location(role), "/app/wikis/alice?notice=role-changed#collaborators");
    assertEquals(await f.app.deps.wikis.roleOf(wiki, PEOPLE["bob.test"]), "viewer");
    const owner = await alice.post("/app/wikis/alice/members/role", { did: alice.did, role: "viewer" });
    assertEquals(owner.status, 422);
    assertIncludes(await owner.text(), "The owner is always an admin; their role cannot change.");

    const remove = await alice.post("/app/wikis/alice/members/remove", { did: PEOPLE["bob.test"] });
    assertEquals(location(remove), "/app/wikis/alice?notice=collaborator-removed#collaborators");
    assertEquals(await f.app.deps.wikis.roleOf(wiki, PEOPLE["bob.test"]), null);
    assertEquals((await f.kv.get(PlatformKeys.memberHandle(wiki.id, PEOPLE["bob.test"]))).value, null);
    html = await alice.page("/app/wikis/alice");
    assertExcludes(html, "@bob.test");
    const again = await alice.post("/app/wikis/alice/members/remove", { did: PEOPLE["bob.test"] });
    assertEquals(again.status, 422);
    assertIncludes(again.status === 422 ? await again.text() : "", "is not a collaborator on this wiki");
  } finally {
    f.close();
  }
});

Deno.test("visibility: private by default, set to logged in and public; a bad value is refused", async () => {
  const f = await setup();
  try {
    const alice = await f.signIn("alice.test");
    const wiki = await f.wikiOf("alice.test", "alice");
    assertIncludes(await alice.page("/app/wikis/alice"), 'name="visibility" value="private" checked');
    for (const v of ["logged_in", "public", "private"] as const) {
      const res = await alice.post("/app/wikis/alice/visibility", { visibility: v });
      assertEquals(location(res), "/app/wikis/alice?notice=visibility-saved#visibility");
      assertEquals((await f.app.deps.wikis.byId(wiki.id))?.visibility, v);
    }
    const bad = await alice.post("/app/wikis/alice/visibility", { visibility: "everyone" });
    assertEquals(bad.status, 422);
    assertIncludes(await bad.text(), "Choose who can read the wiki: Private, Logged in or Public.");
    assertEquals((await f.app.deps.wikis.byId(wiki.id))?.visibility, "private");
  } finally {
    f.close();
  }
});

Deno.test("editors and viewers: read-only settings page, every action refused with 403; admins may manage", async () => {
  const f = await setup();
  try {
    const wiki = await f.wikiOf("alice.test", "alice");
    await f.app.deps.wikis.setMember(wiki.id, PEOPLE["bob.test"], "editor", PEOPLE["alice.test"]);
    await f.app.deps.wikis.setMember(wiki.id, PEOPLE["carol.test"], "admin", PEOPLE["alice.test"]);
    const bob = await f.signIn("bob.test");
    const html = unescapeHtml(await bob.page("/app/wikis/alice"));
    assertIncludes(html, "Your role: editor (read and write pages).");
    assertIncludes(html, "<code>http://alice.localhost:8000/mcp</code>");
    assertIncludes(html, "Ask an admin of this wiki for a token.");
    assertExcludes(html, "Create token");
    assertExcludes(html, "Delete this wiki");
    assertExcludes(html, "Add a collaborator");
    // bob's CSRF token is valid (from his own account page); the role is what refuses him.
    const attempts: [string, Record<string, string>][] = [
      ["/app/wikis/alice/tokens", { label: "sneaky" }],
      ["/app/wikis/alice/visibility", { visibility: "public" }],
      ["/app/wikis/alice/members", { handle: "bob.test", role: "admin" }],
      ["/app/wikis/alice/members/role", { did: PEOPLE["bob.test"], role: "admin" }],
      ["/app/wikis/alice/members/remove", { did: PEOPLE["carol.test"] }],
      ["/app/wikis/alice/delete", { confirm: "alice" }],
    ];
    for (const [path, fields] of attempts) {
      const res = await bob.post(path, fields);
      assertEquals(res.status, 403, path);
      assertIncludes(
        await res.text(),
        path.endsWith("/delete")
          ? "Only the owner of alice can delete it."
          : "Only admins of alice can change its settings; you are an editor. Ask the owner to make you an admin.",
      );
    }
    assertEquals([...(await Array.fromAsync(f.kv.list({ prefix: ["wiki_token", wiki.id] })))], []);
    assertEquals((await f.app.deps.wikis.byId(wiki.id))?.visibility, "private");
    assertEquals(await f.app.deps.wikis.roleOf(wiki, PEOPLE["bob.test"]), "editor");
    assertEquals(await f.app.deps.wikis.roleOf(wiki, PEOPLE["carol.test"]), "admin");

    // carol, a non-owner admin, manages settings but cannot delete the wiki.
    const carol = await f.signIn("carol.test");
    assertEquals((await carol.post("/app/wikis/alice/visibility", { visibility: "public" })).status, 303);
    const del = await carol.post("/app/wikis/alice/delete", { confirm: "alice" });
    assertEquals(del.status, 403);
    assertIncludes(await del.text(), "Only the owner of alice can delete it.");
    assertEquals((await f.app.deps.wikis.bySlug("alice"))?.id, wiki.id);
    // Demoting herself sends her back to the list (she can no longer manage it).
    const self = await carol.post("/app/wikis/alice/members/role", { did: carol.did, role: "viewer" });
    assertEquals(location(self), "/app/?notice=role-changed");
  } finally {
    f.close();
  }
});

Deno.test("connected apps: listed with client, host, scopes, who; disconnect refuses the app at once", async () => {
  const f = await setup();
  try {
    const alice = await f.signIn("alice.test");
    await f.wikiOf("alice.test", "alice");
    const access = await connectApp(f.app, "alice", alice.did);
    const mcpUrl = "http://alice.localhost:8000/mcp";
    const before = await mcpCall(f.app, mcpUrl, access, "read_note", { path: "Home" });
    assertEquals(before.status, 200);
    await before.body?.cancel();

    const html = unescapeHtml(await alice.page("/app/wikis/alice"));
    assertIncludes(html, '<strong>Claude</strong> <span class="muted">(claude.ai)</span>');
    assertIncludes(html, "Connected by @alice.test on ");
    assertIncludes(html, "last used ");
    const grantId = /\/app\/wikis\/alice\/apps\/([^/]+)\/revoke/.exec(html)?.[1];
    assertEquals(typeof grantId, "string");

    const res = await alice.post(`/app/wikis/alice/apps/${grantId}/revoke`, {});
    assertEquals(location(res), "/app/wikis/alice?notice=app-revoked#apps");
    const after = await mcpCall(f.app, mcpUrl, access, "read_note", { path: "Home" });
    assertEquals(after.status, 401);
    await after.body?.cancel();
    assertIncludes(await alice.page("/app/wikis/alice"), "No apps are connected.");
    const twice = await alice.post(`/app/wikis/alice/apps/${grantId}/revoke`, {});
    assertEquals(twice.status, 422);
    assertIncludes(await twice.text(), "That app is not connected to this wiki (any more). Reload the page.");
  } finally {
    f.close();
  }
});

Deno.test("removing a collaborator disconnects the apps they connected to that wiki", async () => {
  const f = await setup();
  try {
    const alice = await f.signIn("alice.test");
    const wiki = await f.wikiOf("alice.test", "alice");
    await f.app.deps.wikis.setMember(wiki.id, PEOPLE["bob.test"], "editor", alice.did);
    const bobsApp = await connectApp(f.app, "alice", PEOPLE["bob.test"]);
    const alicesApp = await connectApp(f.app, "alice", alice.did);
    assertEquals((await f.app.deps.oauth.listGrants(wiki.id)).length, 2);
    await alice.post("/app/wikis/alice/members/remove", { did: PEOPLE["bob.test"] });
    const grants = await f.app.deps.oauth.listGrants(wiki.id);
    assertEquals(grants.map((g) => g.did), [alice.did]);
    const mcpUrl = "http://alice.localhost:8000/mcp";
    const bobs = await mcpCall(f.app, mcpUrl, bobsApp, "read_note", { path: "Home" });
    assertEquals(bobs.status, 401);
    await bobs.body?.cancel();
    const alices = await mcpCall(f.app, mcpUrl, alicesApp, "read_note", { path: "Home" });
    assertEquals(alices.status, 200);
    await alices.body?.cancel();
  } finally {
    f.close();
  }
});

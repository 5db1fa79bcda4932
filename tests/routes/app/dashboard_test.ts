/**
 * The dashboard's home and wiki creation, the settings page, and tokens end to end: created in the dashboard,
 * shown once, working on /mcp, read-only refused on a write tool, revoked at once.
 */
import { assertEquals, assertExcludes, assertIncludes, assertOk } from "../../assert.ts";
import { location, mcpCall, ORIGIN, setup, unescapeHtml } from "../../app/helpers.ts";
import { PlatformKeys } from "../../../lib/platform/store.ts";

Deno.test("signed out: /app/ and a settings page redirect to login with return_to; POST too", async () => {
  const f = await setup();
  try {
    const anon = (path: string, init?: RequestInit) => f.app.fetch(new Request(ORIGIN + path, init));
    assertEquals(
      location(await anon("/app/wikis/alice?x=1")),
      `${ORIGIN}/auth/login?return_to=${encodeURIComponent(`${ORIGIN}/app/wikis/alice?x=1`)}`,
    );
    assertEquals(
      location(await anon("/app/")),
      `${ORIGIN}/auth/login?return_to=${encodeURIComponent(`${ORIGIN}/app/`)}`,
    );
    const post = await anon("/app/wikis", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "slug=zzz",
    });
    assertEquals(post.status, 303);
    assertEquals(location(post), `${ORIGIN}/auth/login?return_to=${encodeURIComponent(`${ORIGIN}/app/`)}`);
    assertEquals(await f.app.deps.wikis.bySlug("zzz"), null);
    // A session for another origin (a wiki host) is not a platform session.
    const { id } = await f.app.deps.sessions.create(
      { did: "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa", handle: "alice.test", displayName: null },
      "http://alice.localhost:8000",
    );
    const other = await anon("/app/", { headers: { cookie: `rw_session=${id}` } });
    assertEquals(other.status, 303);
    assertIncludes(location(other), "/auth/login?");
  } finally {
    f.close();
  }
});

Deno.test("no wiki: /app/ sends the person to signup", async () => {
  const f = await setup();
  try {
    const alice = await f.signIn("alice.test");
    assertEquals(location(await alice.get("/app/")), `${ORIGIN}/auth/signup`);
    assertEquals(location(await alice.get("/app")), "/app/");
  } finally {
    f.close();
  }
});

Deno.test("home lists owned and shared wikis with wiki and MCP URLs; create form only under the limit", async () => {
  const f = await setup({ wikisPerUser: 2 });
  try {
    const alice = await f.signIn("alice.test");
    await f.wikiOf("alice.test", "alice");
    const bobs = await f.wikiOf("bob.test", "bobs");
    await f.app.deps.wikis.setMember(bobs.id, alice.did, "viewer", "did:plc:bbbbbbbbbbbbbbbbbbbbbbbb");
    let html = await alice.page("/app/");
    assertIncludes(html, '<a href="http://alice.localhost:8000/">http://alice.localhost:8000/</a>');
    assertIncludes(html, "<code>http://alice.localhost:8000/mcp</code>");
    assertIncludes(html, "Shared with you");
    assertIncludes(html, "<code>http://bobs.localhost:8000/mcp</code>");
    assertIncludes(html, '<span class="badge badge-viewer">viewer</span>');
    assertIncludes(html, "Create a wiki");

    const res = await alice.post("/app/wikis", { slug: "Second-Wiki", title: "My second" });
    assertEquals(res.status, 303);
    assertEquals(location(res), "/app/wikis/second-wiki?notice=wiki-created");
    const created = await f.app.deps.wikis.bySlug("second-wiki");
    assertEquals(created?.ownerDid, alice.did);
    assertEquals(created?.title, "My second");
    assertEquals(created?.visibility, "private");
    assertIncludes(await alice.page(location(res)), "Your wiki is ready. Connect an agent below.");

    html = await alice.page("/app/");
    assertExcludes(html, "Create a wiki");
    assertIncludes(html, "You own 2 wikis; 2 wikis are the most one person can have. Delete one to create another.");
  } finally {
    f.close();
  }
});

Deno.test("create wiki: bad, reserved, taken names and the limit re-show the form with the message", async () => {
  const f = await setup();
  try {
    await f.wikiOf("bob.test", "taken");
    const alice = await f.signIn("alice.test");
    await f.wikiOf("carol.test", "carols");
    await f.app.deps.wikis.setMember((await f.app.deps.wikis.bySlug("carols"))!.id, alice.did, "editor", "x");
    const cases: [string, number, string][] = [
      ["a_b", 422, "The wiki name may contain only lowercase letters, digits, and hyphens."],
      ["-abc", 422, "The wiki name must not start or end with a hyphen."],
      ["api", 422, 'The wiki name "api" is reserved.'],
      ["taken", 409, 'The name "taken" is already taken by another wiki. Choose another name.'],
    ];
    for (const [slug, status, message] of cases) {
      const res = await alice.post("/app/wikis", { slug, title: "Kept title" });
      assertEquals(res.status, status, slug);
      const html = unescapeHtml(await res.text());
      assertIncludes(html, message);
      assertIncludes(html, `value="${slug}"`); // what was typed is kept
      assertIncludes(html, 'value="Kept title"');
    }
    assertEquals((await alice.post("/app/wikis", { slug: "mine" })).status, 303);
    const over = await alice.post("/app/wikis", { slug: "another" });
    assertEquals(over.status, 403);
    assertIncludes(
      unescapeHtml(await over.text()),
      "You own 1 wiki; one wiki is the most one person can have. Delete one to create another.",
    );
    assertEquals(await f.app.deps.wikis.bySlug("another"), null);
  } finally {
    f.close();
  }
});

Deno.test("settings page: MCP URL, Claude.ai and Claude Code steps, usage; unknown wiki is 404", async () => {
  const f = await setup();
  try {
    const alice = await f.signIn("alice.test");
    await f.wikiOf("alice.test", "alice");
    const html = unescapeHtml(await alice.page("/app/wikis/alice"));
    assertIncludes(html, "<code>http://alice.localhost:8000/mcp</code>");
    assertIncludes(html, "Settings → Connectors");
    assertIncludes(html, "Add custom connector");
    assertIncludes(
      html,
      'claude mcp add --transport http alice http://alice.localhost:8000/mcp --header "Authorization: Bearer <token>"',
    );
    assertIncludes(html, "of 500 pages");
    assertIncludes(html, "of 50.0 MB");
    assertIncludes(html, "No tokens yet.");
    assertIncludes(html, "No apps are connected.");
    assertIncludes(html, "Delete this wiki");
    const missing = await alice.get("/app/wikis/nope");
    assertEquals(missing.status, 404);
    assertIncludes(await missing.text(), "You have no wiki named");
    // Someone else's private wiki: not found, not "forbidden".
    await f.wikiOf("bob.test", "bobs");
    assertEquals((await alice.get("/app/wikis/bobs")).status, 404);
  } finally {
    f.close();
  }
});

Deno.test("token: shown once after creation, works on /mcp, listed with label, revoke takes effect at once", async () => {
  const f = await setup();
  try {
    const alice = await f.signIn("alice.test");
    await f.wikiOf("alice.test", "alice");
    const res = await alice.post("/app/wikis/alice/tokens", { label: "laptop" }, { from: "/app/wikis/alice" });
    assertEquals(res.status, 303);
    const where = location(res);
    assertOk(/^\/app\/wikis\/alice\?flash=[A-Za-z0-9_-]+#connect$/.test(where), where);

    const shown = await alice.get(where);
    assertEquals(shown.headers.get("cache-control"), "no-store");
    const first = unescapeHtml(await shown.text());
    const token = /<code>(rwtf_[A-Za-z0-9_-]+)<\/code>/.exec(first)?.[1];
    assertOk(token, "token shown on the page");
    assertIncludes(first, "Copy it now: it is shown only once.");
    assertIncludes(
      first,
      `claude mcp add --transport http alice http://alice.localhost:8000/mcp --header "Authorization: Bearer ${token}"`,
    );
    // KV holds the flash only encrypted, and only until it is shown.
    let flashes = 0;
    for await (const e of f.kv.list({ prefix: ["app_flash"] })) {
      flashes++;
      assertExcludes(JSON.stringify(e.value), token);
    }
    assertEquals(flashes, 0);
    const again = unescapeHtml(await alice.page(where));
    assertExcludes(again, token);
    assertIncludes(again, "<strong>laptop</strong>");
    assertIncludes(again, "never used");

    const mcpUrl = "http://alice.localhost:8000/mcp";
    const write = await mcpCall(f.app, mcpUrl, token, "write_note", { path: "From Token", content: "hello" });
    assertEquals(write.status, 200);
    assertIncludes(await write.text(), "Created From Token");
    assertIncludes(unescapeHtml(await alice.page("/app/wikis/alice")), "last used ");

    const [rec] = await f.app.deps.wikis.pages((await f.app.deps.wikis.bySlug("alice"))!).list();
    assertOk(rec);
    const tokenId = /\/app\/wikis\/alice\/tokens\/([^/]+)\/revoke/.exec(again)?.[1];
    assertOk(tokenId);
    const revoked = await alice.post(`/app/wikis/alice/tokens/${tokenId}/revoke`, {}, { from: "/app/wikis/alice" });
    assertEquals(location(revoked), "/app/wikis/alice?notice=token-revoked#tokens");
    const after = await mcpCall(f.app, mcpUrl, token, "read_note", { path: "Home" });
    assertEquals(after.status, 401);
    await after.body?.cancel();
    assertIncludes(await alice.page("/app/wikis/alice"), "No tokens yet.");
  } finally {
    f.close();
  }
});

Deno.test("token: another session cannot take the flash; a read-only token cannot write", async () => {
  const f = await setup();
  try {
    const alice = await f.signIn("alice.test");
    const alice2 = await f.signIn("alice.test");
    await f.wikiOf("alice.test", "alice");
    const res = await alice.post("/app/wikis/alice/tokens", { label: "reader", read_only: "1" });
    const where = location(res);
    assertExcludes(await alice2.page(where), "rwtf_"); // another browser of the same person: nothing
    const html = unescapeHtml(await alice.page(where));
    const token = /<code>(rwtf_[A-Za-z0-9_-]+)<\/code>/.exec(html)?.[1];
    assertOk(token);
    assertIncludes(html, "New token “reader” (read-only)");
    assertIncludes(html, '<span class="badge">read-only</span>');
    const mcpUrl = "http://alice.localhost:8000/mcp";
    const write = await mcpCall(f.app, mcpUrl, token, "write_note", { path: "X", content: "x" });
    assertEquals(write.status, 200); // it can never write: the tool says why (issue 11 item 2)
    const refusal = (await write.json()).result;
    assertEquals(refusal.isError, true);
    assertIncludes(refusal.content[0].text, "is read-only");
    const read = await mcpCall(f.app, mcpUrl, token, "read_note", { path: "Home" });
    assertEquals(read.status, 200);
    assertIncludes(await read.text(), "Path: Home");
    // Keys left in KV: none for the flash.
    assertEquals((await f.kv.get(PlatformKeys.flash(where.split("flash=")[1].split("#")[0]))).value, null);
  } finally {
    f.close();
  }
});

Deno.test("token: an empty or too long label re-shows the form with the message and keeps the input", async () => {
  const f = await setup();
  try {
    const alice = await f.signIn("alice.test");
    await f.wikiOf("alice.test", "alice");
    const empty = await alice.post("/app/wikis/alice/tokens", { label: "  ", read_only: "1" });
    assertEquals(empty.status, 422);
    const html = unescapeHtml(await empty.text());
    assertIncludes(html, 'A token needs a label of 1 to 80 characters (e.g. "laptop").');
    assertIncludes(html, 'name="read_only" value="1" checked');
    const long = await alice.post("/app/wikis/alice/tokens", { label: "x".repeat(81) });
    assertEquals(long.status, 422);
    assertIncludes(await long.text(), 'value="' + "x".repeat(81) + '"');
    assertEquals(await f.app.deps.wikis.bySlug("alice").then((w) => w!.slug), "alice");
    const revokeUnknown = await alice.post("/app/wikis/alice/tokens/tok_nope/revoke", {});
    assertEquals(revokeUnknown.status, 404);
    assertIncludes(await revokeUnknown.text(), "This wiki has no token tok_nope.");
  } finally {
    f.close();
  }
});

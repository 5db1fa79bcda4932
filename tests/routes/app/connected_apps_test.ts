/**
 * Connected apps on a wiki's settings page (issue 11 items 2 and 3): reconnecting Claude (a new registration each
 * time) leaves one row, with when it was last used; the row shows the EFFECTIVE access, the grant capped by the
 * current role of the person who connected it (a demoted editor's app is read-only).
 */
import { assertEquals, assertIncludes } from "../../assert.ts";
import { connectApp, mcpCall, setup, unescapeHtml } from "../../app/helpers.ts";

const MCP = "http://alice.localhost:8000/mcp";

/** The Connected apps section of a settings page. */
function appsSection(html: string): string {
  const start = html.indexOf('<section id="apps"');
  return html.slice(start, html.indexOf("</section>", start));
}

Deno.test("connected apps: a reconnected app is one row; a demoted editor's app shows read-only", async () => {
  const f = await setup();
  try {
    const alice = await f.signIn("alice.test");
    const wiki = await f.wikiOf("alice.test", "alice");
    const bob = (await f.signIn("bob.test")).did;
    await f.app.deps.wikis.setMember(wiki.id, bob, "editor", alice.did);
    const first = await connectApp(f.app, "alice", bob);
    const second = await connectApp(f.app, "alice", bob);
    const used = await mcpCall(f.app, MCP, second, "read_note", { path: "Home" });
    assertEquals(used.status, 200);
    await used.body?.cancel();
    const old = await mcpCall(f.app, MCP, first, "read_note", { path: "Home" });
    assertEquals(old.status, 401, "the replaced connection's token is refused");
    await old.body?.cancel();

    let apps = appsSection(unescapeHtml(await alice.page("/app/wikis/alice")));
    assertEquals(apps.split("<strong>Claude</strong>").length - 1, 1, apps);
    assertIncludes(apps, "Connected by @bob.test");
    assertIncludes(apps, "last used ");
    assertIncludes(apps, '<span class="badge">read & write</span>');

    // Bob becomes a viewer: his app may only read now, and the row says so.
    await f.app.deps.wikis.setMember(wiki.id, bob, "viewer", alice.did);
    apps = appsSection(unescapeHtml(await alice.page("/app/wikis/alice")));
    assertIncludes(apps, '<span class="badge">read-only</span>');
    assertIncludes(apps, "granted read & write; now a viewer");
  } finally {
    f.close();
  }
});

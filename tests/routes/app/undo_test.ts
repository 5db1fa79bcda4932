/**
 * "Undo everything this connection changed" from the settings page (routes/app/undo.tsx): a connected app (OAuth)
 * and a wiki token write through MCP; the row links to a confirmation page that lists the pages and what will
 * happen to each (a page a person changed after the agent is listed as left alone); the POST needs the CSRF token
 * and reverts the rest in one step.
 */
import { assertEquals, assertExcludes, assertIncludes, assertOk } from "../../assert.ts";
import { connectApp, mcpCall, setup, unescapeHtml } from "../../app/helpers.ts";
import type { App } from "../../../main.ts";
import type { Actor } from "../../../lib/wiki/types.ts";

/** Calls an MCP tool and returns the answer's text (which must not be an error). */
async function tool(app: App, token: string, name: string, args: Record<string, unknown>): Promise<string> {
  const res = await mcpCall(app, app.deps.urls.mcp("alice"), token, name, args);
  const text = await res.text();
  assertEquals(res.status, 200, text);
  assertExcludes(text, '"isError":true');
  return text;
}

/** A hidden field's value on a page. */
function field(html: string, name: string): string {
  const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  assertOk(m, `no field ${name}`);
  return m[1];
}

Deno.test("undo a connected app: confirmation lists pages, refuses without CSRF, reverts in one step", async () => {
  const f = await setup();
  try {
    const alice = await f.signIn("alice.test");
    const wiki = await f.wikiOf("alice.test", "alice");
    const person: Actor = { id: alice.did, name: "alice.test", client: "web" };
    const pages = f.app.deps.wikis.pages(wiki);
    await pages.write("Plan", "the person's plan", {}, person);
    const access = await connectApp(f.app, "alice", alice.did);
    await tool(f.app, access, "write_note", { path: "Agent Notes", content: "by the agent" });
    await tool(f.app, access, "write_note", { path: "Shared", content: "agent draft" });
    const plan = await pages.read("Plan");
    await tool(f.app, access, "edit_note", {
      path: "Plan",
      revision: plan.revision,
      old_string: "person's",
      new_string: "agent's",
    });
    const shared = await pages.read("Shared");
    await pages.write("Shared", "the person took over", { revision: shared.revision }, person);

    const [grant] = await f.app.deps.oauth.listGrants(wiki.id);
    const path = `/app/wikis/alice/undo/app/${grant.grantId}`;
    assertIncludes(await alice.page("/app/wikis/alice"), `href="${path}"`);

    const html = unescapeHtml(await alice.page(path));
    assertIncludes(html, "Undo changes by Claude");
    assertIncludes(html, "It made 3 changes");
    assertIncludes(html, '<strong>Agent Notes</strong> <span class="muted">created by it: will be deleted');
    assertIncludes(html, '<strong>Plan</strong> <span class="muted">edited by it: will be restored');
    assertIncludes(html, "Left alone");
    assertIncludes(html, '<strong>Shared</strong> <span class="muted">Changed by alice.test');
    assertIncludes(html, "Undo 2 pages");

    const fields = { since: field(html, "since"), expect: field(html, "expect") };
    const refused = await alice.post(path, fields, { csrf: null });
    assertEquals(refused.status, 403);
    assertIncludes(await refused.text(), "This form has expired");
    assertOk(await pages.meta("Agent Notes"), "nothing changed without the CSRF token");

    const done = await alice.post(path, fields, { from: path });
    const result = unescapeHtml(await done.text());
    assertEquals(done.status, 200, result.slice(0, 500));
    assertIncludes(result, "2 pages were reverted");
    assertEquals(await pages.meta("Agent Notes"), null);
    assertEquals((await pages.read("Plan")).content, "the person's plan");
    assertEquals((await pages.read("Shared")).content, "the person took over");
    const [latest] = await pages.recentChanges(1);
    assertEquals([latest.action, latest.author, latest.paths.sort()], ["restore", alice.did, ["Agent Notes", "Plan"]]);

    // Sending the reviewed plan again: the wiki has changed since, so it is shown again with a readable error.
    const again = await alice.post(path, fields, { from: "/app/wikis/alice" });
    assertEquals(again.status, 409);
    assertIncludes(await again.text(), "changed since you reviewed");
  } finally {
    f.close();
  }
});

Deno.test("undo a wiki token from its row; a bad time or a non-admin gets a readable refusal", async () => {
  const f = await setup();
  try {
    const alice = await f.signIn("alice.test");
    const bob = await f.signIn("bob.test");
    const wiki = await f.wikiOf("alice.test", "alice");
    await f.app.deps.wikis.setMember(wiki.id, bob.did, "editor", alice.did);
    const { token, record } = await f.app.deps.tokens.create(wiki, { label: "laptop", readOnly: false });
    const other = await f.app.deps.tokens.create(wiki, { label: "desktop", readOnly: false });
    await tool(f.app, token, "write_note", { path: "From Laptop", content: "laptop" });
    await tool(f.app, other.token, "write_note", { path: "From Desktop", content: "desktop" });

    const path = `/app/wikis/alice/undo/token/${record.id}`;
    assertIncludes(await alice.page("/app/wikis/alice"), `href="${path}"`);
    const html = unescapeHtml(await alice.page(path));
    assertIncludes(html, "Undo changes by token “laptop”");
    assertIncludes(html, "From Laptop");
    assertExcludes(html, "From Desktop");

    const later = unescapeHtml(await alice.page(`${path}?since=2999-01-01T00:00`));
    assertIncludes(later, "It changed nothing on this wiki since 2999-01-01 00:00 UTC");
    assertIncludes(later, "There is nothing to undo.");
    const bad = await alice.get(`${path}?since=yesterday`);
    assertEquals(bad.status, 422);
    assertIncludes(await bad.text(), "is not a time");
    const bobs = await bob.get(path);
    assertEquals(bobs.status, 403);
    await bobs.body?.cancel();

    const done = await alice.post(path, { since: field(html, "since"), expect: field(html, "expect") }, { from: path });
    assertEquals(done.status, 200);
    await done.body?.cancel();
    const pages = f.app.deps.wikis.pages(wiki);
    assertEquals(await pages.meta("From Laptop"), null);
    assertOk(await pages.meta("From Desktop"));
  } finally {
    f.close();
  }
});

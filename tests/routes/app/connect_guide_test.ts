/**
 * Dashboard setup that works the first time (routes/app/connect_guide.tsx): the settings page shows the MCP URL,
 * the steps for Claude.ai, Claude Code (token and OAuth) and ChatGPT, and "Test the connection", which runs
 * initialize + tools/list against the wiki in process with a token revoked right after, and shows the result; a
 * person may test CHECKS_PER_MINUTE times a minute.
 */
import { assertEquals, assertExcludes, assertIncludes, assertOk } from "../../assert.ts";
import { CHECKS_PER_MINUTE } from "../../../lib/platform/connection_check.ts";
import { setup, unescapeHtml } from "../../app/helpers.ts";

Deno.test("settings page: MCP URL and the steps for Claude.ai, Claude Code (token and OAuth) and ChatGPT", async () => {
  const f = await setup();
  try {
    const alice = await f.signIn("alice.test");
    await f.wikiOf("alice.test", "alice");
    const mcpUrl = f.app.deps.urls.mcp("alice");
    const res = await alice.get("/app/wikis/alice");
    const html = unescapeHtml(await res.text());
    assertIncludes(html, `<pre class="copy" aria-label="MCP URL"><code>${mcpUrl}</code></pre>`);
    // The copy buttons' script runs under the page's CSP nonce.
    const nonce = /script-src [^;]*'nonce-([^']+)'/.exec(res.headers.get("content-security-policy") ?? "")?.[1];
    assertIncludes(html, `<script nonce="${nonce}">`);
    assertIncludes(html, "navigator.clipboard.writeText");
    assertIncludes(html, "Add custom connector");
    assertIncludes(html, `claude mcp add --transport http alice ${mcpUrl} --header "Authorization: Bearer <token>"`);
    assertIncludes(html, `<code>claude mcp add --transport http alice ${mcpUrl}</code>`);
    assertIncludes(html, "<h3>ChatGPT</h3>");
    assertIncludes(html, "Developer mode");
    assertIncludes(html, 'action="/app/wikis/alice/connect/check"');
  } finally {
    f.close();
  }
});

Deno.test("test the connection: needs the CSRF token; runs initialize and tools/list; leaves no token behind", async () => {
  const f = await setup();
  try {
    const alice = await f.signIn("alice.test");
    const bob = await f.signIn("bob.test");
    const wiki = await f.wikiOf("alice.test", "alice");
    await f.app.deps.wikis.setMember(wiki.id, bob.did, "viewer", alice.did);
    const path = "/app/wikis/alice/connect/check";

    const refused = await alice.post(path, {}, { csrf: null });
    assertEquals(refused.status, 403);
    assertIncludes(await refused.text(), "This form has expired");

    const res = await alice.post(path, {}, { from: "/app/wikis/alice" });
    const html = unescapeHtml(await res.text());
    assertEquals(res.status, 200, html.slice(0, 500));
    assertIncludes(html, "The MCP endpoint works");
    assertIncludes(html, "<strong>initialize</strong>: ok");
    assertIncludes(html, "<strong>tools/list</strong>: ok");
    assertIncludes(html, '<code class="tool-name">read_note</code>');
    assertIncludes(html, '<code class="tool-name">write_note</code>');
    assertEquals(await f.app.deps.tokens.list(wiki.id), [], "the check's token is revoked");

    // A viewer may test too (with a read-only token); the page says what the agent sees.
    const viewer = await bob.post(path, {}, { from: "/app/wikis/alice" });
    const seen = unescapeHtml(await viewer.text());
    assertEquals(viewer.status, 200, seen.slice(0, 500));
    assertIncludes(seen, "<strong>tools/list</strong>: ok");
    assertIncludes(seen, '<code class="tool-name">read_note</code>');
    assertExcludes(seen, "did not answer");
    assertEquals(await f.app.deps.tokens.list(wiki.id), []);
  } finally {
    f.close();
  }
});

Deno.test("test the connection: past CHECKS_PER_MINUTE a person gets 429 with Retry-After, and no token is made", async () => {
  const f = await setup();
  try {
    const alice = await f.signIn("alice.test");
    const bob = await f.signIn("bob.test");
    const wiki = await f.wikiOf("alice.test", "alice");
    await f.app.deps.wikis.setMember(wiki.id, bob.did, "editor", alice.did);
    const path = "/app/wikis/alice/connect/check";
    for (let i = 0; i < CHECKS_PER_MINUTE; i++) {
      const ok = await alice.post(path, {}, { from: "/app/wikis/alice" });
      assertEquals(ok.status, 200, `check ${i + 1}`);
      await ok.body?.cancel();
    }
    const created: string[] = [];
    const create = f.app.deps.tokens.create.bind(f.app.deps.tokens);
    f.app.deps.tokens.create = (w, opts) => {
      created.push(opts.label);
      return create(w, opts);
    };
    const res = await alice.post(path, {}, { from: "/app/wikis/alice" });
    const html = unescapeHtml(await res.text());
    assertEquals(res.status, 429, html.slice(0, 500));
    const retry = Number(res.headers.get("retry-after"));
    // A one-minute window of six 10 s buckets: a burst at the start of a bucket is weighted out during the seventh, so
    // the wait can pass 60 s by a fraction of a bucket (lib/kv/rate_limit.ts retryAfterMs), never 70 s.
    assertOk(retry >= 1 && retry <= 70, `Retry-After ${retry}`);
    assertIncludes(html, "The test was not run");
    assertIncludes(html, `At most ${CHECKS_PER_MINUTE} connection tests a minute`);
    assertExcludes(html, "<strong>initialize</strong>");
    assertEquals(created, [], "a refused check makes no token");
    // The limit is the person's: another member of the wiki may still test.
    const other = await bob.post(path, {}, { from: "/app/wikis/alice" });
    assertEquals(other.status, 200);
    assertIncludes(unescapeHtml(await other.text()), "The MCP endpoint works");
  } finally {
    f.close();
  }
});

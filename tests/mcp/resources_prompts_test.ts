/**
 * Resources, completion and prompts for Claude Code (issue 11 item 8), through the v2 and the v1 SDK client: pages
 * as resources of the template `wiki://page/{+path}`, listed in parts by cursor, read as markdown, page paths
 * completed; the prompts start_session, record_decision and changes_since. initialize advertises the capabilities,
 * replayed or not.
 */
import { assertEquals, assertIncludes, assertOk } from "../assert.ts";
import { rawPost, setupMcp } from "./helpers.ts";
import { rawClient } from "./raw_client.ts";
import { PAGE_URI_TEMPLATE, pageUri, RESOURCES_PER_LIST } from "../../lib/mcp/resources.ts";
import { DEFAULT_LIMITS } from "../../lib/config.ts";
import { createMcpEndpoint } from "../../lib/mcp/endpoint.ts";
import { createWikiTokens } from "../../lib/auth/tokens.ts";
import type { Verifier } from "../../lib/auth/principal.ts";

const ACTOR = { id: "local:test", name: "test", client: "cli" };
const EXTRA_PAGES = RESOURCES_PER_LIST + 5;

type Fixture = Awaited<ReturnType<typeof setupMcp>>;

async function seed(f: Fixture) {
  const pages = f.app.deps.wikis.pages(f.alice);
  await pages.write("Design/Auth", "# Auth\n\nTokens.\n", {}, ACTOR);
  await pages.write("Design/Storage", "# Storage\n\nKV.\n", {}, ACTOR);
  // The Agent Guide exists (starter page): overwrite it at its revision.
  const guide = await pages.meta("Agent Guide");
  const text = "# Agent Guide\n\nAlways link new pages from Home.\n";
  await pages.write("Agent Guide", text, { revision: guide?.revision }, ACTOR);
  for (let i = 0; i < EXTRA_PAGES; i++) await pages.write(`Notes/N${String(i).padStart(3, "0")}`, `n${i}\n`, {}, ACTOR);
}

async function rejects(p: Promise<unknown>): Promise<{ code?: number; message: string }> {
  const e = await p.then(() => null, (err) => err);
  assertOk(e instanceof Error, "the request must be refused");
  return e as { code?: number; message: string };
}

for (const gen of ["v2", "v1"] as const) {
  Deno.test(`${gen} client: pages as resources, listed by cursor, read, completed`, async () => {
    const f = await setupMcp("path");
    await seed(f);
    const c = await rawClient(gen, f.mcpUrl("alice"), f.ro, f.fetch);
    try {
      const caps = c.client.getServerCapabilities();
      assertOk(caps?.resources && caps?.prompts && caps?.completions, `capabilities ${JSON.stringify(caps)}`);
      const templates = (await c.client.listResourceTemplates()).resourceTemplates as { uriTemplate: string }[];
      assertEquals(templates.map((t) => t.uriTemplate), [PAGE_URI_TEMPLATE]);
      // Listing in parts: every page once, in path order, each part at most RESOURCES_PER_LIST.
      const all = (await f.app.deps.wikis.pages(f.alice).list()).map((p) => p.path);
      assertOk(all.length > RESOURCES_PER_LIST, "enough pages for two parts");
      const seen: string[] = [];
      let cursor: string | undefined;
      // The v2 client follows nextCursor itself when called without one (more than one part arrives aggregated);
      // the v1 client returns one part per call.
      const perPart = gen === "v2" ? Infinity : RESOURCES_PER_LIST;
      for (let i = 0; i < 10; i++) {
        const r = await c.client.listResources(cursor ? { cursor } : {});
        assertOk(r.resources.length <= perPart, `${r.resources.length} resources in one part`);
        for (const res of r.resources) {
          assertEquals(res.uri, pageUri(res.name));
          assertEquals(res.mimeType, "text/markdown");
        }
        seen.push(...r.resources.map((x: { name: string }) => x.name));
        cursor = r.nextCursor;
        if (!cursor) break;
      }
      assertEquals(seen, all);
      const bad = await rejects(c.client.listResources({ cursor: "not-a-cursor" }));
      assertEquals(bad.code, -32602);
      // Reading: paths keep their slashes; spaces are percent-encoded.
      const auth = await c.client.readResource({ uri: "wiki://page/Design/Auth" });
      assertEquals(auth.contents[0].text, "# Auth\n\nTokens.\n");
      assertEquals(auth.contents[0].mimeType, "text/markdown");
      const guide = await c.client.readResource({ uri: pageUri("Agent Guide") });
      assertIncludes(guide.contents[0].text, "Always link new pages");
      const missing = await rejects(c.client.readResource({ uri: "wiki://page/Nope" }));
      assertIncludes(missing.message, "wiki://page/Nope");
      // Completion of page paths, case-insensitive, for the template and for the page argument of a prompt.
      const done = await c.client.complete({
        ref: { type: "ref/resource", uri: PAGE_URI_TEMPLATE },
        argument: { name: "path", value: "design/" },
      });
      assertEquals(done.completion.values, ["Design/Auth", "Design/Storage"]);
      const many = await c.client.complete({
        ref: { type: "ref/resource", uri: PAGE_URI_TEMPLATE },
        argument: { name: "path", value: "Notes/" },
      });
      assertEquals(many.completion.values.length, 100);
      assertEquals(many.completion.hasMore, true);
      assertEquals(many.completion.total, EXTRA_PAGES);
      const forPrompt = await c.client.complete({
        ref: { type: "ref/prompt", name: "record_decision" },
        argument: { name: "page", value: "Agent" },
      });
      assertEquals(forPrompt.completion.values, ["Agent Guide"]);
      await rejects(c.client.complete({
        ref: { type: "ref/resource", uri: "other://{x}" },
        argument: { name: "x", value: "" },
      }));
    } finally {
      await c.close();
      await f.close();
    }
  });

  Deno.test(`${gen} client: prompts start_session, record_decision, changes_since`, async () => {
    const f = await setupMcp("path");
    await seed(f);
    const c = await rawClient(gen, f.mcpUrl("alice"), f.ro, f.fetch);
    try {
      const prompts = (await c.client.listPrompts()).prompts as { name: string; arguments?: { name: string }[] }[];
      assertEquals(prompts.map((p) => p.name), ["start_session", "record_decision", "changes_since"]);
      assertEquals(prompts[2].arguments?.map((a) => a.name), ["since"]);

      const start = await c.client.getPrompt({ name: "start_session" });
      const [guide, intro] = start.messages;
      assertEquals(guide.content.type, "resource");
      assertEquals(guide.content.resource.uri, pageUri("Agent Guide"));
      assertIncludes(guide.content.resource.text, "Always link new pages");
      assertIncludes(intro.content.text, "recent changes:");
      assertIncludes(intro.content.text, `Notes/N${String(EXTRA_PAGES - 1).padStart(3, "0")}`);

      const decision = await c.client.getPrompt({
        name: "record_decision",
        arguments: { decision: "Use Deno KV for sessions", page: "Design/Storage" },
      });
      assertIncludes(decision.messages[0].content.text, "Decision: Use Deno KV for sessions");
      assertIncludes(decision.messages[0].content.text, 'page "Design/Storage"');

      const since = await c.client.getPrompt({ name: "changes_since", arguments: { since: "2000-01-01" } });
      const text = since.messages[0].content.text as string;
      assertIncludes(text, "since 2000-01-01T00:00:00Z");
      assertIncludes(text, "Design/Auth");
      const future = await c.client.getPrompt({ name: "changes_since", arguments: { since: "2999-01-01" } });
      assertIncludes(future.messages[0].content.text, "There were no changes since then.");
      const invalid = await rejects(c.client.getPrompt({ name: "changes_since", arguments: { since: "soon" } }));
      assertIncludes(invalid.message, "ISO 8601");
      await rejects(c.client.getPrompt({ name: "record_decision", arguments: {} }));
    } finally {
      await c.close();
      await f.close();
    }
  });
}

Deno.test("initialize advertises resources, prompts and completions, also when replayed", async () => {
  const f = await setupMcp("path");
  try {
    for (const id of [1, 2]) {
      const res = await rawPost(
        f.fetch,
        f.mcpUrl("alice"),
        JSON.stringify({
          jsonrpc: "2.0",
          id,
          method: "initialize",
          params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "1" } },
        }),
        { authorization: `Bearer ${f.rw}` },
      );
      assertEquals(res.status, 200);
      const body = await res.json();
      assertEquals(body.id, id);
      const caps = body.result.capabilities;
      assertEquals(caps.resources, { listChanged: false });
      assertEquals(caps.prompts, { listChanged: false });
      assertEquals(caps.completions, {});
      assertOk(caps.tools, "tools still advertised");
    }
  } finally {
    await f.close();
  }
});

Deno.test("a resource read is held to the result budget and says how to read the rest", async () => {
  const budget = 2_000;
  const f = await setupMcp("path", { limits: { ...DEFAULT_LIMITS, resultBudgetChars: budget } });
  await f.app.deps.wikis.pages(f.alice).write("Long", "# Long\n\n" + "word ".repeat(2000), {}, ACTOR);
  const c = await rawClient("v1", f.mcpUrl("alice"), f.rw, f.fetch);
  try {
    const r = await c.client.readResource({ uri: "wiki://page/Long" });
    const text = r.contents[0].text as string;
    assertOk(text.length <= budget, `${text.length} characters`);
    assertIncludes(text, "Read the rest with read_note");
  } finally {
    await c.close();
    await f.close();
  }
});

Deno.test("resources, completion and prompts need wiki:read: 403 insufficient_scope for a credential without it", async () => {
  const f = await setupMcp("path");
  try {
    // A credential holding only wiki:write (the per-wiki tokens always read, so the verifier narrows one).
    const inner = createWikiTokens({ kv: f.kv, keys: f.app.deps.keys }).verifier();
    const writeOnly: Verifier = {
      claims: (t) => inner.claims(t),
      lookupKeys: (t) => inner.lookupKeys(t),
      async verify(t, wiki, entries) {
        const r = await inner.verify(t, wiki, entries);
        return r.ok ? { ok: true, principal: { ...r.principal, scopes: new Set(["wiki:write"] as const) } } : r;
      },
    };
    const endpoint = createMcpEndpoint({
      kv: f.kv,
      urls: f.app.deps.urls,
      wikis: f.app.deps.wikis,
      limits: f.app.deps.config.limits,
      verifiers: [writeOnly],
    });
    const fetch = async (u: string | URL, i?: RequestInit) => await endpoint.handle(new Request(u, i), "alice");
    const post = (method: string, params: Record<string, unknown>) =>
      rawPost(fetch, f.mcpUrl("alice"), JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }), {
        authorization: `Bearer ${f.rw}`,
      });
    const refused: [string, Record<string, unknown>][] = [
      ["resources/list", {}],
      ["resources/templates/list", {}],
      ["resources/read", { uri: "wiki://page/Home" }],
      ["completion/complete", {
        ref: { type: "ref/resource", uri: PAGE_URI_TEMPLATE },
        argument: { name: "path", value: "" },
      }],
      ["prompts/list", {}],
      ["prompts/get", { name: "start_session" }],
    ];
    for (const [method, params] of refused) {
      const res = await post(method, params);
      assertEquals(res.status, 403, method);
      assertIncludes(res.headers.get("www-authenticate") ?? "", 'scope="wiki:read"');
      assertIncludes((await res.json()).error.message, `${method} needs wiki:read`);
    }
    // tools/list is not refused (it lists what the credential may call).
    const list = await post("tools/list", {});
    assertEquals(list.status, 200);
    await list.body?.cancel();
  } finally {
    await f.close();
  }
});

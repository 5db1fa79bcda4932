/**
 * Pooled, request-independent servers (lib/mcp/server_pool.ts): which requests they serve, reuse after close, and
 * no state crossing between requests of different wikis and credentials, also under concurrency.
 */
import { assertEquals, assertIncludes, assertOk } from "../assert.ts";
import { rawPost, setupMcp } from "./helpers.ts";
import { poolable, ServerPool } from "../../lib/mcp/server_pool.ts";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/server";
import type { AuthInfo } from "@modelcontextprotocol/server";
import type { ToolContext } from "../../lib/mcp/tool.ts";

function call(id: number, name: string, args: Record<string, unknown>) {
  return { jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: args } };
}

Deno.test("server pool - only single non-initialize requests are poolable", () => {
  assertEquals(poolable(call(1, "read_note", { path: "Home" })), true);
  assertEquals(poolable({ jsonrpc: "2.0", id: "x", method: "tools/list" }), true);
  assertEquals(poolable({ jsonrpc: "2.0", id: 0, method: "ping" }), true);
  assertEquals(poolable({ jsonrpc: "2.0", id: 1, method: "initialize", params: {} }), false);
  assertEquals(poolable({ jsonrpc: "2.0", method: "notifications/initialized" }), false);
  assertEquals(poolable({ jsonrpc: "2.0", id: null, method: "ping" }), false);
  assertEquals(poolable([call(1, "read_note", {})]), false);
  assertEquals(poolable(null), false);
});

Deno.test("server pool - one server serves requests of two wikis in turn, each with its own context", async () => {
  const f = await setupMcp();
  try {
    const pages = { alice: f.app.deps.wikis.pages(f.alice), bob: f.app.deps.wikis.pages(f.bob) };
    const actor = { id: "local:test", name: "test", client: "cli" };
    await pages.alice.write("Who", "alice's page", {}, actor);
    await pages.bob.write("Who", "bob's page", {}, actor);
    const pool = new ServerPool(4);
    const serve = async (wiki: "alice" | "bob", id: number) => {
      const toolContext: ToolContext = {
        principal: {
          subject: `token:${wiki}`,
          wikiId: f[wiki].id,
          scopes: new Set(["wiki:read"]),
          attainable: new Set(["wiki:read"]),
          clientName: wiki,
          via: "wiki-token",
        },
        wiki: f[wiki],
        pages: pages[wiki],
        limits: f.app.deps.config.limits,
        kv: f.kv,
        urls: f.app.deps.urls,
      };
      const authInfo: AuthInfo = { token: "", clientId: wiki, scopes: ["wiki:read"], extra: { toolContext } };
      const server = pool.acquire(new Set(["wiki:read"]));
      const transport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: undefined,
        enableJsonResponse: true,
      });
      await server.connect(transport);
      const res = await transport.handleRequest(
        new Request("http://x/mcp", {
          method: "POST",
          headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
        }),
        { parsedBody: call(id, "read_note", { path: "Who" }), authInfo },
      );
      const text = await res.text();
      await pool.release(server);
      return text;
    };
    assertIncludes(await serve("alice", 1), "alice's page");
    assertIncludes(await serve("bob", 2), "bob's page");
    assertIncludes(await serve("alice", 3), "alice's page");
    assertEquals([pool.created, pool.idle], [1, 1]);
  } finally {
    await f.close();
  }
});

Deno.test("server pool - concurrent calls of two wikis and credentials through the endpoint never cross", async () => {
  const f = await setupMcp();
  try {
    const actor = { id: "local:test", name: "test", client: "cli" };
    await f.app.deps.wikis.pages(f.alice).write("Who", "alice's page", {}, actor);
    await f.app.deps.wikis.pages(f.bob).write("Who", "bob's page", {}, actor);
    const tokens = [
      { token: f.rw, slug: "alice", expect: "alice's page" },
      { token: f.ro, slug: "alice", expect: "alice's page" },
      { token: f.bobToken, slug: "bob", expect: "bob's page" },
    ];
    const results = await Promise.all(Array.from({ length: 30 }, async (_, i) => {
      const t = tokens[i % 3];
      const res = await rawPost(f.fetch, f.mcpUrl(t.slug), JSON.stringify(call(i, "read_note", { path: "Who" })), {
        authorization: `Bearer ${t.token}`,
        "mcp-protocol-version": "2025-11-25",
      });
      return { t, status: res.status, body: await res.json() };
    }));
    for (const r of results) {
      assertEquals(r.status, 200);
      assertIncludes(r.body.result.content[0].text, r.t.expect);
    }
    // Writes record the calling credential, and the read-only one is still refused (with the reason, as a tool
    // result: it can never write), on reused servers too.
    for (let i = 0; i < 3; i++) {
      const w = await rawPost(
        f.fetch,
        f.mcpUrl("alice"),
        JSON.stringify(call(100 + i, "write_note", { path: `Note ${i}`, content: "x" })),
        { authorization: `Bearer ${f.rw}` },
      );
      assertOk((await w.json()).result.content[0].text.startsWith(`Created Note ${i}`));
      const denied = await rawPost(
        f.fetch,
        f.mcpUrl("alice"),
        JSON.stringify(call(200 + i, "write_note", { path: `Other ${i}`, content: "x" })),
        { authorization: `Bearer ${f.ro}` },
      );
      assertEquals(denied.status, 200);
      const refusal = (await denied.json()).result;
      assertEquals(refusal.isError, true);
      assertIncludes(refusal.content[0].text, "read-only");
    }
    const history = await f.app.deps.wikis.pages(f.alice).history("Note 2");
    assertEquals([history[0].revision.authorName, history[0].revision.client], ["laptop", "mcp:laptop"]);
  } finally {
    await f.close();
  }
});

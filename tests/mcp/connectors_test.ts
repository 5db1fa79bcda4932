/**
 * ChatGPT connector tools (issue 11 item 7): `search {query}` answers one text item holding
 * `{"results":[{"id","title","url"}]}`, `fetch {id}` one text item holding `{"id","title","text","url","metadata"}`.
 * Through the v2 and v1 SDK clients, read-only tokens included.
 */
import { assertEquals, assertIncludes, assertOk } from "../assert.ts";
import { connect, setupMcp } from "./helpers.ts";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { DEFAULT_LIMITS } from "../../lib/config.ts";

const ACTOR = { id: "local:test", name: "test", client: "cli" };

type Content = { type: string; text?: string }[];

async function rawClient(url: string, token: string, fetch: (u: string | URL, i?: RequestInit) => Promise<Response>) {
  const client = new Client({ name: "chatgpt-like", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
      fetch,
    }),
  );
  return client;
}

/** The one text item of a result, parsed as JSON. */
function oneJson(r: { content: unknown; isError?: boolean }): Record<string, unknown> {
  const content = r.content as Content;
  assertEquals(content.length, 1);
  assertEquals(content[0].type, "text");
  return JSON.parse(content[0].text!);
}

Deno.test("search and fetch: ChatGPT's shapes, same ranking as search_notes, page URLs of this wiki", async () => {
  const f = await setupMcp();
  const client = await rawClient(f.mcpUrl("alice"), f.ro, f.fetch);
  try {
    const pages = f.app.deps.wikis.pages(f.alice);
    await pages.write("Zoo/Okapi", "---\ntags: [animal]\n---\n# Okapi\n\nThe okapi lives in the forest.\n", {}, ACTOR);
    await pages.write("Okapi facts", "okapi okapi okapi\n", {}, ACTOR);
    await pages.write("Other", "nothing to see\n", {}, ACTOR);

    const tools = (await client.listTools()).tools;
    for (const name of ["search", "fetch"]) {
      const t = tools.find((x) => x.name === name);
      assertOk(t, `${name} listed`);
      assertEquals(t.annotations?.readOnlyHint, true);
    }

    const s = await client.callTool({ name: "search", arguments: { query: "okapi" } });
    assertEquals(s.isError ?? false, false);
    const results = oneJson(s).results as { id: string; title: string; url: string }[];
    assertEquals(Object.keys(oneJson(s)), ["results"]);
    assertEquals(results.length, 2);
    for (const r of results) {
      assertEquals(Object.keys(r).sort(), ["id", "title", "url"]);
      assertEquals(r.url, f.app.deps.urls.page("alice", r.id));
    }
    assertEquals(results.find((r) => r.id === "Zoo/Okapi")?.title, "Okapi");
    const notes = await client.callTool({ name: "search_notes", arguments: { query: "okapi" } });
    const ranked = [...((notes.content as Content)[0].text!).matchAll(/^\d+\. (.+?) \(score/gm)].map((m) => m[1]);
    assertEquals(results.map((r) => r.id), ranked);

    const none = oneJson(await client.callTool({ name: "search", arguments: { query: "qqqq" } }));
    assertEquals(none, { results: [] });

    const doc = oneJson(await client.callTool({ name: "fetch", arguments: { id: "Zoo/Okapi" } }));
    assertEquals(Object.keys(doc).sort(), ["id", "metadata", "text", "title", "url"]);
    assertEquals(doc.id, "Zoo/Okapi");
    assertEquals(doc.title, "Okapi");
    assertEquals(doc.url, f.app.deps.urls.page("alice", "Zoo/Okapi"));
    assertEquals(doc.text, (await pages.read("Zoo/Okapi")).content);
    const meta = doc.metadata as Record<string, unknown>;
    assertEquals(meta.revision, (await pages.read("Zoo/Okapi")).revision);
    assertEquals(meta.tags, ["animal"]);

    const missing = await client.callTool({ name: "fetch", arguments: { id: "No/Such" } });
    assertEquals(missing.isError, true);
    assertIncludes((missing.content as Content)[0].text!, "No/Such");
    const empty = await client.callTool({ name: "search", arguments: { query: "   " } });
    assertEquals(empty.isError, true);
  } finally {
    await client.close();
    await f.close();
  }
});

Deno.test("fetch: a page over the result budget is cut, and the metadata says how to read the rest", async () => {
  const budget = 5_000;
  const f = await setupMcp("path", { limits: { ...DEFAULT_LIMITS, resultBudgetChars: budget } });
  const client = await rawClient(f.mcpUrl("alice"), f.rw, f.fetch);
  try {
    const content = 'quote " and newline\n\t'.repeat(2000);
    await f.app.deps.wikis.pages(f.alice).write("Long", content, {}, ACTOR);
    const r = await client.callTool({ name: "fetch", arguments: { id: "Long" } });
    const text = (r.content as Content)[0].text!;
    assertOk(text.length <= budget, `${text.length}`);
    const doc = oneJson(r);
    assertOk(content.startsWith(doc.text as string));
    const meta = doc.metadata as Record<string, unknown>;
    assertEquals(meta.truncated, true);
    assertEquals(meta.total_characters, content.length);
    assertIncludes(String(meta.rest), `offset=${(doc.text as string).length}`);

    const many = Array.from({ length: 40 }, (_, i) => `Okapi ${i} ${"long name ".repeat(20)}`);
    for (const p of many) await f.app.deps.wikis.pages(f.alice).write(p, "okapi\n", {}, ACTOR);
    const s = await client.callTool({ name: "search", arguments: { query: "okapi" } });
    assertOk((s.content as Content)[0].text!.length <= budget);
    assertOk((oneJson(s).results as unknown[]).length > 0);
  } finally {
    await client.close();
    await f.close();
  }
});

Deno.test("search and fetch through the 2025-era client", async () => {
  const f = await setupMcp("subdomain");
  const c = await connect("v1", f.mcpUrl("alice"), f.rw, f.fetch);
  try {
    const r = await c.call("search", { query: "agent" });
    assertEquals(r.isError, false);
    const results = JSON.parse(r.text).results as { id: string; url: string }[];
    assertOk(results.length > 0);
    assertOk(results[0].url.startsWith("http://alice.localhost:8000/"), results[0].url);
    const doc = JSON.parse((await c.call("fetch", { id: results[0].id })).text);
    assertEquals(doc.id, results[0].id);
  } finally {
    await c.close();
    await f.close();
  }
});

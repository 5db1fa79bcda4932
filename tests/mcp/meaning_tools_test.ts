/**
 * Recall by meaning through the v2 SDK client (issue 12): the acceptance example on search_notes with no
 * mode, the modes, semantic_search and find_related with their bounds and structured output, and the ChatGPT
 * `search` tool using the same ranking.
 */
import { assertEquals, assertIncludes, assertOk } from "../assert.ts";
import { connect, setupMcp, type TestClient } from "./helpers.ts";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { HANDBOOK } from "../wiki/meaning/section_helpers.ts";

async function withClient(fn: (c: TestClient, f: Awaited<ReturnType<typeof setupMcp>>) => Promise<void>) {
  const f = await setupMcp();
  const c = await connect("v2", f.mcpUrl("alice"), f.rw, f.fetch);
  try {
    await fn(c, f);
  } finally {
    await c.close();
    await f.close();
  }
}

/** The pages. */
const PAGES: [string, string][] = [
  ["Garage/Automobile Maintenance", "Change the car oil every spring; check the tyres before a long drive.\n"],
  ["Kitchen/Sourdough", "Feed the starter the night before, then bake bread in a hot oven.\n"],
  ["Security/Authentication", "People sign in with their handle; the server checks it with their provider.\n"],
];

/** The first path of a search_notes / semantic_search text result. */
function firstPath(text: string): string | undefined {
  return /^1\. (.+?) \((?:score|similarity): /m.exec(text)?.[1];
}

Deno.test("search_notes (no mode) ranks each page first for a query sharing none of its words", async () => {
  await withClient(async (c) => {
    for (const [path, content] of PAGES) assertEquals((await c.call("write_note", { path, content })).isError, false);
    // First search right after the writes return.
    const vehicle = await c.call("search_notes", { query: "vehicle upkeep" });
    assertEquals(firstPath(vehicle.text), "Garage/Automobile Maintenance", vehicle.text);
    assertIncludes(vehicle.text, "Garage/Automobile Maintenance (score: ");
    assertIncludes(vehicle.text, ", similar meaning)");
    assertEquals(firstPath((await c.call("search_notes", { query: "baking loaves" })).text), "Kitchen/Sourdough");
    // A typo: found by the static layer's one-edit correction of unknown query words (s12lex's fuzzy matching
    // helps the lexical side too once merged).
    assertEquals(firstPath((await c.call("search_notes", { query: "authentcation" })).text), "Security/Authentication");
    const lexical = await c.call("search_notes", { query: "vehicle upkeep", mode: "lexical" });
    assertEquals(firstPath(lexical.text), undefined, lexical.text);
    const bad = await c.call("search_notes", { query: "car", mode: "psychic" });
    assertEquals(bad.isError, true);
  });
});

/** An app with Alice's wiki and an SDK client on its MCP endpoint; `call` gives a tool result's text, error flag and data. */
async function sdkClient(name: string) {
  const f = await setupMcp();
  const client = new Client({ name, version: "1" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(f.mcpUrl("alice")), {
      fetch: f.fetch,
      requestInit: { headers: { authorization: `Bearer ${f.rw}` } },
    }),
  );
  const call = async (tool: string, args: Record<string, unknown>) => {
    const r = await client.callTool({ name: tool, arguments: args });
    const text = (r.content as { text?: string }[]).map((x) => x.text ?? "").join("\n");
    return { text, isError: r.isError === true, data: r.structuredContent as Record<string, unknown> | undefined };
  };
  return { f, client, call };
}

Deno.test("semantic_search and find_related: results, n bounds, structured output; search uses the same ranking", async () => {
  const { f, client, call } = await sdkClient("meaning-test");
  try {
    for (const [path, content] of PAGES) await call("write_note", { path, content });
    await call("write_note", { path: "Garage/Bicycle", content: "Oil the bike chain and pump the tyres.\n" });
    await call("write_note", {
      path: "Garage/Index",
      content: "See [[Garage/Automobile Maintenance]] for the car.\n",
    });
    const s = await call("semantic_search", { query: "vehicle upkeep" });
    assertEquals(firstPath(s.text), "Garage/Automobile Maintenance", s.text);
    const results = s.data!.results as { path: string; score: number }[];
    assertEquals(results[0].path, "Garage/Automobile Maintenance");
    assertOk(results.length <= 5);
    assertOk(results[0].score > 0 && results[0].score <= 1);
    const one = await call("semantic_search", { query: "vehicle upkeep", n: 1 });
    assertEquals((one.data!.results as unknown[]).length, 1);
    for (const n of [0, 51, 2.5]) {
      const r = await call("semantic_search", { query: "vehicle upkeep", n }).catch((e) => ({
        text: String(e),
        isError: true,
        data: undefined,
      }));
      assertEquals(r.isError, true, `n=${n} refused`);
    }
    const related = await call("find_related", { path: "Garage/Automobile Maintenance" });
    const rel = (related.data!.results as { path: string }[]).map((r) => r.path);
    assertEquals(rel[0], "Garage/Bicycle", related.text);
    assertEquals(rel.includes("Garage/Index"), false, "a page linking to it is left out");
    assertEquals(rel.includes("Garage/Automobile Maintenance"), false);
    const missing = await call("find_related", { path: "No/Such Page" });
    assertEquals(missing.isError, true);
    assertIncludes(missing.text, "No/Such Page");
    const connector = await call("search", { query: "vehicle upkeep" });
    const ids = (connector.data!.results as { id: string }[]).map((r) => r.id);
    assertEquals(ids[0], "Garage/Automobile Maintenance");
  } finally {
    await client.close();
    await f.close();
  }
});

Deno.test("search_notes and semantic_search name the section of a long page that matched; read_note reads it", async () => {
  const { f, client, call } = await sdkClient("meaning-sections-test");
  try {
    for (const [path, content] of PAGES.slice(1)) await call("write_note", { path, content });
    await call("write_note", { path: "Handbook/Everything", content: HANDBOOK });
    const hybrid = await call("search_notes", { query: "vehicle upkeep" });
    assertEquals(firstPath(hybrid.text), "Handbook/Everything", hybrid.text);
    assertIncludes(hybrid.text, 'Closest in meaning: section "Fleet" (read_note with section: "Fleet" reads it).');
    const results = hybrid.data!.results as { path: string; section?: string }[];
    assertEquals([results[0].path, results[0].section], ["Handbook/Everything", "Fleet"]);
    const semantic = await call("semantic_search", { query: "vehicle upkeep" });
    assertIncludes(semantic.text, 'section "Fleet"');
    assertEquals((semantic.data!.results as { section?: string }[])[0].section, "Fleet");
    const read = await call("read_note", { path: "Handbook/Everything", section: "Fleet" });
    assertEquals(read.isError, false, read.text);
    assertIncludes(read.text, "car oil");
    const lexical = await call("search_notes", { query: "espresso", mode: "lexical" });
    assertEquals((lexical.data!.results as { section?: string }[])[0].section, undefined, "terms name no section");
  } finally {
    await client.close();
    await f.close();
  }
});

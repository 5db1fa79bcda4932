/**
 * Structured tool output (issue 11 item 6): every data tool declares an `outputSchema` in tools/list and returns
 * `structuredContent` valid against it beside its unchanged text, through the v2 and the v1 SDK client (both check
 * the content against the advertised schema); failed results carry none, and results cut by the budget stay valid
 * and within it.
 */
import { assertEquals, assertIncludes, assertOk } from "../assert.ts";
import { setupMcp } from "./helpers.ts";
import { rawClient, textOf } from "./raw_client.ts";
import { OUTPUT } from "../../lib/mcp/output.ts";
import { DEFAULT_LIMITS } from "../../lib/config.ts";

const ACTOR = { id: "local:test", name: "test", client: "cli" };

import { STRUCTURED_CALLS, type ToolName } from "./structured_calls.ts";

type Fixture = Awaited<ReturnType<typeof setupMcp>>;

async function seed(f: Fixture) {
  const pages = f.app.deps.wikis.pages(f.alice);
  // Home exists (starter page): overwrite it at its revision.
  const home = await pages.meta("Home");
  await pages.write("Home", "# Home\n\nSee [[Design/Auth]].\n", { revision: home?.revision }, ACTOR);
  const auth =
    "---\ncategory: design\ntags: [auth, oauth]\n---\n# Auth\n\n## Goals\n\nAuth for agents.\n\n## Plan\n\n" +
    "Tokens. Links to [[Home]].\n";
  const first = await pages.write("Design/Auth", auth.replace("Tokens.", "Cookies."), {}, ACTOR);
  await pages.write("Design/Auth", auth, { revision: first.revision }, ACTOR);
  await pages.write("Lonely", "Nobody links here (auth).\n", {}, ACTOR);
  await pages.putAttachment("Design/Auth", "a.txt", new TextEncoder().encode("hello"), {}, ACTOR);
  return first.revision;
}

for (const gen of ["v2", "v1"] as const) {
  Deno.test(`${gen} client: every data tool declares an outputSchema and returns structuredContent`, async () => {
    const f = await setupMcp("path");
    const first = await seed(f);
    const calls = STRUCTURED_CALLS.map(([name, args]): [ToolName, Record<string, unknown>] => [
      name,
      args.from_revision === "FIRST" ? { ...args, from_revision: first } : args,
    ]);
    const c = await rawClient(gen, f.mcpUrl("alice"), f.rw, f.fetch);
    try {
      const tools = (await c.client.listTools()).tools as { name: string; outputSchema?: { type?: string } }[];
      for (const name of Object.keys(OUTPUT)) {
        const t = tools.find((x) => x.name === name);
        assertEquals(t?.outputSchema?.type, "object", `${name} declares an object outputSchema`);
      }
      // Tools that change the wiki declare none.
      assertEquals(tools.find((x) => x.name === "write_note")?.outputSchema, undefined);
      for (const [name, args] of calls) {
        const r = await c.client.callTool({ name, arguments: args });
        const label = `${name} ${JSON.stringify(args)}`;
        assertOk(r.isError !== true, `${label}: ${textOf(r)}`);
        assertOk(r.structuredContent !== undefined, `${label} has structuredContent`);
        const parsed = OUTPUT[name].safeParse(r.structuredContent);
        assertOk(parsed.success, `${label}: ${parsed.error?.message}`);
      }
      // The data is the text's: spot checks.
      const read = await c.client.callTool({ name: "read_note", arguments: { path: "Design/Auth" } });
      assertIncludes(textOf(read), `Revision: ${read.structuredContent.revision}\n`);
      assertEquals(read.structuredContent.links_to, ["Home"]);
      assertEquals(read.structuredContent.frontmatter.category, "design");
      assertIncludes(textOf(read), read.structuredContent.content);
      const part = await c.client.callTool({
        name: "read_note",
        arguments: { path: "Design/Auth", offset: 5, limit: 10 },
      });
      assertEquals(part.structuredContent.offset, 5);
      assertEquals(part.structuredContent.next_offset, 15);
      assertEquals(part.structuredContent.content.length, 10);
      const outline = await c.client.callTool({ name: "read_note", arguments: { path: "Design/Auth", outline: true } });
      assertEquals(outline.structuredContent.outline.map((h: { title: string }) => h.title), ["Auth", "Goals", "Plan"]);
      const list = await c.client.callTool({ name: "list_notes", arguments: {} });
      const paths = list.structuredContent.notes.map((n: { path: string }) => n.path);
      for (const p of paths) assertIncludes(textOf(list), `- ${p} (`);
      assertEquals(list.structuredContent.total, paths.length);
      const hist = await c.client.callTool({ name: "get_history", arguments: { path: "Design/Auth" } });
      assertEquals(hist.structuredContent.revisions[0].revision, read.structuredContent.revision);
      const none = await c.client.callTool({ name: "get_history", arguments: { path: "Never Written" } });
      assertEquals(none.structuredContent.revisions, []);
      const atts = await c.client.callTool({ name: "list_attachments", arguments: { path: "Design/Auth" } });
      assertEquals(
        atts.structuredContent.attachments.map((a: { filename: string; size: number }) => [a.filename, a.size]),
        [
          ["a.txt", 5],
        ],
      );
      const window = await c.client.callTool({
        name: "download_attachment",
        arguments: { path: "Design/Auth", filename: "a.txt", offset: 1, length: 2 },
      });
      assertEquals(window.structuredContent.content_base64, new TextEncoder().encode("el").toBase64());
      assertEquals(window.structuredContent.next_offset, 3);
      const diff = await c.client.callTool({
        name: "get_diff",
        arguments: { path: "Design/Auth", from_revision: first },
      });
      assertIncludes(textOf(diff), diff.structuredContent.diff);
      assertIncludes(diff.structuredContent.diff, "+Tokens.");
      const orphans = await c.client.callTool({ name: "find_orphaned_notes", arguments: {} });
      assertOk(orphans.structuredContent.orphans.includes("Lonely"));
      const fetched = await c.client.callTool({ name: "fetch", arguments: { id: "Design/Auth" } });
      assertEquals(fetched.structuredContent, JSON.parse(textOf(fetched)));
      // A failed result carries no structured content, and the client takes it as a tool error (no throw).
      const missing = await c.client.callTool({ name: "read_note", arguments: { path: "Missing" } });
      assertEquals(missing.isError, true);
      assertEquals(missing.structuredContent, undefined);
      const badCursor = await c.client.callTool({ name: "list_notes", arguments: { cursor: "nope" } });
      assertEquals(badCursor.isError, true);
    } finally {
      await c.close();
      await f.close();
    }
  });
}

Deno.test("structured content of results cut by the budget is valid, within the budget, and names the same cursor", async () => {
  const budget = 2_000;
  const f = await setupMcp("path", {
    limits: { ...DEFAULT_LIMITS, quotaPages: 5000, resultBudgetChars: budget },
  });
  const pages = f.app.deps.wikis.pages(f.alice);
  const links = Array.from({ length: 150 }, (_, i) => `[[Target ${String(i).padStart(3, "0")} ${"x".repeat(20)}]]`);
  await pages.write("Hub", links.join("\n") + "\n", {}, ACTOR);
  for (let i = 0; i < 40; i++) {
    await pages.write(
      `Page ${String(i).padStart(2, "0")}`,
      `---\ntags: [${"t".repeat(30)}]\n---\nbody ${i}\n`,
      {},
      ACTOR,
    );
  }
  await pages.write("Big", "# Big\n\n" + "word ".repeat(3000), {}, ACTOR);
  const c = await rawClient("v1", f.mcpUrl("alice"), f.rw, f.fetch);
  try {
    await c.client.listTools();
    const check = (name: ToolName, r: { structuredContent?: unknown; isError?: boolean; content?: unknown }) => {
      assertOk(r.isError !== true, textOf(r));
      assertOk(OUTPUT[name].safeParse(r.structuredContent).success, `${name} structured content is valid`);
      const size = JSON.stringify(r.structuredContent).length;
      assertOk(size <= budget, `${name} structured content has ${size} characters, budget ${budget}`);
    };
    // list_notes in parts: each part's data holds the first notes its text shows (fewer when their JSON would
    // exceed the budget) and the cursor after its own last one, so that following it lists every page once.
    let cursor: string | undefined;
    const seen: string[] = [];
    let shorter = false;
    for (let i = 0; i < 100; i++) {
      const r = await c.client.callTool({ name: "list_notes", arguments: cursor ? { cursor } : {} });
      check("list_notes", r);
      const sc = r.structuredContent as { notes: { path: string }[]; next_cursor?: string };
      assertOk(sc.notes.length > 0);
      for (const n of sc.notes) assertIncludes(textOf(r), `- ${n.path} (`);
      shorter ||= textOf(r).split("\n").filter((l) => l.startsWith("- ")).length > sc.notes.length;
      seen.push(...sc.notes.map((n) => n.path));
      if (sc.next_cursor === undefined) break;
      cursor = sc.next_cursor;
    }
    assertEquals(seen, (await pages.list()).map((p) => p.path));
    assertOk(shorter, "some part's data holds fewer notes than its text");
    // A long page read whole is cut: the data holds the start of the part the text holds (all of it, or less when
    // its JSON would exceed the budget) and the offset where it stops.
    const big = await c.client.callTool({ name: "read_note", arguments: { path: "Big" } });
    check("read_note", big);
    const sc = big.structuredContent as { content: string; offset: number; next_offset: number };
    assertEquals(sc.offset, 0);
    assertEquals(sc.next_offset, sc.content.length);
    assertIncludes(textOf(big), "\n---\n" + sc.content);
    const rest = await c.client.callTool({ name: "read_note", arguments: { path: "Big", offset: sc.next_offset } });
    check("read_note", rest);
    assertEquals((rest.structuredContent as { offset: number }).offset, sc.next_offset);
    // A download window: the data's base64 fits with the other fields, and says where it stops.
    const bytes = new Uint8Array(10_000).map((_, i) => i % 251);
    await pages.putAttachment("Big", "big.bin", bytes, {}, ACTOR);
    const down = await c.client.callTool({
      name: "download_attachment",
      arguments: { path: "Big", filename: "big.bin" },
    });
    check("download_attachment", down);
    const w = down.structuredContent as { offset: number; length: number; content_base64: string; next_offset: number };
    assertEquals(Uint8Array.fromBase64(w.content_base64), bytes.subarray(0, w.length));
    assertEquals(w.next_offset, w.length);
    // get_links of a page with 150 links: the text comes in parts, the data is cut to the budget and says so.
    const hub = await c.client.callTool({ name: "get_links", arguments: { path: "Hub" } });
    check("get_links", hub);
    const hubData = hub.structuredContent as { links_to: string[]; truncated?: boolean; next_cursor?: string };
    assertEquals(hubData.truncated, true);
    assertOk(hubData.links_to.length > 0 && hubData.links_to.length < 150, `${hubData.links_to.length} links kept`);
    assertOk(hubData.next_cursor !== undefined, "the cursor of the text's next part");
  } finally {
    await c.close();
    await f.close();
  }
});

/**
 * Result budgets and reading in parts (issue 11 item 5): every tool result stays under the configured budget, and a
 * cut result says how to get the rest: read_note by offset/limit and outline, list_notes / search_notes /
 * get_history / get_recent_changes by cursor, download_attachment by byte windows. Through the v2 SDK client.
 */
import { assertEquals, assertIncludes, assertOk } from "../assert.ts";
import { connect, setupMcp, type TestClient } from "./helpers.ts";
import { DEFAULT_LIMITS, loadConfig } from "../../lib/config.ts";

const ACTOR = { id: "local:test", name: "test", client: "cli" };
const DEFAULT_BUDGET = 80_000;

type Fixture = Awaited<ReturnType<typeof setupMcp>>;

async function withClient(
  budget: number | undefined,
  fn: (c: TestClient, f: Fixture) => Promise<void>,
) {
  const limits = { ...DEFAULT_LIMITS, quotaPages: 5000, quotaBytes: 500 * 1024 * 1024 };
  const f = await setupMcp("path", {
    limits: budget === undefined ? limits : { ...limits, resultBudgetChars: budget },
  });
  const c = await connect("v2", f.mcpUrl("alice"), f.rw, f.fetch);
  try {
    await fn(c, f);
  } finally {
    await c.close();
    await f.close();
  }
}

/** Calls a tool and checks the result against the budget. */
async function call(c: TestClient, budget: number, name: string, args: Record<string, unknown> = {}) {
  const r = await c.call(name, args);
  assertOk(r.text.length <= budget, `${name} gave ${r.text.length} characters, budget ${budget}`);
  return r;
}

/** The body of a read_note result: everything after the first "\n\n---\n". */
function body(text: string): string {
  const at = text.indexOf("\n\n---\n");
  assertOk(at >= 0, `no separator in ${text.slice(0, 300)}`);
  return text.slice(at + 6);
}

function moreValue(text: string, arg: string): string | null {
  const m = text.match(new RegExp(`More: [^\\n]*?${arg}=("[^"]*"|\\d+)`));
  if (!m) return null;
  return m[1].startsWith('"') ? JSON.parse(m[1]) : m[1];
}

/** A page of about `bytes` UTF-8 bytes with headings, multi-byte characters and emoji (surrogate pairs). */
function bigPage(bytes: number): string {
  const parts: string[] = ["---\ncategory: big\n---\nIntro text é😀\n"];
  let size = new TextEncoder().encode(parts[0]).length;
  for (let i = 0; size < bytes - 200; i++) {
    const chunk = (i % 10 === 0 ? `\n## Heading ${i}\n\n` : "") + `Line ${i}: naïve café 😀 ${"x".repeat(i % 50)}\n`;
    parts.push(chunk);
    size += new TextEncoder().encode(chunk).length;
  }
  return parts.join("");
}

Deno.test("read_note: a 1 MB page read fully in parts, every part under the budget; outline; offset/limit", async () => {
  await withClient(undefined, async (c, f) => {
    const content = bigPage(999_000);
    await f.app.deps.wikis.pages(f.alice).write("Big", content, {}, ACTOR);

    const first = await call(c, DEFAULT_BUDGET, "read_note", { path: "Big" });
    assertEquals(first.isError, false);
    assertIncludes(first.text, "Path: Big\n");
    assertOk(moreValue(first.text, "offset") !== null, "first part says how to get the rest");

    let text = body(first.text);
    let offset = moreValue(first.text, "offset");
    let calls = 1;
    while (offset !== null && calls < 100) {
      const part = await call(c, DEFAULT_BUDGET, "read_note", { path: "Big", offset: Number(offset) });
      assertEquals(part.isError, false, part.text.slice(0, 300));
      text += body(part.text);
      offset = moreValue(part.text, "offset");
      calls++;
    }
    assertOk(calls > 5 && calls < 100, `${calls} calls`);
    assertEquals(text.length, content.length);
    assertOk(text === content, "the parts concatenate to the page");

    const window = await call(c, DEFAULT_BUDGET, "read_note", { path: "Big", offset: 10, limit: 100 });
    assertEquals(body(window.text), content.slice(10, 110));
    assertIncludes(window.text, "offset=110");
    const past = await c.call("read_note", { path: "Big", offset: content.length + 1 });
    assertEquals(past.isError, true);
    assertIncludes(past.text, "offset");

    const outline = await call(c, DEFAULT_BUDGET, "read_note", { path: "Big", outline: true });
    assertEquals(outline.isError, false);
    const lines = [...outline.text.matchAll(/^- (Heading \d+) \(offset (\d+), (\d+) characters\)$/gm)];
    assertOk(lines.length > 10, outline.text.slice(0, 500));
    for (const [, title, at, size] of lines.slice(0, 50)) {
      const start = Number(at);
      assertOk(content.startsWith(`## ${title}\n`, start), `${title} at ${start}`);
      const next = content.indexOf("\n## Heading", start + 1);
      assertEquals(Number(size), (next < 0 ? content.length : next + 1) - start);
    }
    if (moreValue(outline.text, "offset") !== null) {
      const rest = await call(c, DEFAULT_BUDGET, "read_note", {
        path: "Big",
        outline: true,
        offset: Number(moreValue(outline.text, "offset")),
      });
      assertOk(/^- Heading \d+ \(offset/m.test(rest.text), rest.text.slice(0, 300));
    }
    // A small page reads as before: no part line, no "More".
    const home = await call(c, DEFAULT_BUDGET, "read_note", { path: "Home" });
    assertOk(!home.text.includes("More:"), home.text);
  });
});

Deno.test("list_notes: 500 pages listed by cursor, each exactly once, every result under a small budget", async () => {
  const budget = 6_000;
  await withClient(budget, async (c, f) => {
    const pages = f.app.deps.wikis.pages(f.alice);
    const expected: string[] = (await pages.list()).map((p) => p.path);
    for (let i = 0; i < 500; i++) {
      const path = `Notes/Page ${String(i).padStart(3, "0")}`;
      await pages.write(path, `---\ncategory: bulk\ntags: [t${i % 7}]\n---\nokapi number ${i}\n`, {}, ACTOR);
      expected.push(path);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let calls = 0;
    do {
      const args: Record<string, unknown> = cursor === null ? {} : { cursor };
      const r = await call(c, budget, "list_notes", args);
      assertEquals(r.isError, false, r.text.slice(0, 300));
      assertEquals(r.text.split("\n")[0], `Found ${expected.length} notes:`);
      for (const m of r.text.matchAll(/^- (.+?) \((?:category|no metadata)/gm)) seen.push(m[1]);
      cursor = moreValue(r.text, "cursor");
      calls++;
    } while (cursor !== null && calls < 200);
    assertOk(calls > 5, `${calls} calls`);
    assertEquals(seen.length, expected.length);
    assertEquals([...seen].sort(), [...expected].sort());
    assertEquals(new Set(seen).size, seen.length);

    // Filters travel with the cursor's caller: the same filter on each call.
    const filtered: string[] = [];
    cursor = null;
    calls = 0;
    do {
      const r = await call(c, budget, "list_notes", cursor === null ? { tag: "t3" } : { tag: "t3", cursor });
      for (const m of r.text.matchAll(/^- (.+?) \(category/gm)) filtered.push(m[1]);
      cursor = moreValue(r.text, "cursor");
      calls++;
    } while (cursor !== null && calls < 200);
    assertEquals(filtered.length, Array.from({ length: 500 }, (_, i) => i).filter((i) => i % 7 === 3).length);

    // find_orphaned_notes pages too: the 500 new pages are orphans, each listed once.
    const orphans: string[] = [];
    cursor = null;
    calls = 0;
    do {
      const r = await call(c, budget, "find_orphaned_notes", cursor === null ? {} : { cursor });
      for (const m of r.text.matchAll(/^- (Notes\/.+)$/gm)) orphans.push(m[1]);
      cursor = moreValue(r.text, "cursor");
      calls++;
    } while (cursor !== null && calls < 200);
    assertOk(calls > 1, `${calls} calls`);
    assertEquals(orphans.length, 500);
    assertEquals(new Set(orphans).size, 500);

    const bad = await c.call("list_notes", { cursor: "not-a-cursor" });
    assertEquals(bad.isError, true);
    assertIncludes(bad.text, "cursor");

    // search_notes pages by cursor too: 500 hits for "okapi", each once.
    const hits: string[] = [];
    cursor = null;
    calls = 0;
    do {
      const r = await call(
        c,
        budget,
        "search_notes",
        cursor === null ? { query: "okapi" } : { query: "okapi", cursor },
      );
      assertEquals(r.isError, false, r.text.slice(0, 300));
      assertEquals(r.text.split("\n")[0], '500 results for "okapi":');
      for (const m of r.text.matchAll(/^\d+\. (.+?) \(score: /gm)) hits.push(m[1]);
      cursor = moreValue(r.text, "cursor");
      calls++;
    } while (cursor !== null && calls < 200);
    assertEquals(new Set(hits).size, 500);
    assertEquals(hits.length, 500);
    const otherQuery = await c.call("search_notes", {
      query: "number",
      cursor: moreValueOf(await c.call("search_notes", { query: "okapi" })),
    });
    assertEquals(otherQuery.isError, true);
  });
});

function moreValueOf(r: { text: string }): string {
  const v = moreValue(r.text, "cursor");
  assertOk(v !== null, r.text.slice(-300));
  return v;
}

Deno.test("get_history and get_recent_changes: a long history paged by cursor, newest first, each once", async () => {
  const budget = 8_000;
  await withClient(budget, async (c, f) => {
    const pages = f.app.deps.wikis.pages(f.alice);
    let rev: string | undefined;
    for (let i = 0; i < 260; i++) {
      const w = await pages.write(
        "Log",
        `entry ${i}\n`,
        { revision: rev, message: `step ${i} ${"m".repeat(200)}` },
        ACTOR,
      );
      rev = w.revision;
    }
    const expected = (await pages.history("Log", 1000)).map((e) => e.revision.id.slice(0, 8));
    assertEquals(expected.length, 260);

    const seen: string[] = [];
    let cursor: string | null = null;
    let calls = 0;
    do {
      const r = await call(
        c,
        budget,
        "get_history",
        cursor === null ? { path: "Log", limit: 200 } : {
          path: "Log",
          limit: 200,
          cursor,
        },
      );
      assertEquals(r.isError, false, r.text.slice(0, 300));
      for (const m of r.text.matchAll(/^- ([0-9a-f]{8}) \| /gm)) seen.push(m[1]);
      cursor = moreValue(r.text, "cursor");
      calls++;
    } while (cursor !== null && calls < 100);
    assertOk(calls > 2, `${calls} calls`);
    assertEquals(seen, expected);

    // The default limit (10) pages too.
    const first = await call(c, budget, "get_history", { path: "Log" });
    assertEquals(first.text.split("\n")[0], "History for Log (10 revisions):");
    assertOk(moreValue(first.text, "cursor") !== null);
    const wrongPage = await c.call("get_history", { path: "Home", cursor: moreValue(first.text, "cursor") });
    assertEquals(wrongPage.isError, true);

    const all = (await pages.recentChanges(1000)).map((r) => r.id.slice(0, 8));
    const changes: string[] = [];
    cursor = null;
    calls = 0;
    do {
      const r = await call(c, budget, "get_recent_changes", cursor === null ? { limit: 200 } : { limit: 200, cursor });
      assertEquals(r.isError, false, r.text.slice(0, 300));
      for (const m of r.text.matchAll(/ \| ([0-9a-f]{8})$/gm)) changes.push(m[1]);
      cursor = moreValue(r.text, "cursor");
      calls++;
    } while (cursor !== null && calls < 100);
    assertEquals(changes, all);
  });
});

Deno.test("download_attachment: a large attachment downloaded in byte windows, byte-identical", async () => {
  await withClient(undefined, async (c, f) => {
    const data = new Uint8Array(1_500_000);
    for (let i = 0; i < data.length; i += 65536) crypto.getRandomValues(data.subarray(i, i + 65536));
    await f.app.deps.wikis.pages(f.alice).putAttachment("Home", "big.bin", data, {}, ACTOR);

    const parts: Uint8Array[] = [];
    let offset: string | null = "0";
    let calls = 0;
    let first = true;
    while (offset !== null && calls < 100) {
      const r = await call(
        c,
        DEFAULT_BUDGET,
        "download_attachment",
        first ? { path: "Home", filename: "big.bin" } : { path: "Home", filename: "big.bin", offset: Number(offset) },
      );
      first = false;
      assertEquals(r.isError, false, r.text.slice(0, 300));
      assertOk(r.text.startsWith("Downloaded big.bin (1500000 bytes, "), r.text.slice(0, 200));
      const b64 = r.text.slice(r.text.indexOf("Content (base64):\n") + 18);
      parts.push(Uint8Array.fromBase64(b64));
      offset = moreValue(r.text, "offset");
      calls++;
    }
    assertOk(calls > 10, `${calls} calls`);
    const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      joined.set(p, at);
      at += p.length;
    }
    assertEquals(joined.length, data.length);
    assertOk(joined.every((b, i) => b === data[i]), "byte-identical");

    const window = await call(c, DEFAULT_BUDGET, "download_attachment", {
      path: "Home",
      filename: "big.bin",
      offset: 1000,
      length: 33,
    });
    const w = Uint8Array.fromBase64(window.text.slice(window.text.indexOf("Content (base64):\n") + 18));
    assertEquals([...w], [...data.subarray(1000, 1033)]);
    assertIncludes(window.text, "offset=1033");
    const past = await c.call("download_attachment", { path: "Home", filename: "big.bin", offset: 2_000_000 });
    assertEquals(past.isError, true);
  });
});

Deno.test("every tool result under the budget: a big diff is cut and says so", async () => {
  const budget = 5_000;
  await withClient(budget, async (c, f) => {
    const pages = f.app.deps.wikis.pages(f.alice);
    const a = await pages.write("D", Array.from({ length: 2000 }, (_, i) => `old line ${i}`).join("\n"), {}, ACTOR);
    await pages.write("D", Array.from({ length: 2000 }, (_, i) => `new line ${i}`).join("\n"), {
      revision: a.revision,
    }, ACTOR);
    const d = await call(c, budget, "get_diff", { path: "D", from_revision: a.revision });
    assertEquals(d.isError, false);
    assertIncludes(d.text, "More:");
    const next = moreValue(d.text, "offset");
    assertOk(next !== null, d.text.slice(-400));
    const d2 = await call(c, budget, "get_diff", { path: "D", from_revision: a.revision, offset: Number(next) });
    assertEquals(d2.isError, false);
    for (const name of ["find_orphaned_notes", "get_links", "list_attachments", "read_note"]) {
      await call(c, budget, name, name === "find_orphaned_notes" ? {} : { path: "D" });
    }
  });
});

Deno.test("a page with 900 links: read_note's header is capped, get_links pages by cursor", async () => {
  const budget = 2_500;
  await withClient(budget, async (c, f) => {
    const targets = Array.from({ length: 900 }, (_, i) => `T${String(i).padStart(3, "0")}`);
    await f.app.deps.wikis.pages(f.alice).write("Hub", targets.map((t) => `[[${t}]]`).join("\n"), {}, ACTOR);
    const read = await call(c, budget, "read_note", { path: "Hub" });
    assertEquals(read.isError, false);
    assertIncludes(read.text, "more; get_links lists them all)");
    const seen: string[] = [];
    let cursor: string | null = null;
    let calls = 0;
    do {
      const r = await call(c, budget, "get_links", cursor === null ? { path: "Hub" } : { path: "Hub", cursor });
      assertEquals(r.isError, false, r.text.slice(0, 300));
      for (const m of r.text.matchAll(/^ {2}- (T\d+)$/gm)) seen.push(m[1]);
      cursor = moreValue(r.text, "cursor");
      calls++;
    } while (cursor !== null && calls < 200);
    assertEquals(seen, targets);
    assertOk(calls > 2, `${calls} calls`);
    const other = await c.call("get_links", {
      path: "Home",
      cursor: moreValueOf(await c.call("get_links", { path: "Hub" })),
    });
    assertEquals(other.isError, true);
  });
});

Deno.test("config: MCP_RESULT_BUDGET_CHARS sets the budget (default 80,000); too small is refused", () => {
  const env = (vars: Record<string, string>) => (n: string) =>
    ({ KV_PATH: ":memory:", ...vars } as Record<string, string>)[n];
  assertEquals(loadConfig(env({})).limits.resultBudgetChars, DEFAULT_BUDGET);
  assertEquals(loadConfig(env({ MCP_RESULT_BUDGET_CHARS: "20000" })).limits.resultBudgetChars, 20_000);
  let threw = false;
  try {
    loadConfig(env({ MCP_RESULT_BUDGET_CHARS: "10" }));
  } catch (e) {
    threw = true;
    assertIncludes(String(e), "MCP_RESULT_BUDGET_CHARS");
  }
  assertOk(threw);
});

Deno.test("budget helpers: cuts keep surrogate pairs whole, the guard cuts and says so, listings advance", async () => {
  const { cutEnd, fitListing, guardBudget } = await import("../../lib/mcp/budget.ts");
  const text = "ab😀cd";
  assertEquals(cutEnd(text, 0, 3), 2);
  assertEquals(cutEnd(text, 0, 4), 4);
  assertEquals(cutEnd(text, 2, 1), 3);
  const big = { content: [{ type: "text" as const, text: "x".repeat(10_000) }] };
  const cut = guardBudget(big, 2_000, "Do this.");
  assertOk(cut.content[0].text.length <= 2_000);
  assertIncludes(cut.content[0].text, "[Cut: this result has 10000 characters, over the budget of 2000 per result.");
  assertIncludes(cut.content[0].text, "Do this.]");
  assertEquals(guardBudget({ content: [{ type: "text", text: "small" }] }, 2_000, "x").content[0].text, "small");
  const r = fitListing(() => "head", ["y".repeat(5_000), "z"], 2_000, (n) => `more after ${n}`);
  assertEquals(r.shown, 2); // the long line is cut to its share of the budget, not dropped
  assertIncludes(r.text, "y…\nz\nmore after 2");
  assertOk(r.text.length <= 2_000, `${r.text.length}`);
  const many = fitListing(() => "head", Array.from({ length: 100 }, () => "w".repeat(100)), 2_000, (n) => `next ${n}`);
  assertOk(many.shown > 0 && many.shown < 100 && many.text.length <= 2_000, `${many.shown} ${many.text.length}`);
  assertOk(many.text.endsWith(`next ${many.shown}`));
});

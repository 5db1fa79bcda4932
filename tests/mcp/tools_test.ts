/**
 * Every tool's success and error paths through the v2 SDK client, in-process (path mode), with exact texts where
 * an agent relies on them.
 */
import { assertEquals, assertIncludes, assertOk } from "../assert.ts";
import { connect, setupMcp, type TestClient } from "./helpers.ts";

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

function rev(text: string): string {
  const m = text.match(/revision: ([0-9a-f]{8})/) ?? text.match(/Revision: ([0-9a-f]{32})/);
  assertOk(m, `no revision in ${text}`);
  return m[1];
}

Deno.test("tools/list: every tool with annotations", async () => {
  await withClient(async (c) => {
    const tools = await c.listTools();
    assertEquals(tools.map((t) => t.name).sort(), [
      "delete_attachment",
      "delete_note",
      "download_attachment",
      "edit_note",
      "fetch",
      "find_orphaned_notes",
      "find_related",
      "get_diff",
      "get_history",
      "get_links",
      "get_recent_changes",
      "list_attachments",
      "list_notes",
      "read_note",
      "rename_note",
      "restore_note",
      "search",
      "search_notes",
      "semantic_search",
      "upload_attachment",
      "write_note",
    ]);
    const read = tools.find((t) => t.name === "read_note")!;
    assertEquals(read.annotations?.readOnlyHint, true);
    const del = tools.find((t) => t.name === "delete_note")!;
    assertEquals(del.annotations?.destructiveHint, true);
    assertEquals(del.annotations?.readOnlyHint, false);
  });
});

Deno.test("write_note / read_note / edit_note: success, conflict, not found, records the client", async () => {
  await withClient(async (c, f) => {
    const created = await c.call("write_note", {
      path: "Notes/Plan",
      content: "---\ncategory: plan\ntags: [a, b]\n---\n# Plan\n\nSee [[Home]].\n\n## Goals\n\nShip it.\n",
    });
    assertEquals(created.isError, false);
    assertOk(/^Created Notes\/Plan \(revision: [0-9a-f]{8}\)$/.test(created.text), created.text);
    const r1 = rev(created.text);

    const read = await c.call("read_note", { path: "Notes/Plan" });
    const full = rev(read.text);
    assertOk(full.startsWith(r1));
    assertEquals(
      read.text.split("\n").slice(0, 7).join("\n"),
      `# Plan\nPath: Notes/Plan\nRevision: ${full}\nCategory: plan | Tags: a, b\nLinks to: Home\nLinked from: (none)\n`,
    );
    assertIncludes(read.text, "---\n---\ncategory: plan");

    const section = await c.call("read_note", { path: "Notes/Plan", section: "Goals" });
    assertIncludes(section.text, "Section: Plan > Goals");
    assertIncludes(section.text, "## Goals\n\nShip it.");
    const noSection = await c.call("read_note", { path: "Notes/Plan", section: "Budget" });
    assertEquals(noSection.isError, true);
    assertEquals(noSection.text, "Section not found: 'Budget'. Available sections:\n- Plan\n- Plan > Goals");

    const stale = await c.call("write_note", { path: "Notes/Plan", content: "x", revision: "0000000" });
    assertEquals(stale.isError, true);
    assertIncludes(stale.text, "Conflict: ");
    assertIncludes(stale.text, "Read the page again with read_note to get the current revision, then retry.");
    const noRev = await c.call("write_note", { path: "Notes/Plan", content: "x" });
    assertEquals(noRev.isError, true);
    assertIncludes(noRev.text, "read_note");

    const edited = await c.call("edit_note", {
      path: "Notes/Plan",
      revision: r1,
      old_string: "Ship it.",
      new_string: "Ship it today.",
      commit_message: "sharpen goal",
    });
    assertOk(/^Edited Notes\/Plan \(revision: [0-9a-f]{8}\)$/.test(edited.text), edited.text);
    const ambiguous = await c.call("edit_note", {
      path: "Notes/Plan",
      revision: rev(edited.text),
      old_string: "i",
      new_string: "I",
    });
    assertEquals(ambiguous.isError, true);

    const missing = await c.call("read_note", { path: "No/Such" });
    assertEquals(missing.isError, true);
    assertEquals(
      missing.text,
      "Page not found: No/Such. Use write_note to create it, or list_notes / search_notes to find the right path.",
    );
    const badPath = await c.call("write_note", { path: "../etc", content: "x" });
    assertEquals(badPath.isError, true);
    assertIncludes(badPath.text, "Invalid request: Invalid page path");

    const history = await f.app.deps.wikis.pages(f.alice).history("Notes/Plan");
    assertEquals(history[0].revision.client, "mcp:laptop");
    const laptop = (await f.tokens.list(f.alice.id)).find((t) => t.label === "laptop")!;
    assertEquals(history[0].revision.author, `token:${laptop.id}`);
    assertEquals(history[0].revision.authorName, "laptop");
    assertEquals(history[0].revision.message, "sharpen goal");

    const old = await c.call("read_note", { path: "Notes/Plan", revision: r1 });
    assertIncludes(old.text, "Ship it.\n");
    assertIncludes(old.text, "(Historical state; not the current revision.)");
  });
});

Deno.test("list_notes, search_notes, get_links, find_orphaned_notes", async () => {
  await withClient(async (c) => {
    await c.call("write_note", { path: "Zeta", content: "---\ncategory: Research\ntags: [x]\n---\nplatypus words\n" });
    const list = await c.call("list_notes", { category: "research" });
    assertEquals(list.text.split("\n")[0], "Found 1 notes matching category=research:");
    assertOk(
      /^- Zeta \(category: Research, tags: x, last updated: \d{4}-\d\d-\d\d, 2 words\)$/.test(list.text.split("\n")[1]),
    );
    const all = await c.call("list_notes");
    assertIncludes(all.text, "- Home (");
    const bad = await c.call("list_notes", { updated_since: "yesterday-ish" });
    assertEquals(bad.isError, true);
    assertIncludes(bad.text, "ISO 8601");

    const s = await c.call("search_notes", { query: "platypus" });
    assertEquals(s.text.split("\n")[0], '1 results for "platypus":');
    assertOk(/^1\. Zeta \(score: \d\.\d\d\)$/.test(s.text.split("\n")[1]), s.text);
    const empty = await c.call("search_notes", { query: "  " });
    assertEquals(empty.isError, true);

    const links = await c.call("get_links", { path: "Home" });
    assertIncludes(links.text, "Links for Home:\nLinks to (");
    const orphans = await c.call("find_orphaned_notes");
    assertIncludes(orphans.text, "orphaned notes (no incoming links from any other page):\n");
    assertIncludes(orphans.text, "- Zeta");
  });
});

Deno.test("get_history, get_recent_changes, get_diff, rename, delete, restore", async () => {
  await withClient(async (c) => {
    const a = rev((await c.call("write_note", { path: "A", content: "one\n" })).text);
    await c.call("write_note", { path: "B", content: "links [[A]]\n" });
    const a2 = rev((await c.call("write_note", { path: "A", content: "two\n", revision: a })).text);

    const h = await c.call("get_history", { path: "A" });
    assertEquals(h.text.split("\n")[0], "History for A (2 revisions):");
    assertOk(h.text.split("\n")[1].startsWith(`- ${a2} | `), h.text);
    assertIncludes(h.text, "| laptop (mcp:laptop)");
    const never = await c.call("get_history", { path: "Never_Written" });
    assertEquals(never.isError, false);
    assertEquals(
      never.text,
      "No history for Never Written. No page has ever been written at this path (a renamed page keeps its " +
        "history under its new path). Use list_notes or search_notes to find the right path, get_recent_changes " +
        "to see renames, or write_note to create the page.",
    );

    const recent = await c.call("get_recent_changes", { limit: 2 });
    assertEquals(recent.text.split("\n")[0], "2 recent changes:");

    const d = await c.call("get_diff", { path: "A", from_revision: a });
    assertIncludes(d.text, `Diff of A from ${a} to ${a2} (+1 -1):`);
    assertIncludes(d.text, "-one\n+two");
    const badDiff = await c.call("get_diff", { path: "A", from_revision: "zz" });
    assertEquals(badDiff.isError, true);

    const ren = await c.call("rename_note", { path: "A", new_path: "Archive/A" });
    assertOk(ren.text.startsWith("Renamed A -> Archive/A (revision: "), ren.text);
    assertIncludes(ren.text, "Updated 1 backreferences:\n- B");
    const clash = await c.call("rename_note", { path: "B", new_path: "Home" });
    assertEquals(clash.isError, true);
    assertIncludes(clash.text, "Already exists: ");

    const del = await c.call("delete_note", { path: "B" });
    assertOk(/^Deleted B \(revision: [0-9a-f]{8}\)$/.test(del.text), del.text);
    const gone = await c.call("read_note", { path: "B" });
    assertEquals(gone.isError, true);
    assertIncludes(gone.text, "restore_note");
    const again = await c.call("delete_note", { path: "B" });
    assertEquals(again.isError, true);

    const res = await c.call("restore_note", { path: "B" });
    assertOk(/^Restored B \(revision: [0-9a-f]{8}\)$/.test(res.text), res.text);
    assertIncludes((await c.call("read_note", { path: "B" })).text, "[[Archive/A]]");
  });
});

Deno.test("attachments: upload, list, download, delete, and their errors", async () => {
  await withClient(async (c) => {
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    const b64 = btoa(String.fromCharCode(...bytes));
    const up = await c.call("upload_attachment", { path: "Home", filename: "data.bin", content: b64 });
    assertEquals(up.text, "Uploaded data.bin to Home (5 bytes)");
    const list = await c.call("list_attachments", { path: "Home" });
    assertOk(/^Attachments for Home \(1\):\n- data\.bin \(5 bytes, [^,]+, modified \d{4}-/.test(list.text), list.text);
    const down = await c.call("download_attachment", { path: "Home", filename: "data.bin" });
    assertOk(down.text.startsWith("Downloaded data.bin (5 bytes, "), down.text);
    assertEquals(down.text.split("\n").slice(1).join("\n"), `Content (base64):\n${b64}`);

    const notB64 = await c.call("upload_attachment", { path: "Home", filename: "x.bin", content: "@@@" });
    assertEquals(notB64.isError, true);
    assertIncludes(notB64.text, "not valid base64");
    const noPage = await c.call("upload_attachment", { path: "Nope", filename: "x.bin", content: b64 });
    assertEquals(noPage.isError, true);
    const tooBig = await c.call("upload_attachment", {
      path: "Home",
      filename: "big.bin",
      content: "A".repeat(Math.ceil((10 * 1024 * 1024 + 3) / 3) * 4),
    });
    assertEquals(tooBig.isError, true);
    assertIncludes(tooBig.text, "Too large");

    assertEquals(
      (await c.call("delete_attachment", { path: "Home", filename: "data.bin" })).text,
      "Deleted attachment data.bin",
    );
    const missing = await c.call("download_attachment", { path: "Home", filename: "data.bin" });
    assertEquals(missing.isError, true);
    assertEquals(
      (await c.call("list_attachments", { path: "Home" })).text,
      "Attachments for Home (0):\n(no attachments)",
    );
  });
});

Deno.test("content limit: 1 MB refused with the size in the message", async () => {
  await withClient(async (c) => {
    const r = await c.call("write_note", { path: "Huge", content: "x".repeat(1_000_001) });
    assertEquals(r.isError, true);
    assertEquals(r.text, "Too large: Content too large (1000001 bytes). Maximum size is 1000000 bytes.");
  });
});

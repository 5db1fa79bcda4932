/**
 * Browser editing through the whole app in-process (createApp + app.fetch), signed in with a session cookie, in
 * path and subdomain mode: create, edit, conflict, rename, delete and restore, with the revision's actor checked.
 */
import { assertEquals, assertExcludes, assertIncludes, assertOk } from "../../../assert.ts";
import { editToken, inBothModes, inputValue, PEOPLE, textareaValue } from "./helpers.ts";
import { EMPTY_PATH_MESSAGE } from "../../../../routes/wiki/edit/editor.tsx";

Deno.test("edit - create a page through /-/new: 303 to the page, actor is the session's DID and handle via web", async (t) => {
  await inBothModes(t, async (f) => {
    const form = await f.get("/-/new?path=Meeting_notes");
    assertEquals(form.status, 200);
    const html = await form.text();
    assertEquals(inputValue(html, "path"), "Meeting_notes");
    const csrf = editToken(html)!;
    const res = await f.post("/-/new", {
      csrf,
      path: "Meeting notes/2026",
      content: "# Notes\r\n\r\nSee [[Home]].\r\n",
      message: "First notes",
      action: "save",
    });
    assertEquals(res.status, 303);
    assertEquals(res.headers.get("location"), f.app.deps.urls.page("alice", "Meeting notes/2026"));
    const page = await f.pages.read("Meeting notes/2026");
    assertEquals(page.content, "# Notes\n\nSee [[Home]].\n");
    assertEquals(page.lastRevision.message, "First notes");
    assertEquals(page.lastRevision.author, PEOPLE.alice.did);
    assertEquals(page.lastRevision.authorName, PEOPLE.alice.handle);
    assertEquals(page.lastRevision.client, "web");
    const view = await (await f.get("/Meeting_notes/2026")).text();
    assertIncludes(view, "See <a");
  });
});

Deno.test("edit - /-/new refuses an empty, invalid or taken path readably and keeps the text", async (t) => {
  await inBothModes(t, async (f) => {
    await f.pages.write("Taken", "x\n", {}, { id: "local:t", name: "t", client: "cli" });
    const csrf = await f.token("/-/new");
    const empty = await f.post("/-/new", { csrf, path: "  ", content: "my precious text" });
    assertEquals(empty.status, 422);
    const emptyHtml = await empty.text();
    assertIncludes(emptyHtml, EMPTY_PATH_MESSAGE.replaceAll('"', "&quot;"));
    assertEquals(textareaValue(emptyHtml, "content"), "my precious text");

    const bad = await f.post("/-/new", { csrf, path: "a|b", content: "my precious text" });
    assertEquals(bad.status, 422);
    const badHtml = await bad.text();
    assertIncludes(badHtml, "is not allowed in page paths");
    assertEquals(textareaValue(badHtml, "content"), "my precious text");
    assertEquals(inputValue(badHtml, "path"), "a|b");

    const taken = await f.post("/-/new", { csrf, path: "Taken", content: "my precious text" });
    assertEquals(taken.status, 409);
    const takenHtml = await taken.text();
    assertIncludes(takenHtml, "A page called “Taken” already exists.");
    assertEquals(textareaValue(takenHtml, "content"), "my precious text");
    assertEquals((await f.pages.read("Taken")).content, "x\n");
  });
});

Deno.test("edit - edit a page: the form carries the base revision, saving makes a new revision (editor role)", async (t) => {
  await inBothModes(t, async (f) => {
    const first = await f.pages.write("Home", "\nline one\n", {}, { id: "local:t", name: "t", client: "cli" });
    const form = await f.get("/-/edit/Home", "editor");
    assertEquals(form.status, 200);
    assertEquals(form.headers.get("cache-control"), "no-store");
    const html = await form.text();
    assertEquals(inputValue(html, "revision"), first.revision);
    assertEquals(textareaValue(html, "content"), "\nline one\n", "a leading blank line survives the round trip");
    const res = await f.post("/-/edit/Home", {
      csrf: editToken(html)!,
      revision: first.revision,
      content: "line one\nline two\n",
      message: "",
      action: "save",
    }, "editor");
    assertEquals(res.status, 303);
    assertEquals(res.headers.get("location"), f.app.deps.urls.page("alice", "Home"));
    const page = await f.pages.read("Home");
    assertEquals(page.content, "line one\nline two\n");
    assertEquals(page.lastRevision.message, "Update: Home");
    assertEquals(page.lastRevision.authorName, PEOPLE.editor.handle);
  });
});

Deno.test("edit - preview renders the Markdown without saving and keeps the base revision", async (t) => {
  await inBothModes(t, async (f) => {
    const first = await f.pages.write("Home", "old\n", {}, { id: "local:t", name: "t", client: "cli" });
    const csrf = await f.token("/-/edit/Home");
    const res = await f.post("/-/edit/Home", {
      csrf,
      revision: first.revision,
      content: "**bold** and [[Missing page]]",
      action: "preview",
    });
    assertEquals(res.status, 200);
    const html = await res.text();
    assertIncludes(html, "Preview (not saved yet)");
    assertIncludes(html, "<strong>bold</strong>");
    assertIncludes(html, 'class="wikilink missing"');
    assertEquals(inputValue(html, "revision"), first.revision);
    assertEquals(textareaValue(html, "content"), "**bold** and [[Missing page]]");
    assertEquals((await f.pages.read("Home")).content, "old\n");
  });
});

Deno.test("edit - conflict: 409 with the person's text preserved, the current text and a diff; saving again wins", async (t) => {
  await inBothModes(t, async (f) => {
    const other = { id: "did:plc:other", name: "other.test", client: "mcp:claude" };
    const base = await f.pages.write("Plan", "alpha\nbeta\ngamma\n", {}, other);
    const csrf = await f.token("/-/edit/Plan");
    const theirs = await f.pages.write("Plan", "alpha\nBETA from agent\ngamma\n", { revision: base.revision }, other);
    const mine = "alpha\nbeta <edited by me> & kept\ngamma\ndelta\n";
    const res = await f.post("/-/edit/Plan", { csrf, revision: base.revision, content: mine, action: "save" });
    assertEquals(res.status, 409);
    const html = await res.text();
    assertIncludes(html, "Someone else changed this page while you were editing it.");
    assertIncludes(html, `saved by other.test`);
    assertEquals(textareaValue(html, "content"), mine, "the person's text is in the editor, unchanged");
    assertEquals(inputValue(html, "revision"), theirs.revision, "the form now carries the current revision");
    assertIncludes(html, 'aria-label="Current version"');
    assertIncludes(html, "BETA from agent");
    assertIncludes(html, '<tr class="diff-del">');
    assertIncludes(html, '<tr class="diff-add">');
    assertIncludes(html, "beta &lt;edited by me> &amp; kept");
    assertEquals((await f.pages.read("Plan")).content, "alpha\nBETA from agent\ngamma\n", "nothing overwritten");

    const again = await f.post("/-/edit/Plan", {
      csrf: editToken(html)!,
      revision: inputValue(html, "revision")!,
      content: textareaValue(html, "content")!,
      action: "save",
    });
    assertEquals(again.status, 303);
    assertEquals((await f.pages.read("Plan")).content, mine);
  });
});

Deno.test("edit - conflict with a page deleted meanwhile: text kept, saving creates it again", async (t) => {
  await inBothModes(t, async (f) => {
    const actor = { id: "local:t", name: "t", client: "cli" };
    const base = await f.pages.write("Gone", "v1\n", {}, actor);
    const csrf = await f.token("/-/edit/Gone");
    await f.pages.delete("Gone", {}, actor);
    const res = await f.post("/-/edit/Gone", { csrf, revision: base.revision, content: "mine\n", action: "save" });
    assertEquals(res.status, 409);
    const html = await res.text();
    assertIncludes(html, "This page was deleted while you were editing it.");
    assertEquals(textareaValue(html, "content"), "mine\n");
    assertEquals(inputValue(html, "revision"), "");
    const again = await f.post("/-/edit/Gone", { csrf, revision: "", content: "mine\n", action: "save" });
    assertEquals(again.status, 303);
    assertEquals((await f.pages.read("Gone")).content, "mine\n");
  });
});

Deno.test("edit - too large content and quota are refused readably with the text kept", async (t) => {
  await inBothModes(t, async (f) => {
    const csrf = await f.token("/-/new");
    const big = "x".repeat(2_000);
    const res = await f.post("/-/new", { csrf, path: "Big", content: big });
    assertEquals(res.status, 413);
    const html = await res.text();
    assertIncludes(html, "Content too large (2000 bytes). Maximum size is 1000 bytes.");
    assertEquals(textareaValue(html, "content"), big);
    await f.pages.write("One", "1", {}, { id: "local:t", name: "t", client: "cli" });
    await f.pages.write("Two", "2", {}, { id: "local:t", name: "t", client: "cli" });
    const quota = await f.post("/-/new", { csrf, path: "Three", content: "third page" });
    assertEquals(quota.status, 413);
    const quotaHtml = await quota.text();
    assertIncludes(quotaHtml, "Page limit reached (2 pages).");
    assertEquals(textareaValue(quotaHtml, "content"), "third page");
  }, { maxPageBytes: 1000, quotaPages: 2 });
});

Deno.test("edit - rename moves the page and rewrites links to it; a taken target is refused readably", async (t) => {
  await inBothModes(t, async (f) => {
    const actor = { id: "local:t", name: "t", client: "cli" };
    await f.pages.write("Old name", "content\n", {}, actor);
    await f.pages.write("Linker", "See [[Old name|the page]].\n", {}, actor);
    await f.pages.write("Taken", "t\n", {}, actor);
    const form = await f.get("/-/rename/Old_name");
    assertEquals(form.status, 200);
    const html = await form.text();
    assertIncludes(html, "Links to it in 1 other page are updated to the new path.");
    const csrf = editToken(html)!;

    const taken = await f.post("/-/rename/Old_name", { csrf, to: "Taken" });
    assertEquals(taken.status, 409);
    const takenHtml = await taken.text();
    assertIncludes(takenHtml, "A page already exists at &quot;Taken&quot;.");
    assertEquals(inputValue(takenHtml, "to"), "Taken");

    const res = await f.post("/-/rename/Old_name", { csrf, to: "Archive/New name" });
    assertEquals(res.status, 303);
    assertEquals(res.headers.get("location"), f.app.deps.urls.page("alice", "Archive/New name"));
    assertEquals((await f.pages.read("Archive/New name")).content, "content\n");
    assertEquals(await f.pages.meta("Old name"), null);
    assertEquals((await f.pages.read("Linker")).content, "See [[Archive/New name|the page]].\n");
    assertEquals((await f.pages.read("Archive/New name")).lastRevision.client, "web");
  });
});

Deno.test("edit - delete (locked to the shown revision), then restore from the deleted notice and from history", async (t) => {
  await inBothModes(t, async (f) => {
    const actor = { id: "local:t", name: "t", client: "cli" };
    const v1 = await f.pages.write("Doomed", "version one\n", {}, actor);
    const confirm = await f.get("/-/delete/Doomed");
    assertEquals(confirm.status, 200);
    const html = await confirm.text();
    assertEquals(inputValue(html, "revision"), v1.revision);
    const csrf = editToken(html)!;

    const v2 = await f.pages.write("Doomed", "version two\n", { revision: v1.revision }, actor);
    const stale = await f.post("/-/delete/Doomed", { csrf, revision: v1.revision });
    assertEquals(stale.status, 409);
    const staleHtml = await stale.text();
    assertIncludes(staleHtml, "The page changed since you opened this confirmation, so it was not deleted.");
    assertEquals(inputValue(staleHtml, "revision"), v2.revision);
    assertEquals((await f.pages.read("Doomed")).content, "version two\n");

    const del = await f.post("/-/delete/Doomed", { csrf, revision: v2.revision, message: "Not needed" });
    assertEquals(del.status, 303);
    assertEquals(await f.pages.meta("Doomed"), null);
    const gone = await f.get("/Doomed");
    assertEquals(gone.status, 404);
    const goneHtml = await gone.text();
    assertIncludes(goneHtml, "Restore this page");

    const restore = await f.post("/-/restore/Doomed", { csrf: editToken(goneHtml)! });
    assertEquals(restore.status, 303);
    assertEquals((await f.pages.read("Doomed")).content, "version two\n");

    const history = await (await f.get("/-/history/Doomed")).text();
    const link = `/-/restore/Doomed?rev=${v1.revision}`;
    assertIncludes(history, link);
    assertExcludes(await (await f.get("/-/history/Doomed", "viewer")).text(), "/-/restore/");
    const old = await (await f.get(`/Doomed?rev=${v1.revision}`)).text();
    assertIncludes(old, "Restore this version");
    assertEquals(inputValue(old.slice(old.indexOf('class="inline-form"')), "revision"), v1.revision);
    assertExcludes(await (await f.get(`/Doomed?rev=${v1.revision}`, "viewer")).text(), "Restore this version");
    const restoreForm = await f.get(link);
    assertEquals(restoreForm.status, 200);
    const rf = await restoreForm.text();
    assertIncludes(rf, "Restoring writes the text of revision");
    const back = await f.post("/-/restore/Doomed", { csrf: editToken(rf)!, revision: v1.revision });
    assertEquals(back.status, 303);
    const page = await f.pages.read("Doomed");
    assertEquals(page.content, "version one\n");
    assertEquals(page.lastRevision.action, "restore");
    assertEquals(page.lastRevision.author, PEOPLE.alice.did);
  });
});

Deno.test("edit - page view shows Edit/History/Rename/Attach/Delete only to people who may write", async (t) => {
  await inBothModes(t, async (f) => {
    await f.pages.write("Home", "hello\n", {}, { id: "local:t", name: "t", client: "cli" });
    const urls = f.app.deps.urls;
    for (const who of ["alice", "editor"] as const) {
      const html = await (await f.get("/", who)).text();
      assertIncludes(html, `href="${urls.system("alice", "edit", "Home")}"`);
      assertIncludes(html, `href="${urls.system("alice", "rename", "Home")}"`);
      assertIncludes(html, `href="${urls.system("alice", "delete", "Home")}"`);
      assertIncludes(html, `href="${urls.system("alice", "attach", "Home")}"`);
    }
    for (const who of ["viewer", "stranger", "anon"] as const) {
      const html = await (await f.get("/", who)).text();
      assertExcludes(html, urls.system("alice", "edit", "Home"));
      assertExcludes(html, urls.system("alice", "delete", "Home"));
    }
    const anon = await (await f.get("/", "anon")).text();
    assertIncludes(anon, "Sign in to edit");
    const missing = await (await f.get("/No_such_page")).text();
    assertIncludes(missing, `href="${urls.system("alice", "edit", "No such page")}"`);
    assertOk(!(await (await f.get("/No_such_page", "viewer")).text()).includes("Create this page"));
  });
});

/**
 * Who may write in the browser, and the CSRF check: viewers and non-members get a readable 403, signed-out visitors
 * a "sign in to edit" page linking to `/-/auth/login?return_to=`, and a POST without the right token is refused
 * with nothing changed (and the person's text shown back). Both addressing modes.
 */
import { assertEquals, assertExcludes, assertIncludes } from "../../../assert.ts";
import { editToken, inBothModes, textareaValue } from "./helpers.ts";

const ACTOR = { id: "local:t", name: "t", client: "cli" };

/** Every editing form (GET) of page `Home`. */
const FORMS = ["/-/new", "/-/edit/Home", "/-/rename/Home", "/-/delete/Home", "/-/attach/Home"];

Deno.test("edit access - a viewer is refused with a readable 403 on every form and every POST", async (t) => {
  await inBothModes(t, async (f) => {
    const home = await f.pages.write("Home", "hello\n", {}, ACTOR);
    for (const path of FORMS) {
      const res = await f.get(path, "viewer");
      assertEquals(res.status, 403, path);
      const html = await res.text();
      assertIncludes(html, "You cannot edit this wiki");
      assertIncludes(html, "You are signed in as @vi.test, who can read this wiki but not change it (role: viewer).");
    }
    // The viewer borrows a valid token of their own session: the role check refuses regardless.
    const res = await f.post("/-/edit/Home", {
      csrf: "x",
      revision: home.revision,
      content: "viewer text",
    }, "viewer");
    assertEquals(res.status, 403);
    assertEquals(textareaValue(await res.text(), "content"), null, "no editable form for a viewer");
    assertEquals((await f.pages.read("Home")).content, "hello\n");
    for (const path of ["/-/delete/Home", "/-/rename/Home", "/-/restore/Home", "/-/detach/Home"]) {
      assertEquals((await f.post(path, { csrf: "x", to: "Other", filename: "a.txt" }, "viewer")).status, 403, path);
    }
    assertEquals((await f.pages.read("Home")).revision, home.revision);
  });
});

Deno.test("edit access - a signed-in non-member of a public wiki is refused (403) and told whom to ask", async (t) => {
  await inBothModes(t, async (f) => {
    await f.pages.write("Home", "hello\n", {}, ACTOR);
    const res = await f.get("/-/edit/Home", "stranger");
    assertEquals(res.status, 403);
    assertIncludes(await res.text(), "who is not a member of this wiki, so you cannot change it.");
    assertEquals((await f.post("/-/new", { path: "X", content: "y" }, "stranger")).status, 403);
    assertEquals(await f.pages.meta("X"), null);
  });
});

Deno.test("edit access - signed out: 'sign in to edit' page linking to /-/auth/login?return_to=, text kept", async (t) => {
  await inBothModes(t, async (f) => {
    const home = await f.pages.write("Home", "hello\n", {}, ACTOR);
    const urls = f.app.deps.urls;
    const res = await f.get("/-/edit/Home", "anon");
    assertEquals(res.status, 403);
    const html = await res.text();
    assertIncludes(html, "Sign in to edit");
    const back = urls.system("alice", "edit", "Home");
    const login = urls.wiki("alice", `/-/auth/login?${new URLSearchParams({ return_to: back })}`);
    assertIncludes(html, `href="${login.replaceAll("&", "&amp;")}"`);

    const post = await f.post("/-/edit/Home", { revision: home.revision, content: "typed while signed out" }, "anon");
    assertEquals(post.status, 403);
    const postHtml = await post.text();
    assertIncludes(postHtml, "You need to sign in to change pages in this wiki. Nothing was changed.");
    assertEquals(textareaValue(postHtml, "Your text") ?? extractPreserved(postHtml), "typed while signed out");
    assertEquals((await f.pages.read("Home")).content, "hello\n");
  });
});

Deno.test("edit access - CSRF: missing, wrong, or another session's token is refused (403), nothing saved", async (t) => {
  await inBothModes(t, async (f) => {
    const home = await f.pages.write("Home", "hello\n", {}, ACTOR);
    const editorsToken = await f.token("/-/edit/Home", "editor");
    const cases: [string, Record<string, string>][] = [
      ["missing", {}],
      ["wrong", { csrf: "0".repeat(64) }],
      ["another session's", { csrf: editorsToken }],
    ];
    for (const [label, extra] of cases) {
      const res = await f.post("/-/edit/Home", { ...extra, revision: home.revision, content: "sneaky <text>" });
      assertEquals(res.status, 403, label);
      const html = await res.text();
      assertIncludes(html, "This form was not accepted");
      assertIncludes(html, "Nothing was saved.");
      assertEquals(extractPreserved(html), "sneaky <text>", `${label}: the text is shown back`);
    }
    assertEquals((await f.pages.read("Home")).content, "hello\n");
    const ownToken = await f.token("/-/edit/Home");
    for (const path of ["/-/delete/Home", "/-/rename/Home", "/-/new"]) {
      const res = await f.post(path, { to: "Elsewhere", path: "Fresh", content: "x" });
      assertEquals(res.status, 403, path);
      assertIncludes(await res.text(), "This form was not accepted");
    }
    assertEquals((await f.pages.read("Home")).revision, home.revision);
    assertEquals(await f.pages.meta("Fresh"), null);
    assertExcludes(ownToken, editorsToken);
  });
});

Deno.test("edit access - a token of another wiki on the same session is refused", async (t) => {
  await inBothModes(t, async (f) => {
    if (f.mode === "subdomain") return; // sessions are per origin there: another wiki has another session anyway
    const { wikis } = f.app.deps;
    const other = await wikis.create(
      { slug: "other", ownerDid: "did:plc:alice0000000000000000000", visibility: "public", seed: false },
      ACTOR,
    );
    await wikis.pages(other).write("Home", "other\n", {}, ACTOR);
    const res = await f.app.fetch(
      new Request(f.app.deps.urls.system("other", "edit", "Home"), {
        headers: { cookie: `rw_session=${f.cookies.alice}` },
      }),
    );
    const otherToken = editToken(await res.text())!;
    const home = await f.pages.write("Home", "hello\n", {}, ACTOR);
    const post = await f.post("/-/edit/Home", { csrf: otherToken, revision: home.revision, content: "x" });
    assertEquals(post.status, 403);
    assertEquals((await f.pages.read("Home")).content, "hello\n");
  });
});

/** The text of the read-only "your text" box of a refusal page. */
function extractPreserved(html: string): string | null {
  const m = html.match(/<textarea[^>]*aria-label="Your text"[^>]*>([\s\S]*?)<\/textarea>/);
  return m ? m[1].replace(/^\n/, "").replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&") : null;
}

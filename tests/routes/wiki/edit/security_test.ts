/**
 * Security review: authorization follows the CURRENT membership on every request. A collaborator removed (or
 * demoted) while their browser session and a valid CSRF token live on cannot write any more; a deleted wiki answers
 * 404 to its old sessions. Both addressing modes.
 */
import { assertEquals, assertOk } from "../../../assert.ts";
import { inBothModes, PEOPLE } from "./helpers.ts";

const ACTOR = { id: "local:t", name: "t", client: "cli" };

Deno.test("edit security - a removed or demoted editor's live session and valid token cannot write", async (t) => {
  await inBothModes(t, async (f) => {
    const home = await f.pages.write("Home", "hello\n", {}, ACTOR);
    const token = await f.token("/-/edit/Home", "editor");
    await f.app.deps.wikis.setMember(f.wiki.id, PEOPLE.editor.did, "viewer", PEOPLE.alice.did);
    const demoted = await f.post("/-/edit/Home", { csrf: token, revision: home.revision, content: "x" }, "editor");
    assertEquals(demoted.status, 403);
    await demoted.body?.cancel();
    await f.app.deps.wikis.removeMember(f.wiki.id, PEOPLE.editor.did);
    const removed = await f.post("/-/edit/Home", { csrf: token, revision: home.revision, content: "x" }, "editor");
    assertEquals(removed.status, 403);
    await removed.body?.cancel();
    assertEquals((await f.pages.read("Home")).content, "hello\n");
  });
});

Deno.test("edit security - a deleted wiki answers 404 to its owner's old session and token, nothing written", async (t) => {
  await inBothModes(t, async (f) => {
    const home = await f.pages.write("Home", "hello\n", {}, ACTOR);
    const token = await f.token("/-/edit/Home");
    await f.app.deps.wikis.delete(f.wiki.id);
    const res = await f.post("/-/edit/Home", { csrf: token, revision: home.revision, content: "x" });
    assertEquals(res.status, 404);
    await res.body?.cancel();
    const page = await f.get("/Home");
    assertEquals(page.status, 404);
    await page.body?.cancel();
  });
});

/** Runs `fn` and returns how long it took, in ms. */
async function timed(fn: () => Promise<Response>): Promise<{ res: Response; ms: number }> {
  const t0 = performance.now();
  const res = await fn();
  await res.body?.cancel();
  return { res, ms: performance.now() - t0 };
}

Deno.test("edit security - very long attachment names are refused quickly, signed out or not (no CPU burn)", async (t) => {
  await inBothModes(t, async (f) => {
    await f.pages.write("Home", "hello\n", {}, ACTOR);
    const long = "x".repeat(60_000);
    // Anyone may ask a public wiki for an attachment: a 60 KB name used to cost about 25 s of CPU.
    const get = await timed(() => f.get(`/-/attachment/Home/${long}`, "anon"));
    assertEquals(get.res.status, 414);
    assertOk(get.ms < 1500, `GET took ${Math.round(get.ms)} ms`);
    const token = await f.token("/-/attach/Home");
    const detach = await timed(() => f.post("/-/detach/Home", { csrf: token, filename: long }));
    assertEquals(detach.res.status, 404);
    assertOk(detach.ms < 1500, `detach took ${Math.round(detach.ms)} ms`);
    const form = new FormData();
    form.set("csrf", token);
    // (16 000 characters: the most a multipart header carries here; it used to cost about 1.6 s.)
    form.set("file", new File(["hi"], `${"y".repeat(16_000)}.txt`));
    const upload = await timed(() => f.postMultipart("/-/attach/Home", form));
    assertEquals(upload.res.status, 303);
    assertOk(upload.ms < 1000, `upload took ${Math.round(upload.ms)} ms`);
    const [stored] = await f.pages.listAttachments("Home");
    assertOk(stored.filename.endsWith("yyy.txt") && stored.filename.length <= 255, stored.filename);
  });
});

/**
 * Export and import on the settings page (routes/app/archive.tsx): every member may download the wiki as a zip
 * (non-members get 404); only admins see and use the upload; the upload streams past MAX_BODY_BYTES (two 8 MiB
 * attachments) and needs the CSRF token (in the form's action URL), as does the Import button; the plan page lists
 * what would be created before anything is written; a hostile archive is refused naming its entry, writing nothing.
 */
import { assertEquals, assertExcludes, assertIncludes, assertOk } from "../../assert.ts";
import { csrfFrom, ORIGIN, setup } from "../../app/helpers.ts";
import { makeZip, unzip } from "../../archive/helpers.ts";
import { rawZip, textEntry } from "../../archive/raw_zip.ts";
import type { Browser } from "../../app/helpers.ts";
import type { App } from "../../../main.ts";
import { K } from "../../../lib/wiki/keys.ts";

/** Posts `zip` to the import upload as a browser's multipart form would. */
async function upload(app: App, who: Browser, slug: string, zip: Uint8Array, csrf: string | null): Promise<Response> {
  const form = new FormData();
  form.set("archive", new File([zip as Uint8Array<ArrayBuffer>], "vault.zip", { type: "application/zip" }));
  const query = csrf === null ? "" : `?csrf=${encodeURIComponent(csrf)}`;
  return await app.fetch(
    new Request(`${ORIGIN}/app/wikis/${slug}/import${query}`, {
      method: "POST",
      headers: { cookie: `rw_session=${who.sessionId}` },
      body: form,
    }),
  );
}

function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
  return out;
}

Deno.test("export: members download the zip, non-members get 404; only admins see the upload", async () => {
  const f = await setup();
  try {
    const alice = await f.signIn("alice.test");
    const bob = await f.signIn("bob.test");
    const carol = await f.signIn("carol.test");
    const wiki = await f.wikiOf("alice.test", "alice");
    await f.app.deps.wikis.setMember(wiki.id, bob.did, "viewer", alice.did);
    const res = await bob.get("/app/wikis/alice/export");
    assertEquals(res.status, 200);
    assertEquals(res.headers.get("content-type"), "application/zip");
    assertIncludes(res.headers.get("content-disposition") ?? "", "attachment");
    const files = await unzip(new Uint8Array(await res.arrayBuffer()));
    assertOk(files.has("Home.md") && files.has(".robot-wtf/history/00001.jsonl"), [...files.keys()].join(", "));
    assertEquals((await carol.get("/app/wikis/alice/export")).status, 404);

    const viewerPage = await bob.page("/app/wikis/alice");
    assertIncludes(viewerPage, 'href="/app/wikis/alice/export"');
    assertExcludes(viewerPage, 'enctype="multipart/form-data"');
    assertIncludes(await alice.page("/app/wikis/alice"), 'enctype="multipart/form-data"');
    const bobsCsrf = csrfFrom(await bob.page("/app/account"));
    const refused = await upload(f.app, bob, "alice", await makeZip({ "X.md": "x" }), bobsCsrf);
    assertEquals(refused.status, 403, "a viewer cannot import");
  } finally {
    f.close();
  }
});

Deno.test("import: the upload streams past MAX_BODY_BYTES, needs CSRF, shows the plan, imports on confirm", async () => {
  const f = await setup();
  try {
    const alice = await f.signIn("alice.test");
    const wiki = await f.wikiOf("alice.test", "alice");
    const big = 8 * 1024 * 1024;
    const zip = await makeZip({
      ".obsidian/app.json": "{}",
      "Trip.md": "# Trip\n![[one.bin]] ![[two.bin]] see [[Ideas|my ideas]]\n",
      "Sub/Ideas.md": "ideas",
      "one.bin": randomBytes(big),
      "two.bin": randomBytes(big),
    });
    assertOk(zip.length > f.app.deps.config.limits.maxBodyBytes, "the upload is over the request-body limit");

    assertEquals((await upload(f.app, alice, "alice", zip, null)).status, 403, "no CSRF token, no upload");
    assertEquals(await countUploads(f.kv, wiki.id), 0);
    const csrf = csrfFrom(await alice.page("/app/wikis/alice"));
    const staged = await upload(f.app, alice, "alice", zip, csrf);
    assertEquals(staged.status, 303, await staged.text());
    const planPath = new URL(staged.headers.get("location")!, ORIGIN).pathname;
    const plan = await alice.page(planPath);
    assertIncludes(plan, "obsidian");
    assertIncludes(plan, "Sub/Ideas");
    assertIncludes(plan, "Trip/one.bin");
    assertEquals(await f.app.deps.wikis.pages(wiki).meta("Trip"), null, "reviewing writes nothing");

    assertEquals((await alice.post(planPath, { do: "import" }, { csrf: "forged" })).status, 403);
    const done = await alice.post(planPath, { do: "import" }, { from: planPath });
    const html = await done.text();
    assertEquals(done.status, 200, html);
    assertIncludes(html, "2 pages and 2 attachments imported");
    const pages = f.app.deps.wikis.pages(wiki);
    assertIncludes((await pages.read("Trip")).content, "[[Sub/Ideas|my ideas]]");
    assertEquals((await pages.getAttachment("Trip", "two.bin")).data.length, big);
    assertEquals(await countUploads(f.kv, wiki.id), 0, "the staged upload is gone");
    assertEquals((await alice.get(planPath)).status, 404, "an imported upload cannot be imported twice");
  } finally {
    f.close();
  }
});

Deno.test("import: a hostile archive is refused on the plan page, naming the entry, and nothing is written", async () => {
  const f = await setup();
  try {
    const alice = await f.signIn("alice.test");
    const wiki = await f.wikiOf("alice.test", "alice");
    const before = await f.kv.get(K.wikiState(wiki.id));
    const csrf = csrfFrom(await alice.page("/app/wikis/alice"));
    const zip = rawZip([textEntry("Fine.md", "ok"), textEntry("../../escape.md", "x")]);
    const staged = await upload(f.app, alice, "alice", zip, csrf);
    assertEquals(staged.status, 303);
    const res = await alice.get(new URL(staged.headers.get("location")!, ORIGIN).pathname);
    assertEquals(res.status, 422);
    const html = await res.text();
    assertIncludes(html, "../../escape.md");
    assertIncludes(html, "Nothing was imported.");
    assertEquals((await f.kv.get(K.wikiState(wiki.id))).versionstamp, before.versionstamp);
    assertEquals(await countUploads(f.kv, wiki.id), 0);

    const notZip = await upload(f.app, alice, "alice", new TextEncoder().encode("no zip"), csrf);
    assertEquals(notZip.status, 303);
    const page = await alice.get(new URL(notZip.headers.get("location")!, ORIGIN).pathname);
    assertEquals(page.status, 422);
    assertIncludes(await page.text(), "not a zip archive");
  } finally {
    f.close();
  }
});

async function countUploads(kv: Deno.Kv, wikiId: string): Promise<number> {
  let n = 0;
  for await (const _ of kv.list({ prefix: ["import_upload", wikiId] })) n++;
  return n;
}

/**
 * Attachments in the browser: multipart upload, list, download, remove; a missing file and an oversized file are
 * refused readably (nothing stored). Both addressing modes.
 */
import { assertEquals, assertIncludes } from "../../../assert.ts";
import { editToken, inBothModes, inputValue } from "./helpers.ts";
import { NO_FILE_MESSAGE } from "../../../../routes/wiki/edit/attach.tsx";

const ACTOR = { id: "local:t", name: "t", client: "cli" };
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);

Deno.test("edit attach - upload (multipart), list, download, remove", async (t) => {
  await inBothModes(t, async (f) => {
    await f.pages.write("Home", "hello\n", {}, ACTOR);
    const urls = f.app.deps.urls;
    const page = await f.get("/-/attach/Home");
    assertEquals(page.status, 200);
    const html = await page.text();
    assertIncludes(html, "This page has no attachments yet.");
    assertIncludes(html, 'enctype="multipart/form-data"');
    const csrf = editToken(html)!;

    const form = new FormData();
    form.set("csrf", csrf);
    form.set("file", new File([PNG], "diagram.png", { type: "image/png" }));
    form.set("filename", "");
    const up = await f.postMultipart("/-/attach/Home", form);
    assertEquals(up.status, 303);
    assertEquals(up.headers.get("location"), urls.system("alice", "attach", "Home", "uploaded=diagram.png"));
    const [info] = await f.pages.listAttachments("Home");
    assertEquals([info.filename, info.size, info.mime], ["diagram.png", PNG.length, "image/png"]);
    const [attachRev] = await f.pages.recentChanges(1);
    assertEquals(
      [attachRev.action, attachRev.client, attachRev.authorName, attachRev.message],
      ["attach", "web", "alice.test", "Attach: Home/diagram.png"],
    );

    const listed = await (await f.get("/-/attach/Home?uploaded=diagram.png")).text();
    assertIncludes(listed, "Uploaded “diagram.png”.");
    assertIncludes(listed, `href="${urls.attachment("alice", "Home", "diagram.png")}"`);
    const dl = await f.get("/-/attachment/Home/diagram.png");
    assertEquals(new Uint8Array(await dl.arrayBuffer()), PNG);

    const renamed = new FormData();
    renamed.set("csrf", csrf);
    renamed.set("file", new File(["plain text"], "notes.txt", { type: "text/plain" }));
    renamed.set("filename", "Meeting notes.txt");
    assertEquals((await f.postMultipart("/-/attach/Home", renamed)).status, 303);
    assertEquals((await f.pages.listAttachments("Home")).map((a) => a.filename), ["Meeting notes.txt", "diagram.png"]);

    const confirm = await f.get("/-/detach/Home?filename=diagram.png");
    assertEquals(confirm.status, 200);
    const confirmHtml = await confirm.text();
    assertIncludes(confirmHtml, "Removed files are\n          not kept in the page's history".replace(/\n\s+/, " "));
    assertEquals(inputValue(confirmHtml, "filename"), "diagram.png");
    assertEquals((await f.pages.listAttachments("Home")).length, 2, "the confirmation page removes nothing");
    const rm = await f.post("/-/detach/Home", { csrf: editToken(confirmHtml)!, filename: "diagram.png" });
    assertEquals(rm.status, 303);
    assertEquals(rm.headers.get("location"), urls.system("alice", "attach", "Home", "removed=diagram.png"));
    assertEquals((await f.pages.listAttachments("Home")).map((a) => a.filename), ["Meeting notes.txt"]);
    assertIncludes(await (await f.get("/-/attach/Home?removed=diagram.png")).text(), "Removed “diagram.png”.");
    assertEquals((await f.pages.recentChanges(1))[0].action, "detach");

    const again = await f.post("/-/detach/Home", { csrf, filename: "diagram.png" });
    assertEquals(again.status, 404);
    assertIncludes(await again.text(), "Page &quot;Home&quot; has no attachment &quot;diagram.png&quot;.");
    assertEquals((await f.get("/-/detach/Home?filename=diagram.png")).status, 404);
  });
});

Deno.test("edit attach - an oversized file and a missing file are refused readably; nothing is stored", async (t) => {
  await inBothModes(t, async (f) => {
    await f.pages.write("Home", "hello\n", {}, ACTOR);
    const csrf = await f.token("/-/attach/Home");
    const big = new FormData();
    big.set("csrf", csrf);
    big.set("file", new File([new Uint8Array(5000)], "big.bin", { type: "application/octet-stream" }));
    big.set("filename", "kept name.bin");
    const res = await f.postMultipart("/-/attach/Home", big);
    assertEquals(res.status, 413);
    const html = await res.text();
    assertIncludes(html, "“big.bin” is 4.9 KB; files can be at most 2.0 KB. Nothing was uploaded.");
    assertIncludes(html, "Up to 2.0 KB per file.");
    assertEquals(inputValue(html, "filename"), "kept name.bin");
    assertEquals(await f.pages.listAttachments("Home"), []);

    const none = new FormData();
    none.set("csrf", csrf);
    none.set("file", new File([], "", { type: "application/octet-stream" }));
    const empty = await f.postMultipart("/-/attach/Home", none);
    assertEquals(empty.status, 422);
    assertIncludes(await empty.text(), NO_FILE_MESSAGE);

    const noCsrf = new FormData();
    noCsrf.set("file", new File([PNG], "a.png", { type: "image/png" }));
    assertEquals((await f.postMultipart("/-/attach/Home", noCsrf)).status, 403);
    assertEquals((await f.postMultipart("/-/attach/Home", noCsrf, "viewer")).status, 403);
    assertEquals(await f.pages.listAttachments("Home"), []);
  }, { maxAttachmentBytes: 2048 });
});

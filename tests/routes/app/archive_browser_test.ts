/**
 * Export and import in a real browser: headless Chromium (playwright-core) on the real app (path mode, loopback).
 * The settings page's download link saves the wiki as a zip (streamed); the upload form (a file input, its CSRF token
 * in the action URL) leads to the plan page, whose Import button writes the vault's pages and attachments.
 *
 * Needs /usr/bin/chromium; skipped with a warning without it, except under CI=true, where it fails.
 */
import { assertEquals, assertIncludes, assertOk } from "../../assert.ts";
import { appFixture } from "../../fixture/app.ts";
import { fakeIdentity, PEOPLE } from "../../app/helpers.ts";
import { CHROMIUM, haveChromium, launchProfile, onCi } from "../../browser/chromium.ts";
import { makeZip, unzip } from "../../archive/helpers.ts";

if (!haveChromium && !onCi) {
  console.warn(`\n*** SKIPPING archive browser test: ${CHROMIUM} is missing (apt-get install -y chromium) ***\n`);
}

Deno.test({
  name: "browser - settings: download the wiki as a zip, upload a vault, review the plan, import",
  sanitizeOps: false,
  sanitizeResources: false,
  ignore: !haveChromium && !onCi,
  async fn() {
    assertOk(haveChromium, `${CHROMIUM} is missing: CI must install Chromium (apt-get install -y chromium)`);
    const alice = { did: PEOPLE["alice.test"], handle: "alice.test", displayName: "Alice" };
    const f = await appFixture({
      serve: true,
      config: (port) => ({ port, publicOrigin: `http://127.0.0.1:${port}` }),
      app: { identity: fakeIdentity() },
      users: [alice],
    });
    const origin = f.config.publicOrigin;
    const dir = await Deno.makeTempDir({ prefix: "archive-browser-" });
    try {
      const wiki = await f.app.deps.wikis.create({ slug: "alice", ownerDid: alice.did }, {
        id: alice.did,
        name: alice.handle,
        client: "web",
      });
      const id = await f.session(alice, origin);
      const { context, close } = await launchProfile("robot-archive-", { width: 1280, height: 800 });
      try {
        await context.addCookies([{ name: "rw_session", value: id, url: origin }]);
        const page = context.pages()[0] ?? await context.newPage();
        await page.goto(`${origin}/app/wikis/alice`);
        const [download] = await Promise.all([
          page.waitForEvent("download"),
          page.click("text=Download the wiki (.zip)"),
        ]);
        const saved = `${dir}/export.zip`;
        await download.saveAs(saved);
        const files = await unzip(await Deno.readFile(saved));
        assertOk(files.has("Home.md") && files.has(".robot-wtf/manifest.json"), [...files.keys()].join(", "));

        const vault = `${dir}/vault.zip`;
        await Deno.writeFile(
          vault,
          await makeZip({
            "Vault/.obsidian/app.json": "{}",
            "Vault/Reading/Books.md": "# Books\n![[cover.png]] and [[Films|films]]\n",
            "Vault/Films.md": "# Films",
            "Vault/cover.png": new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
          }),
        );
        await page.setInputFiles("#import-file", vault);
        await Promise.all([page.waitForURL(/\/import\/u_/), page.click("text=Upload and review")]);
        const plan = await page.textContent("main") ?? await page.textContent("body") ?? "";
        assertIncludes(plan, "Reading/Books");
        assertIncludes(plan, "Reading/Books/cover.png");
        assertEquals(await f.app.deps.wikis.pages(wiki).meta("Films"), null, "the plan writes nothing");
        await Promise.all([page.waitForLoadState(), page.click("button:has-text('Import')")]);
        assertIncludes(await page.textContent("body") ?? "", "2 pages and 1 attachments imported");
        const books = await f.app.deps.wikis.pages(wiki).read("Reading/Books");
        assertIncludes(books.content, "[[Films|films]]");
        assertIncludes(books.content, "/w/alice/-/attachment/Reading/Books/cover.png");
      } finally {
        await close();
      }
    } finally {
      await f.close();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});

/**
 * Editing in a real browser: headless Debian Chromium (playwright-core) against the real app on 127.0.0.1, signed in
 * by a session cookie, in both addressing modes. A person edits a page through the real form, previews and creates
 * a page, and runs into a conflict (an agent saved meanwhile) whose page keeps their text; with the editor island
 * (built here with scripts/build_islands.ts) leaving with unsaved text asks first and Ctrl+S saves. Screenshots of the editor
 * and the conflict page at desktop and 390 px width go to .tmp/screenshots/edit/.
 *
 * Needs /usr/bin/chromium; without it the tests are skipped with a warning, except under CI=true, where they fail.
 */
import { Buffer } from "node:buffer";
import type { Page } from "playwright-core";
import { assertEquals, assertIncludes, assertOk } from "../../../assert.ts";
import type { Config } from "../../../../lib/config.ts";
import { appFixture } from "../../../fixture/app.ts";
import { buildIslands } from "../../../../scripts/build_islands.ts";
import { CHROMIUM, haveChromium, launchProfile, onCi } from "../../../browser/chromium.ts";

const SCREENSHOTS = new URL("../../../../.tmp/screenshots/edit/", import.meta.url).pathname;
const WIDTHS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;
const ALICE = { did: "did:plc:alicebrowser00000000000", handle: "alice.test", displayName: null };
const AGENT = { id: "token:agent", name: "research agent", client: "mcp:claude" };

if (!haveChromium && !onCi) {
  console.warn(`\n*** SKIPPING edit browser tests: ${CHROMIUM} is missing (apt-get install -y chromium) ***\n`);
}

/** The app on a random loopback port with wiki `alice` and a session cookie for its origin. */
async function serve(configFor: (port: number) => Partial<Config>) {
  const f = await appFixture({
    serve: true,
    config: configFor,
    wikis: [{
      slug: "alice",
      title: "Alice's notes",
      ownerDid: ALICE.did,
      visibility: "public",
      seed: false,
      actor: { id: ALICE.did, name: ALICE.handle, client: "system" },
    }],
  });
  const { app, wikis: { alice: wiki } } = f;
  const pages = app.deps.wikis.pages(wiki);
  await pages.write(
    "Home",
    "# Welcome\n\nThis wiki holds the notes of the project.\n\n- [[Plan]]\n",
    { message: "Create the home page" },
    AGENT,
  );
  await pages.write(
    "Plan",
    "# Plan\n\n1. Ship the editor.\n2. Write the docs.\n3. Tell people.\n",
    { message: "First plan" },
    AGENT,
  );
  const base = app.deps.urls.wikiBase("alice");
  return {
    app,
    pages,
    base,
    cookie: await f.session(ALICE, new URL(base).origin),
    close: () => f.close(),
  };
}

async function shoot(page: Page, name: string): Promise<void> {
  for (const [label, size] of Object.entries(WIDTHS)) {
    await page.setViewportSize(size);
    await page.screenshot({ path: `${SCREENSHOTS}${name}-${label}.png`, fullPage: true });
    if (label === "phone") {
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - globalThis.innerWidth);
      assertOk(overflow <= 0, `${name}: no horizontal scrolling at 390 px (overflow ${overflow}px)`);
    }
  }
  await page.setViewportSize(WIDTHS.desktop);
}

async function editWalk(t: Deno.TestContext, served: Awaited<ReturnType<typeof serve>>, mode: string) {
  const { base, pages } = served;
  const b = await launchProfile("robot-chromium-edit-", WIDTHS.desktop);
  try {
    await b.context.addCookies([{ name: "rw_session", value: served.cookie, url: base + "/" }]);
    const page = b.context.pages()[0] ?? await b.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (err) => errors.push(String(err)));

    await t.step("edit Plan through the real form", async () => {
      await page.goto(`${base}/Plan`);
      await page.locator("nav.page-actions a", { hasText: "Edit" }).click();
      await page.waitForURL(`${base}/-/edit/Plan`);
      const text = page.locator("textarea#edit-content");
      assertEquals(await text.inputValue(), "# Plan\n\n1. Ship the editor.\n2. Write the docs.\n3. Tell people.\n");
      await text.fill("# Plan\n\n1. Ship the editor.\n2. Write the docs.\n3. Tell people.\n4. Celebrate.\n");
      await page.locator("#edit-message").fill("Add a step");
      await shoot(page, `${mode}-editor`);
      await page.locator("button", { hasText: "Save" }).click();
      await page.waitForURL(`${base}/Plan`);
      assertIncludes(await page.locator("main ol li").nth(3).innerText(), "Celebrate.");
      const rev = (await pages.read("Plan")).lastRevision;
      assertEquals([rev.message, rev.authorName, rev.client], ["Add a step", "alice.test", "web"]);
      await shoot(page, `${mode}-page`);
    });

    await t.step("with the island: leaving with unsaved text asks first; Ctrl+S saves", async () => {
      await page.goto(`${base}/-/edit/Plan`);
      assertEquals(await page.locator("script[src*='/static/js/editor.js']").count(), 1);
      const text = page.locator("textarea#edit-content");
      await text.fill((await text.inputValue()) + "5. Rest.\n");
      const dialogs: string[] = [];
      const onDialog = (d: { type(): string; dismiss(): Promise<void> }) => {
        dialogs.push(d.type());
        d.dismiss().catch(() => {}); // stay on the page
      };
      page.on("dialog", onDialog);
      await page.locator("a", { hasText: "Cancel" }).click({ noWaitAfter: true });
      await page.waitForTimeout(300);
      page.off("dialog", onDialog);
      assertEquals(dialogs, ["beforeunload"]);
      assertEquals(page.url(), `${base}/-/edit/Plan`);
      await text.press("Control+s");
      await page.waitForURL(`${base}/Plan`);
      assertIncludes((await pages.read("Plan")).content, "5. Rest.");
    });

    await t.step("preview, then create a new page", async () => {
      await page.goto(`${base}/-/new`);
      await page.locator("#edit-path").fill("Meetings/Kickoff");
      await page.locator("textarea#edit-content").fill("Decided: **ship it**. Back to [[Plan]].\n");
      await page.locator("button", { hasText: "Preview" }).click();
      await page.waitForURL(`${base}/-/new`);
      assertEquals(await page.locator(".preview strong").innerText(), "ship it");
      assertEquals(await page.locator("#edit-path").inputValue(), "Meetings/Kickoff");
      await shoot(page, `${mode}-preview`);
      await page.locator("button", { hasText: "Create page" }).click();
      await page.waitForURL(`${base}/Meetings/Kickoff`);
      assertEquals((await pages.read("Meetings/Kickoff")).content, "Decided: **ship it**. Back to [[Plan]].\n");
    });

    await t.step("a conflict keeps the person's text and shows the agent's change", async () => {
      await page.goto(`${base}/-/edit/Plan`);
      const current = await pages.read("Plan");
      await pages.write(
        "Plan",
        current.content.replace("2. Write the docs.", "2. Write the docs (agent: started in Docs/Intro)."),
        { revision: current.revision, message: "Note progress" },
        AGENT,
      );
      const mine = current.content.replace("3. Tell people.", "3. Tell people on Bluesky.");
      await page.locator("textarea#edit-content").fill(mine);
      await page.locator("button", { hasText: "Save" }).click();
      await page.waitForURL(`${base}/-/edit/Plan`);
      assertEquals(await page.locator("h1").first().innerText(), "Edit conflict: Plan");
      assertEquals(await page.locator("textarea#edit-content").inputValue(), mine);
      assertIncludes(await page.locator(".conflict-notice").innerText(), "research agent");
      assertOk((await page.locator(".conflict-diff tr.diff-add").count()) >= 1);
      await shoot(page, `${mode}-conflict`);
      await page.locator("button", { hasText: "Save my version" }).click();
      await page.waitForURL(`${base}/Plan`);
      assertEquals((await pages.read("Plan")).content, mine);
    });

    await t.step("attach, remove, delete and restore through the forms", async () => {
      await page.goto(`${base}/-/attach/Plan`);
      await page.locator("#attach-file").setInputFiles({
        name: "roadmap.txt",
        mimeType: "text/plain",
        buffer: Buffer.from("Q1: editor\n"),
      });
      await page.locator("button", { hasText: "Upload" }).click();
      await page.waitForURL(/\/-\/attach\/Plan\?uploaded=roadmap\.txt$/);
      assertIncludes(await page.locator(".notice-done").innerText(), "Uploaded “roadmap.txt”.");
      await shoot(page, `${mode}-attach`);
      await page.locator(".attachment-list a", { hasText: "Remove" }).click();
      await page.waitForURL(/\/-\/detach\/Plan\?filename=roadmap\.txt$/);
      await page.locator("button", { hasText: "Remove file" }).click();
      await page.waitForURL(/\/-\/attach\/Plan\?removed=roadmap\.txt$/);
      assertEquals(await pages.listAttachments("Plan"), []);
      await page.goto(`${base}/-/delete/Plan`);
      await shoot(page, `${mode}-delete`);
      await page.locator("button", { hasText: "Delete page" }).click();
      await page.waitForURL(`${base}/Plan`);
      await page.locator("button", { hasText: "Restore this page" }).click();
      await page.waitForURL(`${base}/Plan`);
      assertEquals((await pages.read("Plan")).lastRevision.action, "restore");
    });

    await t.step("signed out: the editor answers with a sign-in page", async () => {
      await b.context.clearCookies();
      const res = await page.goto(`${base}/-/edit/Plan`);
      assertEquals(res?.status(), 403);
      const link = page.locator("main a.button", { hasText: "Sign in to edit" });
      assertEquals(
        await link.getAttribute("href"),
        `${base}/-/auth/login?${new URLSearchParams({ return_to: `${base}/-/edit/Plan` })}`,
      );
      await shoot(page, `${mode}-signin`);
    });

    assertEquals(errors, [], "no JavaScript errors");
  } finally {
    await b.close();
  }
}

const options = { sanitizeOps: false, sanitizeResources: false, ignore: !haveChromium && !onCi };

Deno.test({
  name: "edit browser - path mode: edit, preview, create, conflict at /w/alice/",
  ...options,
  async fn(t) {
    assertOk(haveChromium, `${CHROMIUM} is missing: CI must install Chromium (apt-get install -y chromium)`);
    await Deno.mkdir(SCREENSHOTS, { recursive: true });
    await buildIslands();
    const served = await serve((port) => ({ port, publicOrigin: `http://127.0.0.1:${port}` }));
    try {
      await editWalk(t, served, "path");
    } finally {
      await served.close();
    }
  },
});

Deno.test({
  name: "edit browser - subdomain mode: edit, preview, create, conflict at alice.localhost",
  ...options,
  async fn(t) {
    assertOk(haveChromium, `${CHROMIUM} is missing: CI must install Chromium (apt-get install -y chromium)`);
    await Deno.mkdir(SCREENSHOTS, { recursive: true });
    await buildIslands();
    const served = await serve((port) => ({
      port,
      addressing: "subdomain",
      wikiDomain: "localhost",
      publicOrigin: `http://localhost:${port}`,
    }));
    try {
      await editWalk(t, served, "subdomain");
    } finally {
      await served.close();
    }
  },
});

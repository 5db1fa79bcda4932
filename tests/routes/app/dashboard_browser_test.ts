/**
 * The dashboard in a real browser: headless Chromium (playwright-core) signed in through a session cookie set on the
 * context, against the real app on 127.0.0.1 (path mode). Creates a token through the form, checks it is shown once,
 * that no page scrolls sideways at phone width, and saves desktop and 390px screenshots of the dashboard home, a
 * wiki's settings (with the new token) and the account page to .tmp/screenshots/dashboard/.
 *
 * Needs /usr/bin/chromium; skipped with a warning without it, except under CI=true, where it fails.
 */
import type { Page } from "playwright-core";
import { assertEquals, assertIncludes, assertOk } from "../../assert.ts";
import { appFixture } from "../../fixture/app.ts";
import { connectApp, fakeIdentity, PEOPLE } from "../../app/helpers.ts";
import { CHROMIUM, haveChromium, launchProfile, onCi } from "../../browser/chromium.ts";

const SCREENSHOTS = new URL("../../../.tmp/screenshots/dashboard/", import.meta.url).pathname;
const SIZES = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;

if (!haveChromium && !onCi) {
  console.warn(`\n*** SKIPPING dashboard browser test: ${CHROMIUM} is missing (apt-get install -y chromium) ***\n`);
}

/** Screenshots at both sizes; at phone width the page must not scroll sideways. */
async function shoot(page: Page, name: string): Promise<void> {
  for (const [label, size] of Object.entries(SIZES)) {
    await page.setViewportSize(size);
    await page.screenshot({ path: `${SCREENSHOTS}${name}-${label}.png`, fullPage: true });
    const overflow = await page.evaluate(() =>
      document.documentElement.scrollWidth - document.documentElement.clientWidth
    );
    assertOk(overflow <= 0, `${name} scrolls sideways by ${overflow}px at ${label} width`);
  }
  await page.setViewportSize(SIZES.desktop);
}

Deno.test({
  name: "browser - dashboard: home, settings with a new token, account; readable at 390px",
  sanitizeOps: false,
  sanitizeResources: false,
  ignore: !haveChromium && !onCi,
  async fn() {
    assertOk(haveChromium, `${CHROMIUM} is missing: CI must install Chromium (apt-get install -y chromium)`);
    await Deno.mkdir(SCREENSHOTS, { recursive: true });
    const alice = { did: PEOPLE["alice.test"], handle: "alice.test", displayName: "Alice" };
    const f = await appFixture({
      serve: true,
      config: (port) => ({ port, publicOrigin: `http://127.0.0.1:${port}` }),
      app: { identity: fakeIdentity() },
      users: [alice, { did: PEOPLE["bob.test"], handle: "bob.test", displayName: null }],
    });
    const { app } = f;
    const origin = f.config.publicOrigin;
    try {
      const wiki = await app.deps.wikis.create({
        slug: "alice-research",
        title: "Alice's research notes",
        ownerDid: alice.did,
      }, {
        id: alice.did,
        name: alice.handle,
        client: "web",
      });
      await app.deps.wikis.setMember(wiki.id, PEOPLE["bob.test"], "editor", alice.did);
      await app.deps.wikis.setMember(wiki.id, PEOPLE["carol.test"], "viewer", alice.did);
      const shared = await app.deps.wikis.create({ slug: "team-notes", ownerDid: PEOPLE["bob.test"] }, {
        id: PEOPLE["bob.test"],
        name: "bob.test",
        client: "web",
      });
      await app.deps.wikis.setMember(shared.id, alice.did, "viewer", PEOPLE["bob.test"]);
      await connectApp(app, "alice-research", alice.did);
      const id = await f.session(alice, origin);

      const { context, close } = await launchProfile("robot-dashboard-", SIZES.desktop);
      try {
        await context.addCookies([{ name: "rw_session", value: id, url: origin }]);
        const page = context.pages()[0] ?? await context.newPage();
        const errors: string[] = [];
        page.on("pageerror", (err) => errors.push(String(err)));

        const home = await page.goto(`${origin}/app/`);
        assertEquals(home?.status(), 200);
        assertIncludes(await page.locator("main").innerText(), `${origin}/w/alice-research/mcp`);
        await shoot(page, "home");

        await page.locator("a.wiki-card-title", { hasText: "Alice's research notes" }).click();
        await page.waitForURL(`${origin}/app/wikis/alice-research`);
        await page.locator("#token-label").fill("Claude Code on my laptop");
        await page.locator("button", { hasText: "Create token" }).click();
        await page.waitForURL(/\/app\/wikis\/alice-research\?flash=/);
        const shown = await page.locator(".new-token").innerText();
        const token = /rwtf_[A-Za-z0-9_-]+/.exec(shown)?.[0];
        assertOk(token, "the new token is shown");
        await shoot(page, "settings-new-token");

        await page.goto(`${origin}/app/wikis/alice-research`);
        assertEquals(await page.locator(".new-token").count(), 0);
        assertOk(!(await page.locator("main").innerText()).includes(token), "the token is not shown twice");
        await shoot(page, "settings");

        await page.goto(`${origin}/app/account`);
        await shoot(page, "account");
        assertEquals(errors, [], "no JavaScript errors");
      } finally {
        await close();
      }
    } finally {
      await f.close();
    }
  },
});

/**
 * What a reader sees, in a real browser: headless Debian Chromium driven by playwright-core, against the real app
 * (createApp, in-memory KV, demo wiki seeded) on 127.0.0.1, in both addressing modes. Screenshots of the home page,
 * a page and search at desktop and phone width go to .tmp/screenshots/ (ignored by git).
 *
 * Needs /usr/bin/chromium (`apt-get install chromium`; .ci/run installs it). Without it the tests are skipped
 * with a warning, except under CI=true, where they fail.
 */
import type { Page } from "playwright-core";
import { assertEquals, assertIncludes, assertOk } from "../assert.ts";
import type { App } from "../../main.ts";
import type { Config } from "../../lib/config.ts";
import { appFixture } from "../fixture/app.ts";
import { seedDemoWiki } from "../../lib/wiki/demo.ts";
import { CHROMIUM, haveChromium, launchProfile, onCi } from "./chromium.ts";

const SCREENSHOTS = new URL("../../.tmp/screenshots/", import.meta.url).pathname;
const WIDTHS = { desktop: { width: 1280, height: 800 }, phone: { width: 375, height: 740 } } as const;

if (!haveChromium && !onCi) {
  console.warn(
    `\n*** SKIPPING browser tests: ${CHROMIUM} is missing. Install it with: apt-get install -y chromium ***\n`,
  );
}

/** The app served on a random loopback port, with the demo wiki seeded. */
interface Served {
  app: App;
  /** Base URL of the demo wiki, no trailing slash. */
  base: string;
  close(): Promise<void>;
}

async function serve(configFor: (port: number) => Partial<Config>): Promise<Served> {
  const f = await appFixture({ serve: true, config: configFor });
  const { app } = f;
  await seedDemoWiki(app.deps.wikis);
  const demo = (await app.deps.wikis.bySlug("demo"))!;
  await app.deps.wikis.pages(demo).write(
    "Hostile",
    [
      "# Hostile",
      "",
      '<script>window.__pwned = "script"</script>',
      "",
      '<img src="x" onerror="window.__pwned = \'img\'">',
      "",
      "[click me](javascript:window.__pwned='link')",
      "",
      "Plain text after the attempts.",
      "",
    ].join("\n"),
    { message: "Add a hostile page" },
    { id: "local:mallory", name: "mallory", client: "web" },
  );
  return {
    app,
    base: app.deps.urls.wikiBase("demo"),
    close: () => f.close(),
  };
}

async function shoot(page: Page, name: string): Promise<void> {
  for (const [label, size] of Object.entries(WIDTHS)) {
    await page.setViewportSize(size);
    await page.screenshot({ path: `${SCREENSHOTS}${name}-${label}.png`, fullPage: true });
  }
  await page.setViewportSize(WIDTHS.desktop);
}

/** The reader's walk through the demo wiki; `mode` names the screenshots. */
async function readerWalk(t: Deno.TestContext, served: Served, mode: string): Promise<void> {
  const { base } = served;
  const b = await launchProfile("robot-chromium-", WIDTHS.desktop);
  try {
    const page = b.context.pages()[0] ?? await b.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (err) => errors.push(String(err)));

    await t.step("home page: title and heading", async () => {
      const res = await page.goto(`${base}/`);
      assertEquals(res?.status(), 200);
      assertEquals(await page.title(), "Home · Demo wiki");
      assertEquals(await page.locator("main h1").first().innerText(), "Welcome");
      await shoot(page, `${mode}-home`);
    });

    await t.step("clicking a WikiLink opens the linked page", async () => {
      await page.goto(`${base}/`);
      await page.locator("a.wikilink", { hasText: "Ideas" }).first().click();
      await page.waitForURL(`${base}/Ideas`);
      assertEquals(await page.title(), "Ideas · Demo wiki");
      await page.goto(`${base}/Projects/robot.wtf`);
      assertEquals(await page.locator("main h1").first().innerText(), "robot.wtf");
      await page.locator("a.wikilink", { hasText: "The roadmap" }).click();
      await page.waitForURL(`${base}/Projects/robot.wtf/Roadmap`);
      assertEquals(await page.locator("main h1").first().innerText(), "Roadmap");
      await page.goto(`${base}/Projects/robot.wtf`);
      await shoot(page, `${mode}-page`);
    });

    await t.step("history lists the revisions of Home, newest first", async () => {
      const res = await page.goto(`${base}/-/history/Home`);
      assertEquals(res?.status(), 200);
      const items = page.locator("ol.history li.history-item");
      assertEquals(await items.count(), 2);
      assertEquals(await items.nth(0).locator(".message").innerText(), "Link the example pages");
      assertEquals(await items.nth(1).locator(".message").innerText(), "Create the home page");
      assertOk(/^[0-9a-f]{8}$/.test(await items.nth(0).locator("a.rev").innerText()));
    });

    await t.step("search form finds the roadmap", async () => {
      await page.goto(`${base}/-/search`);
      await page.locator('input[name="q"]').fill("roadmap");
      await page.locator('input[name="q"]').press("Enter");
      await page.waitForURL(`${base}/-/search?q=roadmap`);
      const results = page.locator("ol.results li");
      assertOk((await results.count()) >= 1, "at least one result");
      assertEquals(await results.first().locator("a.result-title").innerText(), "Roadmap");
      await shoot(page, `${mode}-search`);
    });

    await t.step("a hostile page's script, handler and javascript: link do not run", async () => {
      const res = await page.goto(`${base}/Hostile`);
      assertEquals(res?.status(), 200);
      assertIncludes(await page.locator("main").innerText(), "Plain text after the attempts.");
      await page.waitForTimeout(200); // give an injected onerror a chance to fire
      const link = page.locator("main a", { hasText: "click me" });
      if ((await link.count()) > 0) await link.first().click({ noWaitAfter: true }).catch(() => {});
      assertEquals(await page.evaluate(() => (globalThis as { __pwned?: string }).__pwned ?? null), null);
      assertEquals(await page.locator("main script").count(), 0);
    });

    assertEquals(errors, [], "no JavaScript errors on the pages");
  } finally {
    await b.close();
  }
}

const options = { sanitizeOps: false, sanitizeResources: false, ignore: !haveChromium && !onCi };

Deno.test({
  name: "browser - path mode: a reader browses the demo wiki at /w/demo/",
  ...options,
  async fn(t) {
    assertOk(haveChromium, `${CHROMIUM} is missing: CI must install Chromium (apt-get install -y chromium)`);
    await Deno.mkdir(SCREENSHOTS, { recursive: true });
    const served = await serve((port) => ({ port, publicOrigin: `http://127.0.0.1:${port}` }));
    try {
      assertEquals(served.base, `http://127.0.0.1:${new URL(served.base).port}/w/demo`);
      await readerWalk(t, served, "path");
    } finally {
      await served.close();
    }
  },
});

Deno.test({
  name: "browser - subdomain mode: a reader browses the demo wiki at demo.localhost",
  ...options,
  async fn(t) {
    assertOk(haveChromium, `${CHROMIUM} is missing: CI must install Chromium (apt-get install -y chromium)`);
    await Deno.mkdir(SCREENSHOTS, { recursive: true });
    const served = await serve((port) => ({
      port,
      addressing: "subdomain",
      wikiDomain: "localhost",
      publicOrigin: `http://localhost:${port}`,
    }));
    try {
      assertEquals(served.base, `http://demo.localhost:${new URL(served.base).port}`);
      await readerWalk(t, served, "subdomain");
    } finally {
      await served.close();
    }
  },
});

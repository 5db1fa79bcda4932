/**
 * The copy buttons of a wiki's settings page (routes/app/ui.tsx `CopyButtons`, on the settings page's connect guide and the dashboard home) in a real browser:
 * headless Chromium (playwright-core) signed in through a session cookie, against the real app on 127.0.0.1, with
 * the clipboard permissions granted. Each copyable value (`pre.copy`: the MCP URL, the Claude Code commands) gets a
 * "Copy" button named for it; clicking it puts exactly the value shown on the clipboard (read back from the page)
 * and says "Copied"; where the clipboard refuses, the button says to copy by hand.
 *
 * Needs /usr/bin/chromium; skipped with a warning without it, except under CI=true, where it fails.
 */
import type { Page } from "playwright-core";
import { assertEquals, assertOk } from "../../assert.ts";
import { appFixture } from "../../fixture/app.ts";
import { fakeIdentity, PEOPLE } from "../../app/helpers.ts";
import { CHROMIUM, haveChromium, launchProfile, onCi } from "../../browser/chromium.ts";
import { claudeCodeOAuthCommand } from "../../../routes/app/connect_guide.tsx";

if (!haveChromium && !onCi) {
  console.warn(`\n*** SKIPPING copy-button browser test: ${CHROMIUM} is missing (apt-get install -y chromium) ***\n`);
}

/** The copyable values of the page: label and text of each `pre.copy`, in page order. */
async function copyables(page: Page): Promise<{ label: string; text: string }[]> {
  return await page.locator("pre.copy").evaluateAll((els) =>
    els.map((el) => ({ label: el.getAttribute("aria-label") ?? "", text: (el.textContent ?? "").trim() }))
  );
}

Deno.test({
  name: "browser - settings page: each Copy button copies exactly the value it follows (MCP URL, commands)",
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
      wikis: [{
        slug: "alice-notes",
        ownerDid: alice.did,
        actor: { id: alice.did, name: alice.handle, client: "web" },
      }],
    });
    const origin = f.config.publicOrigin;
    const mcpUrl = f.app.deps.urls.mcp("alice-notes");
    try {
      const id = await f.session(alice, origin);
      const { context, close } = await launchProfile("robot-copy-", { width: 1280, height: 800 });
      try {
        await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin });
        await context.addCookies([{ name: "rw_session", value: id, url: origin }]);
        const page = context.pages()[0] ?? await context.newPage();
        const errors: string[] = [];
        page.on("pageerror", (err) => errors.push(String(err)));
        // The settings page (MCP URL, Claude Code commands) and the dashboard home (each wiki's MCP URL).
        const expected: [string, Record<string, string>][] = [
          ["/app/wikis/alice-notes", {
            "MCP URL": mcpUrl,
            "Claude Code command (OAuth)": claudeCodeOAuthCommand("alice-notes", mcpUrl),
          }],
          ["/app/", { "MCP URL of alice-notes": mcpUrl }],
        ];
        for (const [path, wanted] of expected) {
          const res = await page.goto(`${origin}${path}`);
          assertEquals(res?.status(), 200);
          const values = await copyables(page);
          const byLabel = new Map(values.map((v) => [v.label, v.text]));
          for (const [label, text] of Object.entries(wanted)) {
            assertEquals(byLabel.get(label), text, `${path} ${label}`);
          }
          const buttons = page.locator("pre.copy + button.copy-button");
          assertEquals(await buttons.count(), values.length, `${path}: one Copy button after each value`);
          for (const [i, v] of values.entries()) {
            // Something else on the clipboard first, so that a button that copies nothing is caught.
            await page.evaluate(() => navigator.clipboard.writeText("(not copied)"));
            const button = buttons.nth(i);
            assertEquals(await button.getAttribute("aria-label"), `Copy ${v.label}`);
            await button.click();
            await page.waitForFunction(
              (n) => document.querySelectorAll("pre.copy + button.copy-button")[n]?.textContent === "Copied",
              i,
              { timeout: 5_000 },
            );
            const copied = await page.evaluate(() => navigator.clipboard.readText());
            assertEquals(copied, v.text, `${path}: the ${v.label} button copies its value`);
          }
        }
        assertEquals(errors, [], "no JavaScript errors");
      } finally {
        await close();
      }

      // A browser whose clipboard refuses: the button says to copy by hand, the value stays selectable.
      const refusing = await launchProfile("robot-copy-refused-", { width: 1280, height: 800 });
      try {
        await refusing.context.addCookies([{ name: "rw_session", value: id, url: origin }]);
        await refusing.context.addInitScript(() => {
          Object.defineProperty(navigator, "clipboard", {
            value: { writeText: () => Promise.reject(new Error("denied")) },
          });
        });
        const page = refusing.context.pages()[0] ?? await refusing.context.newPage();
        await page.goto(`${origin}/app/wikis/alice-notes`);
        const button = page.locator("pre.copy + button.copy-button").first();
        await button.click();
        await page.waitForFunction(
          () => document.querySelector("button.copy-button")?.textContent === "Select and copy by hand",
          undefined,
          { timeout: 5_000 },
        );
      } finally {
        await refusing.close();
      }
    } finally {
      await f.close();
    }
  },
});

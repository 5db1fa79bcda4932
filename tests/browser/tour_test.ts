/**
 * A tour of every page a person sees, in a real browser: headless Chromium (playwright-core) against the real app
 * (createApp, in-memory KV, path mode) on 127.0.0.1. Signed out: landing, sign-in (plain and with an error). Signed
 * in (a `rw_session` cookie made with `sessions.create`): signup, dashboard, wiki settings with a new token, account,
 * a wiki's home, a page with WikiLinks, code and a table, history, diff, search, index, recent changes, the editor,
 * an edit conflict, attachments, the OAuth consent page, and the 404 and 403 pages.
 *
 * Each page is saved at 1280px and 390px to .tmp/screenshots/tour/ (ignored by git), plus a few in dark mode; at
 * 390px no page may scroll sideways, and no page may log a console error, fail to load a resource, or throw.
 *
 * Needs /usr/bin/chromium; skipped with a warning without it, except under CI=true, where it fails.
 */
import type { Page } from "playwright-core";
import { assertEquals, assertIncludes, assertOk } from "../assert.ts";
import { appFixture } from "../fixture/app.ts";
import { upsertUserOnLogin } from "../../lib/platform/users.ts";
import { base64url } from "../../lib/ids.ts";
import { fakeIdentity, PEOPLE } from "../app/helpers.ts";
import { CHROMIUM, haveChromium, launchProfile, onCi } from "./chromium.ts";

const SCREENSHOTS = new URL("../../.tmp/screenshots/tour/", import.meta.url).pathname;
const SIZES = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;

if (!haveChromium && !onCi) {
  console.warn(`\n*** SKIPPING the browser tour: ${CHROMIUM} is missing (apt-get install -y chromium) ***\n`);
}

/** A page with the features the renderer styles: WikiLinks (present and missing), code, a table, a quote. */
const TOUR_PAGE = [
  "---",
  "category: guide",
  "tags: [tour, example]",
  "---",
  "# Field notes",
  "",
  "These notes link to [[Home]], to [[Ideas|the ideas page]] and to [[A page nobody wrote yet]].",
  "",
  "## Code",
  "",
  "Inline `canonicalPath()` and a block:",
  "",
  "```ts",
  'const wiki = await wikis.bySlug("alice-notes");',
  "console.log(wiki?.title ?? 'no wiki with a deliberately long line that should scroll inside its box');",
  "```",
  "",
  "## Table",
  "",
  "| Agent | Pages written | Last seen |",
  "| :---- | ------------: | :-------: |",
  "| Claude | 42 | today |",
  "| A local model with a long name | 7 | last week |",
  "",
  "> Decisions go in the wiki, not in chat.",
  "",
].join("\n");

/** Everything the tour found wrong, reported together at the end. */
interface Findings {
  problems: string[];
}

/** Saves both widths; at phone width, records a sideways scroll. */
async function shoot(page: Page, name: string, findings: Findings): Promise<void> {
  for (const [label, size] of Object.entries(SIZES)) {
    await page.setViewportSize(size);
    await page.screenshot({ path: `${SCREENSHOTS}${name}-${label}.png`, fullPage: true });
    if (label === "phone") {
      const overflow = await page.evaluate(() =>
        document.documentElement.scrollWidth - document.documentElement.clientWidth
      );
      if (overflow > 0) findings.problems.push(`${name} scrolls sideways by ${overflow}px at 390px`);
    }
  }
  await page.setViewportSize(SIZES.desktop);
}

/** Registers a public OAuth client on wiki `base` (DCR) and returns its id. */
async function registerClient(base: string): Promise<string> {
  const res = await fetch(`${base}/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      client_name: "Claude",
      redirect_uris: ["https://claude.ai/api/mcp/auth_callback"],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
    }),
  });
  const body = await res.json();
  assertEquals(res.status, 201, JSON.stringify(body));
  return body.client_id as string;
}

/** A PKCE S256 challenge (the verifier is never used: the tour stops at the consent page). */
async function pkceChallenge(): Promise<string> {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

Deno.test({
  name: "browser - tour: every page at 1280px and 390px, no sideways scroll, no console errors",
  sanitizeOps: false,
  sanitizeResources: false,
  ignore: !haveChromium && !onCi,
  async fn(t) {
    assertOk(haveChromium, `${CHROMIUM} is missing: CI must install Chromium (apt-get install -y chromium)`);
    await Deno.mkdir(SCREENSHOTS, { recursive: true });
    const alice = { did: PEOPLE["alice.test"], handle: "alice.test", displayName: "Alice" };
    const bob = { did: PEOPLE["bob.test"], handle: "bob.test", displayName: null };
    const f = await appFixture({
      serve: true,
      config: (port) => ({ port, publicOrigin: `http://127.0.0.1:${port}` }),
      app: { identity: fakeIdentity() },
      users: [alice, bob],
    });
    const { app, kv } = f;
    const origin = f.config.publicOrigin;
    try {
      const aliceActor = { id: alice.did, name: alice.handle, client: "web" };
      const wiki = await app.deps.wikis.create(
        { slug: "alice-notes", title: "Alice's notes", ownerDid: alice.did },
        aliceActor,
      );
      await app.deps.wikis.setMember(wiki.id, bob.did, "editor", alice.did);
      await app.deps.wikis.create({ slug: "bob-private", ownerDid: bob.did }, { ...aliceActor, id: bob.did });
      const pages = app.deps.wikis.pages(wiki);
      const first = await pages.write("Field notes", TOUR_PAGE.replace("42", "40"), {
        message: "Start the field notes",
      }, aliceActor);
      const second = await pages.write("Field notes", TOUR_PAGE, {
        revision: first.revision,
        message: "Count Claude's pages again",
      }, { id: "mcp:claude", name: "Claude", client: "mcp" });
      await pages.putAttachment("Field notes", "diagram.png", new Uint8Array(2048), { mime: "image/png" }, aliceActor);
      const base = app.deps.urls.wikiBase("alice-notes");
      const clientId = await registerClient(base);

      const { context, close } = await launchProfile("robot-tour-", SIZES.desktop);
      const findings: Findings = { problems: [] };
      try {
        const page = context.pages()[0] ?? await context.newPage();
        /** Console errors of the page being visited; a failed main document is expected on error pages. */
        let consoleErrors: string[] = [];
        page.on("pageerror", (err) => consoleErrors.push(String(err)));
        page.on("console", (msg) => {
          if (msg.type() === "error") consoleErrors.push(msg.text());
        });
        page.on("response", (res) => {
          if (res.status() >= 400 && res.request().resourceType() !== "document") {
            consoleErrors.push(`${res.status()} for ${res.url()}`);
          }
        });

        /** Visits `url` (or runs `go`), checks the status, screenshots both widths, checks the console. */
        const visit = async (
          name: string,
          go: string | (() => Promise<number | undefined>),
          status = 200,
        ): Promise<void> => {
          await t.step(name, async () => {
            consoleErrors = [];
            const got = typeof go === "string" ? (await page.goto(go))?.status() : await go();
            assertEquals(got, status, `${name}: HTTP status`);
            await shoot(page, name, findings);
            const unexpected = consoleErrors.filter((e) =>
              !(status >= 400 && e.startsWith("Failed to load resource: the server responded with a status of"))
            );
            if (unexpected.length > 0) findings.problems.push(`${name}: console errors: ${unexpected.join(" | ")}`);
          });
        };

        // Signed out.
        await visit("landing", `${origin}/`);
        assertIncludes(await page.locator("main").innerText(), "Memory for your agents");
        await visit("login", `${origin}/auth/login`);
        await visit("login-error", async () => {
          await page.goto(`${origin}/auth/login`);
          await page.locator("#identifier").fill("not a handle");
          const [res] = await Promise.all([
            page.waitForResponse((r) => r.url() === `${origin}/auth/login` && r.request().method() === "POST"),
            page.locator("form.auth-form button[type=submit]").click(),
          ]);
          await page.waitForLoadState();
          return res.status();
        }, 400);
        assertOk((await page.locator(".form-error").innerText()).length > 0, "the error is shown");

        // Signed in as carol, who owns no wiki yet: signup.
        const carol = { did: PEOPLE["carol.test"], handle: "carol.test", displayName: null };
        await upsertUserOnLogin(kv, carol);
        const carolSession = await app.deps.sessions.create(carol, origin);
        await context.addCookies([{ name: "rw_session", value: carolSession.id, url: origin }]);
        await visit("signup", `${origin}/auth/signup`);

        // Signed in as alice from here on.
        await context.clearCookies();
        const aliceSession = await app.deps.sessions.create(alice, origin);
        await context.addCookies([{ name: "rw_session", value: aliceSession.id, url: origin }]);
        await visit("dashboard", `${origin}/app/`);
        await visit("wiki-settings-new-token", async () => {
          await page.goto(`${origin}/app/wikis/alice-notes`);
          await page.locator("#token-label").fill("Claude Code on my laptop");
          const [res] = await Promise.all([
            page.waitForResponse((r) => r.url().includes("flash=") && r.request().method() === "GET"),
            page.locator("button", { hasText: "Create token" }).click(),
          ]);
          await page.waitForLoadState();
          return res.status();
        });
        assertOk(/rwtf_[A-Za-z0-9_-]+/.test(await page.locator(".new-token").innerText()), "the new token is shown");
        await visit("account", `${origin}/app/account`);

        await visit("wiki-home", `${base}/`);
        await visit("wiki-page", `${base}/Field_notes`);
        assertEquals(await page.locator(".content table").count(), 1, "the Markdown table is rendered");
        await visit("history", `${base}/-/history/Field_notes`);
        await visit("diff", `${base}/-/diff/Field_notes?from=${first.revision}&to=${second.revision}`);
        await visit("search", `${base}/-/search?q=notes`);
        await visit("search-empty", `${base}/-/search?q=zebra`);
        await visit("index", `${base}/-/index`);
        await visit("recent-changes", `${base}/-/changes`);
        await visit("editor", `${base}/-/edit/Field_notes`);
        await visit("new-page", `${base}/-/new`);
        await visit("conflict", async () => {
          await page.goto(`${base}/-/edit/Field_notes`);
          const now = await pages.read("Field notes");
          await pages.write("Field notes", now.content + "\nA line from an agent.\n", {
            revision: now.revision,
            message: "Agent adds a line",
          }, { id: "mcp:claude", name: "Claude", client: "mcp" });
          await page.locator("textarea[name=content]").fill(TOUR_PAGE + "\nMy own line.\n");
          const [res] = await Promise.all([
            page.waitForResponse((r) => r.request().method() === "POST"),
            page.locator("button[name=action][value=save]").click(),
          ]);
          await page.waitForLoadState();
          return res.status();
        }, 409);
        await visit("attachments", `${base}/-/attach/Field_notes`);
        const challenge = await pkceChallenge();
        const authorize = new URL(`${base}/authorize`);
        for (
          const [k, v] of Object.entries({
            response_type: "code",
            client_id: clientId,
            redirect_uri: "https://claude.ai/api/mcp/auth_callback",
            code_challenge: challenge,
            code_challenge_method: "S256",
            state: "tour",
            scope: "wiki:read wiki:write",
            resource: app.deps.urls.mcp("alice-notes"),
          })
        ) authorize.searchParams.set(k, v);
        await visit("consent", authorize.href);
        await visit("not-found-404", `${base}/-/nothing-here`, 404);
        await visit("platform-404", `${origin}/no-such-page`, 404);
        await visit("forbidden-403", `${origin}/w/bob-private/`, 403);

        await t.step("dark mode: a page, a diff and the dashboard", async () => {
          await page.emulateMedia({ colorScheme: "dark" });
          const shots: [string, string][] = [
            ["wiki-page", `${base}/Field_notes`],
            ["diff", `${base}/-/diff/Field_notes?from=${first.revision}&to=${second.revision}`],
            ["dashboard", `${origin}/app/wikis/alice-notes`],
          ];
          for (const [name, url] of shots) {
            await page.goto(url);
            await page.screenshot({ path: `${SCREENSHOTS}${name}-dark.png`, fullPage: true });
          }
          await page.emulateMedia({ colorScheme: "light" });
        });
      } finally {
        await close();
      }
      assertEquals(findings.problems, [], "pages that scroll sideways or log errors");
    } finally {
      await f.close();
    }
  },
});

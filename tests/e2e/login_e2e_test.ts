/**
 * End to end, against a REAL local PDS (tests/peers/pds.ts) through headless Chromium, with the app on a real
 * socket:
 * 1. loopback client (local development, subdomain mode `*.localhost`): landing -> login with the account's handle
 *    -> PDS sign-in and authorize -> callback on 127.0.0.1 and login transfer -> signup with a slug -> dashboard
 *    shows the wiki and its MCP URL -> the wiki host signs in passively -> edit a page in the browser -> sign out.
 * 2. confidential client through the app's own routes: the app over TLS (private CA) as `app.peertest.net`, the
 *    PDS fetching `/auth/client-metadata.json` and `/auth/jwks.json` from it, `private_key_jwt`, Secure cookies.
 * Screenshots of landing, login, dashboard and a wiki page (desktop and 390 px) go to .tmp/screenshots/e2e/.
 * Skips loudly without the PDS peer or Chromium; fails under CI=true.
 */
import type { Browser } from "playwright-core";
import { testConfig } from "../../lib/config.ts";
import { atprotoSealer, kvSessionStore } from "../../lib/atproto/stores.ts";
import { freePort, startPds } from "../peers/pds.ts";
import { assertEquals, assertIncludes, assertOk } from "../assert.ts";
import {
  chromiumAvailable,
  launchChromium,
  makeTestCertificates,
  PASSWORD,
  screenshots,
  serveApp,
  signInAtPds,
} from "./helpers.ts";

Deno.test({
  name: "e2e - sign in with a handle at a real PDS (loopback client), sign up, dashboard, edit a page, sign out",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    if (!(await chromiumAvailable())) return;
    const peer = await startPds();
    if (!peer) return;
    const port = freePort();
    const origin = `http://localhost:${port}`;
    const config = testConfig({
      publicOrigin: origin,
      addressing: "subdomain",
      wikiDomain: "localhost",
      atproto: { plcDirectoryUrl: peer.plcUrl, handleResolverUrl: peer.pdsUrl, allowLocalPds: true },
    });
    const served = await serveApp(config, peer, port);
    let browser: Browser | null = null;
    try {
      const alice = await peer.createAccount("alice.test", PASSWORD);
      browser = await launchChromium();
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await ctx.newPage();
      const wiki = `http://alice-notes.localhost:${port}`;

      await t.step("landing -> login form", async () => {
        await page.goto(`${origin}/`);
        assertIncludes(await page.textContent("h1") ?? "", "robot.wtf");
        await screenshots(page, "landing");
        await page.getByRole("link", { name: "Sign in and get your wiki" }).click();
        await page.waitForURL(`${origin}/auth/login`);
        await screenshots(page, "login");
      });

      await t.step("an unknown handle is reported on the form", async () => {
        await page.getByLabel("Handle, DID or PDS address").fill("nobody.test");
        await page.getByRole("button", { name: "Sign in" }).click();
        await page.waitForURL(`${origin}/auth/login`);
        assertIncludes(await page.textContent(".form-error") ?? "", "nobody.test");
        assertEquals(await page.inputValue("#identifier"), "nobody.test");
        await screenshots(page, "login-error");
      });

      await t.step("handle -> PDS sign-in and authorize -> back signed in, on signup", async () => {
        await page.getByLabel("Handle, DID or PDS address").fill("alice.test");
        await page.getByRole("button", { name: "Sign in" }).click();
        await page.waitForURL((u) => u.origin === peer.pdsUrl);
        await signInAtPds(page);
        await page.waitForURL(`${origin}/auth/signup`);
        assertIncludes(await page.textContent("h1") ?? "", "Welcome, alice.test");
        assertEquals(await page.inputValue("#slug"), "alice");
        const cookies = await ctx.cookies(origin);
        const session = cookies.find((c) => c.name === "rw_session");
        assertOk(session, "signed in on the public origin");
        assertEquals(session.httpOnly, true);
        assertEquals(session.sameSite, "Lax");
        assertEquals((await ctx.cookies("http://127.0.0.1:" + port)).some((c) => c.name === "rw_session"), false);
        const record = await served.app.deps.sessions.get(session.value, origin);
        assertEquals(record?.did, alice.did);
        await screenshots(page, "signup");
      });

      await t.step("signup with a slug -> dashboard shows the wiki and its MCP URL", async () => {
        await page.fill("#slug", "alice-notes");
        await page.getByRole("button", { name: "Create my wiki" }).click();
        await page.waitForURL(`${origin}/app/`);
        const text = await page.textContent("main") ?? "";
        assertIncludes(text, "alice-notes");
        assertIncludes(text, `${wiki}/mcp`);
        const created = await served.app.deps.wikis.bySlug("alice-notes");
        assertEquals(created?.ownerDid, alice.did);
        assertEquals(created?.visibility, "private");
        await screenshots(page, "dashboard");
      });

      await t.step("the private wiki signs in passively and a page is edited in the browser", async () => {
        await page.goto(`${wiki}/`);
        await page.waitForURL(`${wiki}/`);
        assertIncludes(await page.textContent(".auth-nav") ?? "", "alice.test");
        await screenshots(page, "wiki-home");
        await page.goto(`${wiki}/-/edit/Home`);
        await page.fill("#edit-content", "# Home\n\nNotes kept by [[Agents]] and by me, edited in Chromium.\n");
        await page.getByRole("button", { name: "Save", exact: true }).click();
        await page.waitForURL(`${wiki}/Home`);
        assertIncludes(await page.textContent("main") ?? "", "edited in Chromium");
        const store = served.app.deps.wikis.pages((await served.app.deps.wikis.bySlug("alice-notes"))!);
        const home = await store.read("Home");
        assertIncludes(home.content, "edited in Chromium");
        await screenshots(page, "wiki-page");
      });

      await t.step("sign out on the wiki ends the wiki's and the platform's session", async () => {
        await page.getByRole("button", { name: "Sign out" }).click();
        await page.waitForURL(`${wiki}/`);
        assertIncludes(await page.textContent("main") ?? "", "This wiki is private");
        await screenshots(page, "wiki-private-signed-out");
        await page.goto(`${origin}/`);
        assertOk(await page.getByRole("link", { name: "Sign in", exact: true }).isVisible(), "platform signed out");
        assertEquals(await served.kv.get(["atproto_session", alice.did]).then((e) => e.value), null);
      });
      await ctx.close();
    } finally {
      await browser?.close();
      await served.close();
      await peer.stop();
    }
  },
});

/** Host name of the confidential test app: not a "local" TLD (the PDS refuses those for client_ids). */
const APP_HOST = "app.peertest.net";

Deno.test({
  name: "e2e - confidential client through the app's own routes (TLS, private CA, private_key_jwt)",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    if (!(await chromiumAvailable())) return;
    const tls = await makeTestCertificates(APP_HOST);
    const peer = await startPds({ loopbackHosts: [APP_HOST], extraCaFile: tls.caFile });
    if (!peer) {
      await Deno.remove(tls.dir, { recursive: true });
      return;
    }
    const port = freePort();
    const origin = `https://${APP_HOST}:${port}`;
    const config = testConfig({
      publicOrigin: origin,
      atproto: { plcDirectoryUrl: peer.plcUrl, handleResolverUrl: peer.pdsUrl, allowLocalPds: true },
    });
    const served = await serveApp(config, peer, port, tls);
    let browser: Browser | null = null;
    try {
      assertEquals(served.app.deps.atproto.mode, "confidential");
      const carol = await peer.createAccount("carol.test", PASSWORD);
      browser = await launchChromium([APP_HOST]);
      const ctx = await browser.newContext({ ignoreHTTPSErrors: true });
      const page = await ctx.newPage();
      await page.goto(`${origin}/auth/login`);
      await page.getByLabel("Handle, DID or PDS address").fill("carol.test");
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL((u) => u.origin === peer.pdsUrl);
      await signInAtPds(page);
      await page.waitForURL(`${origin}/auth/signup`);
      const session = (await ctx.cookies(origin)).find((c) => c.name === "rw_session");
      assertOk(session);
      assertEquals(session.secure, true);
      // Sealed at rest: read through a store with the app's own key registry.
      const sessions = kvSessionStore(served.kv, { sealer: atprotoSealer(served.app.deps.keys) });
      const stored = await sessions.get(carol.did);
      assertEquals(stored?.authMethod.method, "private_key_jwt");
      await page.fill("#slug", "carol");
      await page.getByRole("button", { name: "Create my wiki" }).click();
      await page.waitForURL(`${origin}/app/`);
      assertIncludes(await page.textContent("main") ?? "", `${origin}/w/carol/mcp`);
      await ctx.close();
    } finally {
      await browser?.close();
      await served.close();
      await peer.stop();
      await Deno.remove(tls.dir, { recursive: true });
    }
  },
});

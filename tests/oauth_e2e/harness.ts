/**
 * @module
 * Shared setup of the OAuth end-to-end tests against real third-party clients: the whole app on a real loopback
 * socket (`Deno.serve`, port 0, `:memory:` KV) in path or subdomain mode with wiki `alice` owned by {@link OWNER}
 * (optionally, in path mode, as `PRIMARY_WIKI`: then the peer targets the origin root's issuer and `{origin}/mcp`;
 * optionally over TLS with a throwaway private CA, for peers that refuse a non-https token endpoint on
 * `alice.localhost`), a fetch that reaches `{slug}.localhost` wikis (which only Chromium resolves) by using the app's
 * own socket as an HTTP proxy (over TLS: a loopback-pinned fetch trusting the CA), headless Chromium signed in as
 * the owner on the wiki's origin, and the click on the consent page.
 *
 * Peers that are absent (Chromium, Node, an npm package) make a test skip loudly, and FAIL under `CI=true`
 * ({@link peerMissing}).
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { App } from "../../main.ts";
import { appFixture } from "../fixture/app.ts";
import { CHROMIUM, launchChromium } from "../browser/chromium.ts";
import type { FetchLike } from "../../lib/net/safe_fetch.ts";
import type { WikiRecord } from "../../lib/wiki/types.ts";
import { loopbackFetch, makeTestCertificates } from "../e2e/helpers.ts";

/** Addressing mode under test. */
export type Mode = "path" | "subdomain";

/** The signed-in person who owns wiki `alice` and clicks Approve. */
export const OWNER = { did: "did:plc:e2eowner00000000000000000", handle: "owner.test", displayName: null };

/** The system Chromium (apt package `chromium`). */
export { CHROMIUM };

/** Where consent-page screenshots go (ignored by git). */
const SCREENSHOTS = new URL("../../.tmp/screenshots/oauth_e2e/", import.meta.url).pathname;

/** True under CI, where a missing peer is a failure rather than a skip. */
export const ON_CI = Deno.env.get("CI") === "true";

/**
 * Reports a missing peer: throws under `CI=true`, otherwise prints a loud warning. Returns true when the caller
 * should return early (skip).
 */
export function peerMissing(what: string, howToInstall: string): boolean {
  const msg = `${what} is not available (${howToInstall})`;
  if (ON_CI) throw new Error(`${msg}; it is required under CI=true`);
  console.warn(`\n!!!!! SKIPPED: ${msg}\n!!!!! (this test fails under CI=true)\n`);
  return true;
}

/** True when a file exists. */
export function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** A running app on a loopback socket. */
export interface E2eApp {
  mode: Mode;
  /** True when `alice` is `PRIMARY_WIKI` and the peer targets the origin root's issuer and `{origin}/mcp`. */
  primary: boolean;
  /** The private CA's PEM file when the app is served over TLS (`https://localhost:P`, `https://alice.localhost:P`). */
  caFile: string | null;
  app: App;
  port: number;
  wiki: WikiRecord;
  /**
   * The wiki's origin (`http://localhost:P` in path mode, `http://alice.localhost:P` in subdomain mode; https with
   * TLS).
   */
  wikiOrigin: string;
  /** The OAuth issuer under test: the wiki's base URL, or the origin with {@link E2eApp.primary}; endpoints are under it. */
  issuer: string;
  /** The MCP URL under test: the wiki's, or `{origin}/mcp` with {@link E2eApp.primary}. */
  mcpUrl: string;
  /** A fetch over the real socket that also reaches `*.localhost` hosts (through the app socket as a proxy). */
  fetch: FetchLike;
  /** Requests the app received, as `METHOD path` (for asserting what a peer did). */
  seen: string[];
  close(): Promise<void>;
}

/** Options of {@link startApp}. */
export interface StartOptions {
  /** The app's outbound fetch (client ID metadata documents). */
  outboundFetch?: FetchLike;
  /** Path mode only: make `alice` the `PRIMARY_WIKI` and point {@link E2eApp.issuer}/`mcpUrl` at the origin root. */
  primaryWiki?: boolean;
  /**
   * Serve over TLS with a certificate for `localhost` and `alice.localhost` from a throwaway CA
   * ({@link E2eApp.caFile}).
   */
  tls?: boolean;
}

/** Serves the app in `mode` on 127.0.0.1 with wiki `alice` owned by {@link OWNER}. */
export async function startApp(mode: Mode, opts: StartOptions = {}): Promise<E2eApp> {
  const primary = opts.primaryWiki === true;
  if (primary && mode !== "path") throw new Error("PRIMARY_WIKI exists only in path mode");
  const seen: string[] = [];
  const certs = opts.tls ? await makeTestCertificates(["localhost", "alice.localhost"]) : null;
  const scheme = certs ? "https" : "http";
  const f = await appFixture({
    serve: {
      tls: certs ? { cert: certs.cert, key: certs.key } : undefined,
      through: (req, app) => {
        const u = new URL(req.url);
        seen.push(`${req.method} ${u.host}${u.pathname}`);
        return app.fetch(req);
      },
    },
    addressing: mode,
    config: (port) => ({ publicOrigin: `${scheme}://localhost:${port}`, ...(primary ? { primaryWiki: "alice" } : {}) }),
    app: opts.outboundFetch ? { outboundFetch: opts.outboundFetch } : {},
    wikis: [{ slug: "alice", ownerDid: OWNER.did, actor: { id: OWNER.did, name: OWNER.handle, client: "web" } }],
  });
  const { app, port, wikis: { alice: wiki } } = f;
  // Deno's fetch neither resolves *.localhost nor lets a caller set Host: send every request to the app's socket
  // as an HTTP proxy (absolute-form request line, real Host header). Over TLS the socket is no proxy: a fetch that
  // pins loopback names to 127.0.0.1 and trusts the test CA.
  const client = Deno.createHttpClient({ proxy: { url: `http://127.0.0.1:${port}` } });
  const fetchVia: FetchLike = certs ? loopbackFetch([certs.ca]) : (input, init) => {
    const req = new Request(input, init);
    return fetch(req, { client } as RequestInit);
  };
  const urls = app.deps.urls;
  return {
    mode,
    primary,
    caFile: certs?.caFile ?? null,
    app,
    port,
    wiki,
    wikiOrigin: urls.wikiOrigin("alice"),
    issuer: primary ? urls.origin : urls.issuer("alice"),
    mcpUrl: primary ? urls.rootMcp() : urls.mcp("alice"),
    fetch: fetchVia,
    seen,
    close: async () => {
      client.close();
      await f.close();
      if (certs) await Deno.remove(certs.dir, { recursive: true }).catch(() => {});
    },
  };
}

/** `METHOD host/path` of the endpoint `path` of the issuer under test, as {@link E2eApp.seen} records requests. */
export function seenAt(e: E2eApp, method: string, path: string): string {
  const u = new URL(`${e.issuer}${path}`);
  return `${method} ${u.host}${u.pathname}`;
}

/** Headless Chromium with the wiki owner signed in on the wiki's origin. */
export interface SignedInBrowser {
  browser: Browser;
  context: BrowserContext;
  close(): Promise<void>;
}

/** Launches Chromium and adds the owner's `rw_session` cookie for the wiki's origin. */
export async function signedInBrowser(e: E2eApp): Promise<SignedInBrowser> {
  const browser = await launchChromium({ loopbackHosts: ["*.localhost"] });
  // Over TLS the page is signed by the test's private CA, which this Chromium profile does not know.
  const context = await browser.newContext({ ignoreHTTPSErrors: e.caFile !== null });
  const { id } = await e.app.deps.sessions.create(OWNER, e.wikiOrigin);
  await context.addCookies([{ name: "rw_session", value: id, url: e.wikiOrigin }]);
  return {
    browser,
    context,
    close: async () => {
      await context.close().catch(() => {});
      await browser.close().catch(() => {});
    },
  };
}

/** What the consent page showed and where Approve sent the browser. */
export interface ConsentResult {
  /** The callback URL the browser was sent to (with `code`, `state`, `iss`). */
  callback: URL;
  /** The consent page's heading. */
  heading: string;
  /** The consent page's text (client name, redirect host, scopes, user). */
  text: string;
}

/**
 * Opens `authorizeUrl` in a new page, checks that the consent page (not an error) is shown, clicks Approve and
 * returns the callback URL (a URL starting with `redirectPrefix`). With `intercept` the callback is answered by the
 * browser itself (no server needed at the redirect URI); otherwise it must really reach the client's listener.
 * `screenshot` names a PNG of the consent page in .tmp/screenshots/oauth_e2e/.
 */
export async function approveInChromium(
  b: SignedInBrowser,
  authorizeUrl: string,
  redirectPrefix: string,
  opts: { intercept?: boolean; timeoutMs?: number; screenshot?: string } = {},
): Promise<ConsentResult> {
  const timeout = opts.timeoutMs ?? 15_000;
  const page: Page = await b.context.newPage();
  try {
    const isCallback = (u: string) => u.startsWith(redirectPrefix);
    if (opts.intercept) {
      await page.route((u) => isCallback(u.href), (route) => route.fulfill({ status: 200, body: "callback ok" }));
    }
    const callbackSeen = page.waitForRequest((r) => isCallback(r.url()), { timeout });
    const res = await page.goto(authorizeUrl, { timeout });
    const heading = (await page.locator("h1").first().textContent({ timeout }))?.trim() ?? "";
    const text = (await page.locator("main, body").first().innerText({ timeout })).replace(/\s+/g, " ");
    if (res?.status() !== 200 || !(await page.locator("button.consent-approve").count())) {
      throw new Error(`no consent page at ${authorizeUrl} (HTTP ${res?.status()}): ${heading} — ${text.slice(0, 400)}`);
    }
    if (opts.screenshot) {
      await Deno.mkdir(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: `${SCREENSHOTS}${opts.screenshot}.png`, fullPage: true });
    }
    await page.locator("button.consent-approve").click({ timeout });
    const req = await callbackSeen.catch(async (err) => {
      const now = (await page.locator("body").innerText().catch(() => "")).replace(/\s+/g, " ").slice(0, 600);
      throw new Error(`Approve did not reach ${redirectPrefix}: the browser is at ${page.url()}: ${now}`, {
        cause: err,
      });
    });
    return { callback: new URL(req.url()), heading, text };
  } finally {
    await page.close().catch(() => {});
  }
}

/** A free loopback TCP port (bound once and released; fine for tests that start a listener right after). */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Tells waiters that something they check may have changed (e.g. a child process printed a line). */
export class Changes {
  #waiters: (() => void)[] = [];
  /** Wakes every waiter. */
  notify(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }
  /** Resolves at the next {@link notify}. */
  next(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}

/**
 * Waits until `check` returns a value, or throws `what` after `timeoutMs` (a hang guard). With `changes`, `check`
 * runs again at each {@link Changes.notify} (state this process updates, such as a child's output); without, it
 * polls every 50 ms, for state only another process changes (a file it writes), which sends this one no event.
 */
export async function waitFor<T>(
  check: () => T | null | undefined,
  timeoutMs: number,
  what: string,
  changes?: Changes,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const next = changes?.next();
    const v = check();
    if (v !== null && v !== undefined) return v;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const pause = new Promise((r) => timer = setTimeout(r, changes ? deadline - Date.now() : 50));
    await (next ? Promise.race([next, pause]) : pause);
    clearTimeout(timer);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

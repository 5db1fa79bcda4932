/**
 * End-to-end ATProto login against a REAL local PDS (tests/peers/pds.ts) driven by headless Chromium: the loopback
 * client (local development mode) signs in, is refused on denial, a replayed or forged callback, an unknown handle
 * and an unreachable PDS; then logs out. Skips loudly when the peer is not installed, fails under CI=true.
 */
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "../browser/chromium.ts";
import { makeTestCertificates } from "../e2e/helpers.ts";
import { clientMetadataDocument, createAtprotoLogin, jwksDocument, LoginError } from "../../lib/atproto/client.ts";
import { testConfig } from "../../lib/config.ts";
import { loadKeyRing } from "../../lib/keys.ts";
import { createIdentityResolver } from "../../lib/atproto/identity.ts";
import { AtprotoKeys } from "../../lib/atproto/stores.ts";
import { atprotoSealer, kvSessionStore, kvStateStore } from "../../lib/atproto/stores.ts";
import { createSafeFetch, type FetchLike, UNSAFE_ALLOW_LOOPBACK_FOR_TESTS } from "../../lib/net/safe_fetch.ts";
import { freePort, type PdsPeer, startPds } from "../peers/pds.ts";
import { assertEquals, assertOk } from "../assert.ts";

const PASSWORD = "hunter2-correct-horse";

/** A callback server on 127.0.0.1 that hands each `/auth/callback` query to the test. */
export function callbackServer(
  port: number,
  serveOptions: Partial<Deno.ServeTcpOptions & Deno.TlsCertifiedKeyPem> = {},
) {
  const waiting: ((p: URLSearchParams) => void)[] = [];
  const received: URLSearchParams[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {}, ...serveOptions }, (req) => {
    const url = new URL(req.url);
    if (url.pathname !== "/auth/callback") return new Response("not found", { status: 404 });
    const next = waiting.shift();
    if (next) next(url.searchParams);
    else received.push(url.searchParams);
    return new Response("signed in", { headers: { "content-type": "text/plain" } });
  });
  return {
    server,
    next(timeoutMs = 20_000): Promise<URLSearchParams> {
      const ready = received.shift();
      if (ready) return Promise.resolve(ready);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no callback arrived")), timeoutMs);
        waiting.push((p) => {
          clearTimeout(timer);
          resolve(p);
        });
      });
    },
  };
}

/** Drives the PDS's sign-in page (the identifier is pre-filled, read-only, from login_hint). */
export async function signInAtPds(page: Page, url: URL, opts: { password?: string } = {}) {
  await page.goto(url.href);
  await page.getByPlaceholder("Enter your password").fill(opts.password ?? PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
}

async function expectLoginError(p: Promise<unknown>, code: string): Promise<LoginError> {
  try {
    await p;
  } catch (err) {
    assertOk(err instanceof LoginError, `expected LoginError, got ${err}`);
    assertEquals(err.code, code, `wrong code; message: ${err.message}`);
    return err;
  }
  throw new Error(`expected LoginError ${code}, got success`);
}

Deno.test({
  name: "ATProto loopback client signs in at a real PDS, and refuses denied, replayed and forged callbacks",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const peer: PdsPeer | null = await startPds();
    if (!peer) return; // startPds warned loudly (and throws under CI=true)
    const kv = await Deno.openKv(":memory:");
    const port = freePort();
    const cb = callbackServer(port);
    let browser: Browser | null = null;
    try {
      const alice = await peer.createAccount("alice.test", PASSWORD);
      const bob = await peer.createAccount("bob.test", PASSWORD);
      const safeFetch = loopbackSafeFetch();
      const login = createAtprotoLogin({
        kv,
        publicOrigin: `http://localhost:${port}`,
        identity: peerIdentity(peer, safeFetch),
        plcDirectoryUrl: peer.plcUrl,
        allowHttp: true,
        env: "development",
        fetch: safeFetch,
      });
      assertEquals(login.mode, "loopback");
      assertEquals(login.redirectUri, `http://127.0.0.1:${port}/auth/callback`);
      browser = await launchChromium();
      const b = browser;

      await t.step("sign in, consent, callback: sub is the account's DID", async () => {
        const url = await login.start("@Alice.test", { returnTo: `http://localhost:${port}/app/` });
        assertEquals(url.origin, peer.pdsUrl);
        assertEquals(url.searchParams.get("client_id"), login.clientId);
        const ctx = await b.newContext();
        const page = await ctx.newPage();
        await signInAtPds(page, url);
        await page.getByRole("button", { name: "Authorize" }).click();
        const params = await cb.next();
        await ctx.close();
        assertEquals(params.get("iss"), peer.pdsUrl);
        const result = await login.finish(params);
        assertEquals(result, {
          did: alice.did,
          handle: "alice.test",
          returnTo: `http://localhost:${port}/app/`,
          binding: null,
        });

        // The tokens are real: a DPoP-bound call to the PDS answers for alice.
        const session = await (await login.oauthClient()).restore(alice.did, false);
        const res = await session.fetchHandler("/xrpc/com.atproto.server.getSession");
        assertEquals(res.status, 200);
        assertEquals((await res.json()).did, alice.did);
        assertOk((await kv.get(AtprotoKeys.atprotoSession(alice.did))).value, "session stored in KV");

        // The same callback again: the state was consumed.
        await expectLoginError(login.finish(params), "expired");
      });

      await t.step("logout revokes the tokens and deletes the session", async () => {
        const stored = (await kv.get(AtprotoKeys.atprotoSession(alice.did))).value;
        assertOk(stored);
        await login.logout(alice.did);
        assertEquals((await kv.get(AtprotoKeys.atprotoSession(alice.did))).value, null);
        await expectRejects((async () => (await login.oauthClient()).restore(alice.did, false))());
        // Put the old tokens back: the PDS no longer honours them (revoked at logout, not just forgotten).
        await kv.set(AtprotoKeys.atprotoSession(alice.did), stored);
        const session = await (await login.oauthClient()).restore(alice.did, false);
        const res = await session.fetchHandler("/xrpc/com.atproto.server.getSession");
        assertEquals(res.status, 401);
        await res.body?.cancel();
        await kv.delete(AtprotoKeys.atprotoSession(alice.did));
      });

      await t.step("denying at the PDS gives access_denied", async () => {
        const url = await login.start("bob.test");
        const ctx = await b.newContext();
        const page = await ctx.newPage();
        await signInAtPds(page, url);
        await page.getByRole("button", { name: "Deny access" }).click();
        const params = await cb.next();
        await ctx.close();
        assertEquals(params.get("error"), "access_denied");
        const err = await expectLoginError(login.finish(params), "access_denied");
        assertEquals(
          err.message,
          "You declined the sign-in at your PDS, so you are not signed in. You can try again at any time.",
        );
        assertEquals((await kv.get(AtprotoKeys.atprotoSession(bob.did))).value, null);
      });

      await t.step("a callback with another issuer is refused", async () => {
        await login.start("bob.test");
        const state = await onlyPendingState(kv);
        const forged = new URLSearchParams({ state, iss: "https://evil.example.com", code: "cod-forged" });
        await expectLoginError(login.finish(forged), "invalid_callback");
        // ...and the attempt is gone (no second try with the same state).
        await expectLoginError(login.finish(forged), "expired");
      });

      await t.step("unknown state, unknown handle, unreachable PDS", async () => {
        await expectLoginError(login.finish(new URLSearchParams({ state: "nope", code: "x" })), "expired");
        await expectLoginError(login.finish(new URLSearchParams({ code: "x" })), "invalid_callback");
        const unknown = await expectLoginError(login.start("nobody.test"), "unknown_handle");
        assertOk(unknown.message.includes("nobody.test"), unknown.message);
        await expectLoginError(login.start("not a handle!"), "invalid_input");
        const closed = freePort();
        await expectLoginError(login.start(`http://127.0.0.1:${closed}`), "pds_unreachable");
      });

      await t.step("signing in as another account than the one entered is refused", async () => {
        // The PDS locks the identifier field to the login hint, so a person cannot switch accounts there; simulate
        // a PDS that lets them by rewriting the expected DID of bob's pending login to alice's.
        const url = await login.start("bob.test");
        const state = await onlyPendingState(kv);
        // (States are sealed at rest; the loopback client here has no key registry, so its store uses the
        // process's ephemeral sealing key, which a second store in this process shares.)
        const states = kvStateStore(kv);
        const pending = (await states.get(state))!;
        assertEquals(JSON.parse(String(pending.appState)).expectedDid, bob.did);
        await states.set(state, { ...pending, appState: JSON.stringify({ expectedDid: alice.did, returnTo: null }) });
        const ctx = await b.newContext();
        const page = await ctx.newPage();
        await signInAtPds(page, url);
        await page.getByRole("button", { name: "Authorize" }).click();
        const params = await cb.next();
        await ctx.close();
        await expectLoginError(login.finish(params), "account_mismatch");
        assertEquals(
          (await kv.get(AtprotoKeys.atprotoSession(bob.did))).value,
          null,
          "bob's tokens were revoked and deleted",
        );
      });
    } finally {
      await browser?.close();
      await cb.server.shutdown();
      kv.close();
      await peer.stop();
    }
  },
});

/**
 * The SSRF-safe fetch with the test-only loopback opt-in, and a resolver that knows only `localhost` (no DNS packet
 * leaves the machine). Its own connection pinning for http (a proxy-mode `Deno.createHttpClient`) sends
 * absolute-form request targets, which the PDS's OAuth routes answer with 404, so the underlying fetch is injected:
 * every hop is still checked by the guard.
 */
export function loopbackSafeFetch(): FetchLike {
  return createSafeFetch({
    env: "development",
    allowHttp: true,
    allowLoopback: UNSAFE_ALLOW_LOOPBACK_FOR_TESTS,
    resolve: (host) => host === "localhost" ? Promise.resolve(["127.0.0.1"]) : Promise.reject(new Error(`no ${host}`)),
    fetch: (input, init) => fetch(input, init),
  });
}

/**
 * Identity resolution against the peer: `*.test` handles resolve only through the PDS's XRPC resolveHandle (no DNS
 * TXT; the PDS's well-known answers by Host header, which fetch cannot set), DIDs through the in-memory PLC.
 */
export function peerIdentity(peer: PdsPeer, safeFetch: FetchLike) {
  return createIdentityResolver({
    fetch: safeFetch,
    plcDirectoryUrl: peer.plcUrl,
    handleResolverServiceUrl: peer.pdsUrl,
    allowHttp: true,
    resolveTxt: () => Promise.resolve([]),
    handleWellKnownUrl: () => `${peer.pdsUrl}/.well-known/atproto-did`,
  });
}

async function onlyPendingState(kv: Deno.Kv): Promise<string> {
  const states: string[] = [];
  for await (const e of kv.list({ prefix: ["atproto_state"] })) states.push(String(e.key[1]));
  assertEquals(states.length, 1, "exactly one pending login");
  return states[0];
}

async function expectRejects(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch {
    return;
  }
  throw new Error("expected a rejection");
}

/** Host name of the confidential test app: not a "local" TLD (the PDS refuses those for client_ids), mapped to loopback. */
const APP_HOST = "app.peertest.net";

Deno.test({
  name: "ATProto confidential client (private_key_jwt, app over TLS with a private CA) signs in at a real PDS",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const tls = await makeTestCertificates(APP_HOST);
    const peer = await startPds({ loopbackHosts: [APP_HOST], extraCaFile: tls.caFile });
    if (!peer) {
      await Deno.remove(tls.dir, { recursive: true });
      return;
    }
    const kv = await Deno.openKv(":memory:");
    const port = freePort();
    const origin = `https://${APP_HOST}:${port}`;
    const keys = await loadKeyRing(kv, testConfig({ publicOrigin: origin }));
    const requested: string[] = [];
    const waiting: ((p: URLSearchParams) => void)[] = [];
    // The app's three ATProto routes, served over TLS from 127.0.0.1.
    const server = Deno.serve(
      { hostname: "127.0.0.1", port, cert: tls.cert, key: tls.key, onListen: () => {} },
      (req) => {
        const url = new URL(req.url);
        requested.push(url.pathname);
        if (url.pathname === "/auth/client-metadata.json") return Response.json(clientMetadataDocument(origin));
        if (url.pathname === "/auth/jwks.json") return Response.json(jwksDocument(keys));
        if (url.pathname === "/auth/callback") {
          waiting.shift()?.(url.searchParams);
          return new Response("signed in");
        }
        return new Response("not found", { status: 404 });
      },
    );
    let browser: Browser | null = null;
    try {
      const carol = await peer.createAccount("carol.test", PASSWORD);
      const safeFetch = loopbackSafeFetch();
      const login = createAtprotoLogin({
        kv,
        publicOrigin: origin,
        keys,
        identity: peerIdentity(peer, safeFetch),
        plcDirectoryUrl: peer.plcUrl,
        allowHttp: true,
        env: "development",
        fetch: safeFetch,
      });
      assertEquals(login.mode, "confidential");
      assertEquals(login.clientId, `${origin}/auth/client-metadata.json`);

      const url = await login.start("carol.test", { returnTo: `${origin}/app/` });
      // The PDS fetched our metadata and keys to verify the PAR's client assertion.
      assertOk(requested.includes("/auth/client-metadata.json"), `requested: ${requested}`);
      assertOk(requested.includes("/auth/jwks.json"), `requested: ${requested}`);

      browser = await launchChromium({ loopbackHosts: [APP_HOST] });
      const ctx = await browser.newContext({ ignoreHTTPSErrors: true });
      const page = await ctx.newPage();
      const callback = new Promise<URLSearchParams>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no callback arrived")), 20_000);
        waiting.push((p) => {
          clearTimeout(timer);
          resolve(p);
        });
      });
      await signInAtPds(page, url);
      await page.getByRole("button", { name: "Authorize" }).click();
      const params = await callback;
      await ctx.close();

      const result = await login.finish(params);
      assertEquals(result, { did: carol.did, handle: "carol.test", returnTo: `${origin}/app/`, binding: null });
      const stored = await kvSessionStore(kv, { sealer: atprotoSealer(keys) }).get(carol.did);
      assertEquals(stored?.authMethod, { method: "private_key_jwt", kid: keys.atprotoClientKey().kid });
      await login.logout(carol.did);
      assertEquals((await kv.get(AtprotoKeys.atprotoSession(carol.did))).value, null);
    } finally {
      await browser?.close();
      await server.shutdown();
      kv.close();
      await peer.stop();
      await Deno.remove(tls.dir, { recursive: true });
    }
  },
});

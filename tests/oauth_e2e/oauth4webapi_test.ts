/**
 * oauth4webapi 3.8.8, a strict spec-following OAuth client, against a wiki's authorization server on a real
 * loopback socket: RFC 9728 resource discovery -> RFC 8414 discovery (exact issuer) -> RFC 7591 registration of a
 * confidential client -> PKCE S256 authorization with `resource` (consent approved in headless Chromium by the
 * owner) -> RFC 9207 `iss` validation -> code exchange -> bearer MCP call -> refresh (rotation) -> RFC 7009
 * revocation of an access token and then of a refresh token (which ends the grant). Plain http is allowed for
 * these loopback hosts only; the test first shows the client refuses it otherwise.
 *
 * Needs /usr/bin/chromium: skipped loudly without it, FAILS under CI=true.
 */
import * as oauth from "oauth4webapi";
import { assertEquals, assertIncludes, assertOk } from "../assert.ts";
import {
  approveInChromium,
  CHROMIUM,
  type E2eApp,
  exists,
  type Mode,
  peerMissing,
  signedInBrowser,
  startApp,
} from "./harness.ts";

const REDIRECT = "http://127.0.0.1:7364/cb";

/** Options for a loopback request: http allowed only because the host is loopback; the app's socket as transport. */
function loopbackOptions(e: E2eApp, url: string | URL) {
  const host = new URL(url).hostname;
  assertOk(host === "localhost" || host.endsWith(".localhost") || host === "127.0.0.1", `${url} is not loopback`);
  const viaApp = (u: string, init: oauth.CustomFetchOptions<string, oauth.ProtectedResourceRequestBody>) =>
    e.fetch(u, init as RequestInit);
  return { [oauth.allowInsecureRequests]: true, [oauth.customFetch]: viaApp } as const;
}

/** tools/call read_note Home with a bearer token through oauth4webapi's protected-resource request. */
async function readHome(e: E2eApp, token: string): Promise<Response> {
  const headers = new Headers({ "content-type": "application/json", accept: "application/json, text/event-stream" });
  const body = JSON.stringify({
    jsonrpc: "2.0",
    id: 1,
    method: "tools/call",
    params: { name: "read_note", arguments: { path: "Home" } },
  });
  return await oauth.protectedResourceRequest(
    token,
    "POST",
    new URL(e.mcpUrl),
    headers,
    body,
    loopbackOptions(e, e.mcpUrl),
  );
}

/** Expects the MCP endpoint to refuse `token` with 401 invalid_token (oauth4webapi raises the challenge). */
async function expectRefused(e: E2eApp, token: string): Promise<void> {
  try {
    const res = await readHome(e, token);
    throw new Error(`expected 401, got ${res.status}: ${await res.text()}`);
  } catch (err) {
    assertOk(err instanceof oauth.WWWAuthenticateChallengeError, String(err));
    assertEquals(err.status, 401);
    assertEquals(err.cause[0].scheme, "bearer");
    assertEquals(err.cause[0].parameters.error, "invalid_token");
  }
}

async function flow(mode: Mode, authMethod: "client_secret_basic" | "client_secret_post"): Promise<void> {
  if (!exists(CHROMIUM)) {
    peerMissing("Chromium (/usr/bin/chromium)", "apt-get install -y chromium");
    return;
  }
  const e = await startApp(mode);
  const browser = await signedInBrowser(e);
  try {
    const resource = new URL(e.mcpUrl);
    // Strict by default: plain http is refused unless the caller opts in.
    let refused = false;
    try {
      await oauth.resourceDiscoveryRequest(resource, { [oauth.customFetch]: e.fetch });
    } catch (err) {
      refused = err instanceof TypeError || (err as { code?: string }).code === "OAUTH_HTTP_REQUEST_FORBIDDEN";
    }
    assertOk(refused, "oauth4webapi must refuse http without allowInsecureRequests");

    // RFC 9728: the protected resource names this wiki's issuer; the document's resource is exactly the MCP URL.
    const prm = await oauth.processResourceDiscoveryResponse(
      resource,
      await oauth.resourceDiscoveryRequest(resource, loopbackOptions(e, resource)),
    );
    assertEquals(prm.resource, e.mcpUrl);
    assertEquals(prm.authorization_servers, [e.issuer]);

    // RFC 8414: issuer must equal the URL the metadata was derived from (path-inserted in path mode).
    const issuer = new URL(prm.authorization_servers![0]);
    const as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { ...loopbackOptions(e, issuer), algorithm: "oauth2" }),
    );
    assertEquals(as.issuer, e.issuer);
    assertEquals(as.code_challenge_methods_supported, ["S256"]);
    assertEquals(as.authorization_response_iss_parameter_supported, true);

    // RFC 7591: a confidential client with the requested method gets a secret that never expires.
    const reg = await oauth.processDynamicClientRegistrationResponse(
      await oauth.dynamicClientRegistrationRequest(as, {
        client_name: `oauth4webapi ${mode}`,
        redirect_uris: [REDIRECT],
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        token_endpoint_auth_method: authMethod,
      }, loopbackOptions(e, as.registration_endpoint!)),
    );
    assertEquals(reg.token_endpoint_auth_method, authMethod);
    assertEquals(reg.client_secret_expires_at, 0);
    const secret = reg.client_secret as string;
    assertOk(typeof secret === "string" && secret.length >= 32, "a confidential client needs a secret");
    const client: oauth.Client = { client_id: reg.client_id, token_endpoint_auth_method: authMethod };
    const clientAuth = authMethod === "client_secret_basic"
      ? oauth.ClientSecretBasic(secret)
      : oauth.ClientSecretPost(secret);

    // PKCE S256 + state + resource; the owner approves in Chromium.
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const authUrl = new URL(as.authorization_endpoint!);
    for (
      const [k, v] of Object.entries({
        client_id: client.client_id,
        redirect_uri: REDIRECT,
        response_type: "code",
        scope: "wiki:read wiki:write",
        state,
        code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
        code_challenge_method: "S256",
        resource: prm.resource,
      })
    ) authUrl.searchParams.set(k, v);
    const consent = await approveInChromium(browser, authUrl.href, REDIRECT, { intercept: true });
    assertIncludes(consent.heading, `oauth4webapi ${mode}`);

    // RFC 9207: a forged iss is refused, the real one passes.
    const forged = new URL(consent.callback);
    forged.searchParams.set("iss", "http://evil.localhost");
    let mixUp = false;
    try {
      oauth.validateAuthResponse(as, client, forged, state);
    } catch (err) {
      mixUp = err instanceof oauth.OperationProcessingError;
    }
    assertOk(mixUp, "a callback with another issuer must be refused");
    const params = oauth.validateAuthResponse(as, client, consent.callback, state);

    // Code exchange (client authentication as registered, the PKCE verifier, the same resource).
    const tokens = await oauth.processAuthorizationCodeResponse(
      as,
      client,
      await oauth.authorizationCodeGrantRequest(as, client, clientAuth, params, REDIRECT, verifier, {
        ...loopbackOptions(e, as.token_endpoint!),
        additionalParameters: { resource: prm.resource! },
      }),
    );
    assertEquals(tokens.token_type, "bearer");
    assertEquals(tokens.scope, "wiki:read wiki:write");
    assertOk(typeof tokens.expires_in === "number" && tokens.expires_in > 0, "expires_in");
    assertOk(tokens.refresh_token, "a refresh token without offline_access");
    const home = await readHome(e, tokens.access_token);
    assertEquals(home.status, 200);
    assertIncludes(await home.text(), "Home");

    // Replaying the code is refused (invalid_grant).
    let replay: unknown = null;
    try {
      await oauth.processAuthorizationCodeResponse(
        as,
        client,
        await oauth.authorizationCodeGrantRequest(as, client, clientAuth, params, REDIRECT, verifier, {
          ...loopbackOptions(e, as.token_endpoint!),
          additionalParameters: { resource: prm.resource! },
        }),
      );
    } catch (err) {
      replay = err;
    }
    assertOk(replay instanceof oauth.ResponseBodyError, String(replay));
    assertEquals(replay.error, "invalid_grant");
    // ...and a replay revokes what the code issued (OAuth 2.1 §4.1.3): start again with a fresh consent.
    await expectRefused(e, tokens.access_token);
    const verifier2 = oauth.generateRandomCodeVerifier();
    authUrl.searchParams.set("code_challenge", await oauth.calculatePKCECodeChallenge(verifier2));
    const consent2 = await approveInChromium(browser, authUrl.href, REDIRECT, { intercept: true });
    const t1 = await oauth.processAuthorizationCodeResponse(
      as,
      client,
      await oauth.authorizationCodeGrantRequest(
        as,
        client,
        clientAuth,
        oauth.validateAuthResponse(as, client, consent2.callback, state),
        REDIRECT,
        verifier2,
        { ...loopbackOptions(e, as.token_endpoint!), additionalParameters: { resource: prm.resource! } },
      ),
    );

    // Refresh rotates both tokens; the new access token works.
    const refresh = async (token: string) =>
      await oauth.processRefreshTokenResponse(
        as,
        client,
        await oauth.refreshTokenGrantRequest(as, client, clientAuth, token, loopbackOptions(e, as.token_endpoint!)),
      );
    const t2 = await refresh(t1.refresh_token!);
    assertOk(t2.access_token !== t1.access_token && t2.refresh_token && t2.refresh_token !== t1.refresh_token);
    assertEquals(t2.scope, "wiki:read wiki:write");
    assertEquals((await readHome(e, t2.access_token)).status, 200);

    // RFC 7009: revoking an access token stops it at once; the grant's refresh token still works.
    const revoke = async (token: string) =>
      await oauth.processRevocationResponse(
        await oauth.revocationRequest(as, client, clientAuth, token, loopbackOptions(e, as.revocation_endpoint!)),
      );
    await revoke(t2.access_token);
    await expectRefused(e, t2.access_token);
    const t3 = await refresh(t2.refresh_token!);
    assertEquals((await readHome(e, t3.access_token)).status, 200);

    // Revoking the refresh token ends the grant: its access token and the refresh token both stop.
    await revoke(t3.refresh_token!);
    await expectRefused(e, t3.access_token);
    let dead: unknown = null;
    try {
      await refresh(t3.refresh_token!);
    } catch (err) {
      dead = err;
    }
    assertOk(dead instanceof oauth.ResponseBodyError, String(dead));
    assertEquals(dead.error, "invalid_grant");
  } finally {
    await browser.close();
    await e.close();
  }
}

Deno.test({
  name: "oauth4webapi (strict): discovery, DCR, PKCE, iss, code, refresh, revocation, path mode, client_secret_basic",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () => flow("path", "client_secret_basic"),
});

Deno.test({
  name:
    "oauth4webapi (strict): discovery, DCR, PKCE, iss, code, refresh, revocation, subdomain mode, client_secret_post",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () => flow("subdomain", "client_secret_post"),
});

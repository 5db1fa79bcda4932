/**
 * The negative battery of issue 5 over HTTP: one test per attack, each refused with the exact OAuth error (and,
 * where it matters, the exact description and the absence of a redirect).
 */
import { assertEquals, assertExcludes, assertIncludes, assertOk } from "../../../assert.ts";
import { createSafeFetch } from "../../../../lib/net/safe_fetch.ts";
import {
  ALICE,
  answerConsent,
  approveFlow,
  authorizeUrl,
  CALLBACK,
  callTool,
  CLAUDE_DCR,
  connect,
  consentFields,
  type HttpFixture,
  pkce,
  postForm,
  register,
  setupHttp,
} from "./http_helpers.ts";

/** Registers Claude's confidential client and approves; returns what the token request needs. */
async function codeFor(
  f: HttpFixture,
  over: Record<string, string | null> = {},
): Promise<{ clientId: string; secret: string; code: string; verifier: string }> {
  const reg = await register(f);
  const clientId = reg.body.client_id as string;
  const { verifier, challenge } = await pkce();
  const back = await approveFlow(f, clientId, challenge, { over });
  return { clientId, secret: reg.body.client_secret as string, code: back.searchParams.get("code")!, verifier };
}

function exchange(c: { clientId: string; secret: string; code: string; verifier: string }): Record<string, string> {
  return {
    grant_type: "authorization_code",
    code: c.code,
    code_verifier: c.verifier,
    client_id: c.clientId,
    client_secret: c.secret,
    redirect_uri: CALLBACK,
  };
}

/** The redirect of a refused authorization request, checked to go to the registered callback with state and iss. */
async function redirectError(f: HttpFixture, url: string): Promise<URLSearchParams> {
  const res = await f.fetch(url, { headers: { cookie: await f.cookie(ALICE) } });
  assertEquals(res.status, 302, await res.clone().text());
  const loc = new URL(res.headers.get("location")!);
  assertEquals(loc.origin + loc.pathname, CALLBACK);
  assertEquals(loc.searchParams.get("state"), "st-123");
  assertEquals(loc.searchParams.get("iss"), f.urls.issuer("alice"));
  assertEquals(loc.searchParams.get("code"), null);
  return loc.searchParams;
}

/** An authorization error page: the status, no redirect, and the page's text. */
async function errorPage(f: HttpFixture, url: string, status: number): Promise<string> {
  const res = await f.fetch(url, { headers: { cookie: await f.cookie(ALICE) } });
  assertEquals(res.status, status);
  assertEquals(res.headers.get("location"), null);
  const html = await res.text();
  assertIncludes(html, "This connection request cannot be completed");
  return html;
}

Deno.test("code replay: invalid_grant, and the tokens issued with the code are revoked", async () => {
  const f = await setupHttp("subdomain");
  try {
    const c = await codeFor(f);
    const first = await postForm(f, "token", exchange(c));
    assertEquals(first.status, 200);
    assertEquals((await callTool(f, first.body.access_token as string, "list_notes")).status, 200);
    const again = await postForm(f, "token", exchange(c));
    assertEquals(again.status, 400);
    assertEquals(again.body, {
      error: "invalid_grant",
      error_description: "This authorization code was already used; the tokens issued with it have been revoked. " +
        "Start the authorization again.",
    });
    assertEquals(again.headers.get("cache-control"), "no-store");
    assertEquals((await callTool(f, first.body.access_token as string, "list_notes")).status, 401);
    const refresh = await postForm(f, "token", {
      grant_type: "refresh_token",
      refresh_token: first.body.refresh_token as string,
      client_id: c.clientId,
      client_secret: c.secret,
    });
    assertEquals(refresh.body.error, "invalid_grant");
  } finally {
    f.close();
  }
});

Deno.test("wrong PKCE verifier: invalid_grant", async () => {
  const f = await setupHttp("path");
  try {
    const c = await codeFor(f);
    const res = await postForm(f, "token", { ...exchange(c), code_verifier: (await pkce()).verifier });
    assertEquals(res.status, 400);
    assertEquals(res.body, {
      error: "invalid_grant",
      error_description: "The code_verifier does not match the code_challenge.",
    });
  } finally {
    f.close();
  }
});

Deno.test("plain PKCE: refused by redirect with invalid_request", async () => {
  const f = await setupHttp("path");
  try {
    const reg = await register(f);
    const url = authorizeUrl(f, reg.body.client_id as string, "x".repeat(43), { code_challenge_method: "plain" });
    const p = await redirectError(f, url);
    assertEquals(p.get("error"), "invalid_request");
    assertEquals(p.get("error_description"), "PKCE method plain is not accepted; use code_challenge_method=S256.");
  } finally {
    f.close();
  }
});

Deno.test("missing PKCE: refused by redirect with invalid_request", async () => {
  const f = await setupHttp("path");
  try {
    const reg = await register(f);
    const url = authorizeUrl(f, reg.body.client_id as string, "", {
      code_challenge: null,
      code_challenge_method: null,
    });
    const p = await redirectError(f, url);
    assertEquals(p.get("error"), "invalid_request");
    assertEquals(
      p.get("error_description"),
      "PKCE is required: send code_challenge with code_challenge_method=S256.",
    );
  } finally {
    f.close();
  }
});

Deno.test("redirect URI mismatch: an error page, never a redirect to the unregistered URI", async () => {
  const f = await setupHttp("subdomain");
  try {
    const reg = await register(f);
    const { challenge } = await pkce();
    const evil = "https://evil.example/steal";
    const html = await errorPage(
      f,
      authorizeUrl(f, reg.body.client_id as string, challenge, { redirect_uri: evil }),
      400,
    );
    assertIncludes(
      html,
      `The redirect URI ${evil} is not registered for Claude; this wiki will not send you there.`,
    );
    assertIncludes(html, "<code>invalid_request</code>");
    // Also at the token endpoint: a code bound to the callback cannot be redeemed for another URI.
    const c = await codeFor(f);
    const res = await postForm(f, "token", { ...exchange(c), redirect_uri: evil });
    assertEquals(res.body, {
      error: "invalid_grant",
      error_description: "redirect_uri differs from the one the authorization code was issued for.",
    });
  } finally {
    f.close();
  }
});

Deno.test("unknown client: an error page at /authorize, 401 invalid_client at /token", async () => {
  const f = await setupHttp("path");
  try {
    const { challenge } = await pkce();
    const html = await errorPage(f, authorizeUrl(f, "rwc_nosuchclient00000000000", challenge), 400);
    assertIncludes(html, "This application is not registered with this wiki (or its registration expired).");
    assertIncludes(html, "<code>invalid_client</code>");
    const res = await postForm(f, "token", {
      grant_type: "authorization_code",
      code: "rwac_x",
      code_verifier: "v".repeat(43),
      client_id: "rwc_nosuchclient00000000000",
      client_secret: "rwcs_x",
    });
    assertEquals(res.status, 401);
    assertEquals(res.body, {
      error: "invalid_client",
      error_description: "Unknown client: it is not registered with this wiki or its registration expired.",
    });
    assertEquals(res.headers.get("www-authenticate"), 'Basic realm="oauth", charset="UTF-8"');
    assertEquals(res.headers.get("access-control-expose-headers"), "WWW-Authenticate");
  } finally {
    f.close();
  }
});

Deno.test("wrong client secret: 401 invalid_client", async () => {
  const f = await setupHttp("path");
  try {
    const c = await codeFor(f);
    const res = await postForm(f, "token", { ...exchange(c), client_secret: c.secret + "x" });
    assertEquals(res.status, 401);
    assertEquals(res.body, { error: "invalid_client", error_description: "The client secret is wrong." });
  } finally {
    f.close();
  }
});

Deno.test("secret method mismatch: a client_secret_post client using Basic gets 401 invalid_client", async () => {
  const f = await setupHttp("path");
  try {
    const c = await codeFor(f);
    const { client_secret: _s, client_id: _i, ...rest } = exchange(c);
    const res = await postForm(f, "token", rest, { basic: [c.clientId, c.secret] });
    assertEquals(res.status, 401);
    assertEquals(res.body, {
      error: "invalid_client",
      error_description: "This client registered token_endpoint_auth_method client_secret_post; authenticate " +
        "with it (the request used client_secret_basic).",
    });
  } finally {
    f.close();
  }
});

Deno.test("a public client may not send a secret, and a confidential one may not omit it", async () => {
  const f = await setupHttp("path");
  try {
    const c = await codeFor(f);
    const { client_secret: _s, ...noSecret } = exchange(c);
    const res = await postForm(f, "token", noSecret);
    assertEquals(res.status, 401);
    assertEquals(res.body.error, "invalid_client");
    assertIncludes(res.body.error_description as string, "(the request used none)");
  } finally {
    f.close();
  }
});

Deno.test("token of wiki A on wiki B: 401 invalid_token", async () => {
  const f = await setupHttp("subdomain");
  try {
    const conn = await connect(f);
    const res = await callTool(f, conn.access, "list_notes", {}, "bob");
    assertEquals(res.status, 401);
    assertEquals(
      res.headers.get("www-authenticate"),
      `Bearer resource_metadata="http://bob.localhost:8000/.well-known/oauth-protected-resource/mcp", ` +
        `error="invalid_token", scope="wiki:read wiki:write", ` +
        `error_description="Invalid token: The token belongs to another wiki."`,
    );
    // And its refresh token is unknown at wiki B's token endpoint.
    const r = await postForm(f, "token", {
      grant_type: "refresh_token",
      refresh_token: conn.refresh,
      client_id: conn.clientId,
      client_secret: conn.secret!,
    }, { slug: "bob" });
    assertEquals(r.status, 401);
    assertEquals(r.body.error, "invalid_client");
  } finally {
    f.close();
  }
});

Deno.test("refresh with scope escalation: invalid_scope", async () => {
  const f = await setupHttp("path");
  try {
    const conn = await connect(f, { scope: "wiki:read" });
    const res = await postForm(f, "token", {
      grant_type: "refresh_token",
      refresh_token: conn.refresh,
      client_id: conn.clientId,
      client_secret: conn.secret!,
      scope: "wiki:read wiki:write",
    });
    assertEquals(res.status, 400);
    assertEquals(res.body, {
      error: "invalid_scope",
      error_description: "A refresh can only narrow the scope; wiki:write was not granted.",
    });
  } finally {
    f.close();
  }
});

Deno.test("refresh reuse: within the grace it works, after it the grant is revoked (invalid_grant)", async () => {
  const f = await setupHttp("subdomain");
  try {
    const conn = await connect(f);
    const form = { grant_type: "refresh_token", client_id: conn.clientId, client_secret: conn.secret! };
    const first = await postForm(f, "token", { ...form, refresh_token: conn.refresh });
    assertEquals(first.status, 200);
    f.advance(10_000);
    const raced = await postForm(f, "token", { ...form, refresh_token: conn.refresh });
    assertEquals(raced.status, 200, "a reuse within the grace (Claude racing itself) must work");
    f.advance(61_000);
    const reuse = await postForm(f, "token", { ...form, refresh_token: conn.refresh });
    assertEquals(reuse.status, 400);
    assertEquals(reuse.body, {
      error: "invalid_grant",
      error_description: "This refresh token was already used. For safety the authorization has been revoked; " +
        "connect the app again.",
    });
    const successor = await postForm(f, "token", { ...form, refresh_token: first.body.refresh_token as string });
    assertEquals(successor.body.error, "invalid_grant");
    assertEquals((await callTool(f, first.body.access_token as string, "list_notes")).status, 401);
  } finally {
    f.close();
  }
});

Deno.test("revoked grant: refresh gets invalid_grant, the access token 401", async () => {
  const f = await setupHttp("path");
  try {
    const conn = await connect(f);
    const rv = await postForm(f, "revoke", {
      token: conn.access,
      client_id: conn.clientId,
      client_secret: conn.secret!,
    });
    assertEquals(rv.status, 200);
    assertEquals((await callTool(f, conn.access, "list_notes")).status, 401);
    // Revoking the refresh token revokes the grant.
    await postForm(f, "revoke", { token: conn.refresh, client_id: conn.clientId, client_secret: conn.secret! });
    const res = await postForm(f, "token", {
      grant_type: "refresh_token",
      refresh_token: conn.refresh,
      client_id: conn.clientId,
      client_secret: conn.secret!,
    });
    assertEquals(res.status, 400);
    assertEquals(res.body.error, "invalid_grant");
  } finally {
    f.close();
  }
});

Deno.test("expired code: invalid_grant", async () => {
  const f = await setupHttp("path");
  try {
    const c = await codeFor(f);
    f.advance(61_000);
    const res = await postForm(f, "token", exchange(c));
    assertEquals(res.status, 400);
    assertEquals(res.body, {
      error: "invalid_grant",
      error_description: "The authorization code is invalid or expired. Start the authorization again.",
    });
  } finally {
    f.close();
  }
});

Deno.test("resource for another wiki: invalid_target at /authorize (by redirect) and at /token", async () => {
  const f = await setupHttp("subdomain");
  try {
    const reg = await register(f);
    const { challenge } = await pkce();
    const bobMcp = f.urls.mcp("bob");
    const p = await redirectError(f, authorizeUrl(f, reg.body.client_id as string, challenge, { resource: bobMcp }));
    assertEquals(p.get("error"), "invalid_target");
    assertEquals(
      p.get("error_description"),
      `The resource ${bobMcp} is not served here; this authorization server issues tokens only for ` +
        `${f.urls.mcp("alice")}.`,
    );
    const c = await codeFor(f);
    const res = await postForm(f, "token", { ...exchange(c), resource: bobMcp });
    assertEquals(res.status, 400);
    assertEquals(res.body.error, "invalid_target");
    // The code was not consumed by the refused request.
    assertEquals((await postForm(f, "token", exchange(c))).status, 200);
  } finally {
    f.close();
  }
});

Deno.test("consent POST without CSRF (or with another session's): 403, no code", async () => {
  const f = await setupHttp("path");
  try {
    const reg = await register(f);
    const { challenge } = await pkce();
    const cookie = await f.cookie(ALICE);
    const html = await (await f.fetch(authorizeUrl(f, reg.body.client_id as string, challenge), {
      headers: { cookie },
    })).text();
    const { requestId, csrf } = consentFields(html);
    const expected = "This consent form was not sent from this page or has expired. Start the connection again " +
      "from the app.";
    const without = await answerConsent(f, cookie, { request_id: requestId, decision: "approve" });
    assertEquals(without.status, 403);
    assertEquals(without.headers.get("location"), null);
    assertIncludes(await without.text(), expected);
    // A second session of the same person (e.g. an attacker's page cannot know the victim's session id).
    const other = await f.cookie(ALICE);
    const crossed = await answerConsent(f, other, { request_id: requestId, csrf, decision: "approve" });
    assertEquals(crossed.status, 403);
    assertIncludes(await crossed.text(), expected);
    // Signed out: refused too.
    const anon = await answerConsent(f, "", { request_id: requestId, csrf, decision: "approve" });
    assertEquals(anon.status, 403);
    assertEquals(anon.headers.get("location"), null);
    // The genuine answer still works once.
    const ok = await answerConsent(f, cookie, { request_id: requestId, csrf, decision: "approve" });
    assertEquals(ok.status, 302);
    const twice = await answerConsent(f, cookie, { request_id: requestId, csrf, decision: "approve" });
    assertEquals(twice.status, 400);
    assertIncludes(await twice.text(), "This authorization request has expired or was already answered.");
  } finally {
    f.close();
  }
});

Deno.test("consent in a frame: the page forbids framing (CSP frame-ancestors 'none', X-Frame-Options DENY)", async () => {
  const f = await setupHttp("subdomain");
  try {
    const reg = await register(f, { ...CLAUDE_DCR, redirect_uris: ["http://127.0.0.1/callback"] });
    const { challenge } = await pkce();
    const res = await f.fetch(
      authorizeUrl(f, reg.body.client_id as string, challenge, { redirect_uri: "http://127.0.0.1:49152/callback" }),
      { headers: { cookie: await f.cookie(ALICE), "sec-fetch-dest": "iframe" } },
    );
    assertEquals(res.status, 200);
    const csp = res.headers.get("content-security-policy")!;
    assertIncludes(csp, "frame-ancestors 'none'");
    assertIncludes(csp, "form-action 'self' http://127.0.0.1:49152;");
    assertEquals(res.headers.get("x-frame-options"), "DENY");
    const html = await res.text();
    assertIncludes(html, "This application only returns to addresses on this computer (localhost).");
  } finally {
    f.close();
  }
});

Deno.test("CIMD client_id on a private address: the safe fetch refuses, an error page, no redirect", async () => {
  const safe = createSafeFetch({ env: "development", resolve: () => Promise.resolve(["10.0.0.7"]) });
  const f = await setupHttp("path", { outboundFetch: safe });
  try {
    const { challenge } = await pkce();
    for (
      const [id, host, addr] of [
        ["https://internal.example/client.json", "internal.example", "10.0.0.7"],
        ["https://127.0.0.1/client.json", "127.0.0.1", "127.0.0.1"],
      ]
    ) {
      const html = await errorPage(f, authorizeUrl(f, id, challenge), 400);
      assertIncludes(
        html,
        `The client's metadata document at ${host} could not be fetched: ${host} points to a private or ` +
          `reserved address (${addr}); only public addresses can be fetched.`,
      );
      assertIncludes(html, "<code>invalid_client</code>");
    }
  } finally {
    f.close();
  }
});

Deno.test("CIMD document naming another client_id: an error page, no redirect, only the failure cached", async () => {
  const f = await setupHttp("subdomain");
  const id = "https://app.example/oauth/client.json";
  f.routes.set(id, () =>
    Response.json({
      client_id: "https://claude.ai/oauth/mcp-oauth-client-metadata",
      client_name: "Claude",
      redirect_uris: ["https://app.example/cb"],
      token_endpoint_auth_method: "none",
    }));
  try {
    const { challenge } = await pkce();
    const url = authorizeUrl(f, id, challenge, { redirect_uri: "https://app.example/cb" });
    const html = await errorPage(f, url, 400);
    assertIncludes(
      html,
      `The client's metadata document at ${id} names client_id ` +
        `&quot;https://claude.ai/oauth/mcp-oauth-client-metadata&quot;; it must be exactly the document's URL.`,
    );
    assertIncludes(await errorPage(f, url, 400), "it must be exactly the document's URL");
    assertEquals(f.fetched, [id], "the failure is remembered for 2 minutes (never the document as a client)");
    f.advance(2 * 60_000 + 1);
    await errorPage(f, url, 400);
    assertEquals(f.fetched, [id, id], "fetched again once the failure expired");
    // The token endpoint never fetches a document and refuses a code that was never issued.
    const res = await postForm(f, "token", {
      grant_type: "authorization_code",
      code: "rwac_forged",
      code_verifier: "v".repeat(43),
      client_id: id,
    });
    assertEquals(res.body.error, "invalid_grant");
    assertEquals(f.fetched.length, 2);
  } finally {
    f.close();
  }
});

Deno.test("the consent page is never skipped, even for a client the user already approved", async () => {
  const f = await setupHttp("path");
  try {
    const conn = await connect(f);
    const { challenge } = await pkce();
    const res = await f.fetch(authorizeUrl(f, conn.clientId, challenge), {
      headers: { cookie: await f.cookie(ALICE) },
    });
    assertEquals(res.status, 200);
    const html = await res.text();
    assertOk(consentFields(html).csrf);
    assertExcludes(html, "code=");
  } finally {
    f.close();
  }
});

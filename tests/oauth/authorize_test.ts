import { assertEquals, assertIncludes, assertOk } from "../assert.ts";
import {
  ALICE,
  authorizeCode,
  authParams,
  CLAUDE_DCR,
  connectPublic,
  consentRequest,
  pkce,
  register,
  setup,
  STRANGER,
  VIEWER,
} from "./helpers.ts";
import type { AuthorizeOutcome } from "../../lib/oauth/authorize.ts";

const CB = "https://claude.ai/api/mcp/auth_callback";

function redirectOf(out: AuthorizeOutcome): URL {
  assertEquals(out.kind, "redirect-error", JSON.stringify(out));
  return new URL((out as { url: string }).url);
}

Deno.test("authorize - unknown client: error page, never a redirect", async () => {
  const fx = await setup();
  const { challenge } = await pkce();
  const out = await fx.oauth.authorize(fx.alice, authParams(fx, "rwc_doesnotexist00000000000", challenge));
  assertEquals(out, {
    kind: "error-page",
    status: 400,
    error: "invalid_client",
    description: "This application is not registered with this wiki (or its registration expired). Reconnect it " +
      "so it registers again.",
  });
  fx.close();
});

Deno.test("authorize - redirect URI mismatch: error page naming it, no redirect to it", async () => {
  const fx = await setup();
  const id = (await register(fx, CLAUDE_DCR)).body.client_id as string;
  const { challenge } = await pkce();
  for (const uri of ["https://evil.example/cb", CB + "/x", CB + "?a=1", "https://CLAUDE.ai/api/mcp/auth_callback"]) {
    const out = await fx.oauth.authorize(fx.alice, authParams(fx, id, challenge, { redirect_uri: uri }));
    assertEquals(out.kind, "error-page", uri);
    assertIncludes((out as { description: string }).description, "is not registered for Claude");
  }
  fx.close();
});

Deno.test("authorize - a client registered on wiki A is unknown on wiki B", async () => {
  const fx = await setup();
  const id = (await register(fx, CLAUDE_DCR)).body.client_id as string;
  const { challenge } = await pkce();
  const out = await fx.oauth.authorize(fx.bob, authParams(fx, id, challenge, {}, fx.bob));
  assertEquals(out.kind, "error-page");
  fx.close();
});

Deno.test("authorize - loopback redirect URIs match on any port (RFC 8252 §7.3); https ports do not", async () => {
  const fx = await setup();
  const id = (await register(fx, { redirect_uris: ["http://127.0.0.1/callback"], token_endpoint_auth_method: "none" }))
    .body.client_id as string;
  const { challenge } = await pkce();
  const r = await consentRequest(
    fx,
    authParams(fx, id, challenge, { redirect_uri: "http://127.0.0.1:53682/callback" }),
  );
  assertEquals(r.redirectUri, "http://127.0.0.1:53682/callback");
  const wrongHost = await fx.oauth.authorize(
    fx.alice,
    authParams(fx, id, challenge, { redirect_uri: "http://localhost:53682/callback" }),
  );
  assertEquals(wrongHost.kind, "error-page");
  const https = (await register(fx, CLAUDE_DCR)).body.client_id as string;
  const port = await fx.oauth.authorize(
    fx.alice,
    authParams(fx, https, challenge, { redirect_uri: "https://claude.ai:8443/api/mcp/auth_callback" }),
  );
  assertEquals(port.kind, "error-page");
  fx.close();
});

Deno.test("authorize - redirect_uri may be omitted when exactly one is registered", async () => {
  const fx = await setup();
  const id = (await register(fx, CLAUDE_DCR)).body.client_id as string;
  const { challenge } = await pkce();
  const r = await consentRequest(fx, authParams(fx, id, challenge, { redirect_uri: null }));
  assertEquals([r.redirectUri, r.redirectUriGiven], [CB, false]);
  const two = (await register(fx, { ...CLAUDE_DCR, redirect_uris: [CB, "https://claude.com/api/mcp/auth_callback"] }))
    .body.client_id as string;
  const out = await fx.oauth.authorize(fx.alice, authParams(fx, two, challenge, { redirect_uri: null }));
  assertEquals(out.kind, "error-page");
  fx.close();
});

Deno.test("authorize - plain PKCE is refused by redirect with state and iss", async () => {
  const fx = await setup();
  const id = (await register(fx, CLAUDE_DCR)).body.client_id as string;
  const { verifier } = await pkce();
  const url = redirectOf(
    await fx.oauth.authorize(
      fx.alice,
      authParams(fx, id, verifier, { code_challenge_method: "plain" }),
    ),
  );
  assertEquals(url.origin + url.pathname, CB);
  assertEquals(url.searchParams.get("error"), "invalid_request");
  assertEquals(
    url.searchParams.get("error_description"),
    "PKCE method plain is not accepted; use code_challenge_method=S256.",
  );
  assertEquals(url.searchParams.get("state"), "st-123");
  assertEquals(url.searchParams.get("iss"), "http://localhost:8000/w/alice");
  fx.close();
});

Deno.test("authorize - missing PKCE (challenge or method) is refused by redirect", async () => {
  const fx = await setup();
  const id = (await register(fx, CLAUDE_DCR)).body.client_id as string;
  const { challenge } = await pkce();
  const a = redirectOf(await fx.oauth.authorize(fx.alice, authParams(fx, id, challenge, { code_challenge: null })));
  assertEquals(
    a.searchParams.get("error_description"),
    "PKCE is required: send code_challenge with code_challenge_method=S256.",
  );
  const b = redirectOf(
    await fx.oauth.authorize(fx.alice, authParams(fx, id, challenge, { code_challenge_method: null })),
  );
  assertEquals(b.searchParams.get("error"), "invalid_request");
  const c = redirectOf(await fx.oauth.authorize(fx.alice, authParams(fx, id, challenge, { response_type: "token" })));
  assertEquals(c.searchParams.get("error"), "unsupported_response_type");
  fx.close();
});

Deno.test("authorize - resource of another wiki: invalid_target by redirect", async () => {
  const fx = await setup();
  const id = (await register(fx, CLAUDE_DCR)).body.client_id as string;
  const { challenge } = await pkce();
  const url = redirectOf(
    await fx.oauth.authorize(fx.alice, authParams(fx, id, challenge, { resource: fx.urls.mcp("bob") })),
  );
  assertEquals(url.searchParams.get("error"), "invalid_target");
  assertEquals(url.searchParams.get("iss"), "http://localhost:8000/w/alice");
  fx.close();
});

Deno.test("authorize - resource tolerates trailing slash and scheme/host case; defaults when absent", async () => {
  const fx = await setup();
  const id = (await register(fx, CLAUDE_DCR)).body.client_id as string;
  const { challenge } = await pkce();
  for (const resource of ["http://localhost:8000/w/alice/mcp/", "HTTP://LOCALHOST:8000/w/alice/mcp", null]) {
    const r = await consentRequest(fx, authParams(fx, id, challenge, { resource }));
    assertEquals(r.resource, "http://localhost:8000/w/alice/mcp");
  }
  const wrongCase = await fx.oauth.authorize(
    fx.alice,
    authParams(fx, id, challenge, { resource: "http://localhost:8000/w/alice/MCP" }),
  );
  assertEquals(wrongCase.kind, "redirect-error");
  fx.close();
});

Deno.test("authorize - scopes: default both, offline_access and unknown (claudeai) ignored", async () => {
  const fx = await setup();
  const id = (await register(fx, CLAUDE_DCR)).body.client_id as string;
  const { challenge } = await pkce();
  const s = async (scope: string | null) => (await consentRequest(fx, authParams(fx, id, challenge, { scope }))).scopes;
  assertEquals(await s(null), ["wiki:read", "wiki:write"]);
  assertEquals(await s("wiki:read offline_access"), ["wiki:read"]);
  assertEquals(await s("claudeai"), ["wiki:read", "wiki:write"]);
  assertEquals(await s("wiki:write"), ["wiki:write"]);
  fx.close();
  const strict = await setup({ settings: { unknownScopes: "reject" } });
  const id2 = (await register(strict, CLAUDE_DCR)).body.client_id as string;
  const url = redirectOf(
    await strict.oauth.authorize(strict.alice, authParams(strict, id2, challenge, { scope: "admin" })),
  );
  assertEquals(url.searchParams.get("error"), "invalid_scope");
  strict.close();
});

Deno.test("consent - approve redirects with code, state and iss; the consent is single use", async () => {
  const fx = await setup();
  const id = (await register(fx, CLAUDE_DCR)).body.client_id as string;
  const { challenge } = await pkce();
  const request = await consentRequest(fx, authParams(fx, id, challenge));
  const c = await fx.oauth.createConsent(fx.alice, request, { did: ALICE, role: "admin" }, "sess");
  assertOk(c.kind === "consent");
  assertEquals(c.view.redirectHost, "claude.ai");
  assertEquals(c.view.clientName, "Claude");
  assertEquals(c.view.prior, null);
  const answer = {
    requestId: c.view.requestId,
    csrf: c.view.csrf,
    session: "sess",
    user: { did: ALICE, role: "admin" as const },
  };
  const out = await fx.oauth.approve(fx.alice, answer);
  assertOk(out.kind === "redirect");
  const url = new URL(out.url);
  assertOk(url.searchParams.get("code")!.startsWith("rwac_"));
  assertEquals(url.searchParams.get("state"), "st-123");
  assertEquals(url.searchParams.get("iss"), "http://localhost:8000/w/alice");
  const again = await fx.oauth.approve(fx.alice, answer);
  assertEquals(again.kind, "error-page");
  fx.close();
});

Deno.test("consent - POST without (or with a wrong) CSRF token is refused", async () => {
  const fx = await setup();
  const id = (await register(fx, CLAUDE_DCR)).body.client_id as string;
  const { challenge } = await pkce();
  const request = await consentRequest(fx, authParams(fx, id, challenge));
  const c = await fx.oauth.createConsent(fx.alice, request, { did: ALICE, role: "admin" }, "sess");
  assertOk(c.kind === "consent");
  const user = { did: ALICE, role: "admin" as const };
  for (const [csrf, session] of [[null, "sess"], ["0".repeat(64), "sess"], [c.view.csrf, "other-session"]]) {
    const out = await fx.oauth.approve(fx.alice, { requestId: c.view.requestId, csrf, session: session!, user });
    assertEquals(out.kind, "error-page");
    assertEquals((out as { status: number }).status, 403);
  }
  // still answerable with the right token
  const ok = await fx.oauth.approve(fx.alice, {
    requestId: c.view.requestId,
    csrf: c.view.csrf,
    session: "sess",
    user,
  });
  assertEquals(ok.kind, "redirect");
  fx.close();
});

Deno.test("consent - a viewer cannot grant wiki:write: the page says narrowed, the grant is read-only", async () => {
  const fx = await setup();
  const id = (await register(fx, CLAUDE_DCR)).body.client_id as string;
  const { challenge } = await pkce();
  const request = await consentRequest(fx, authParams(fx, id, challenge));
  const c = await fx.oauth.createConsent(fx.alice, request, { did: VIEWER, role: "viewer" }, "s");
  assertOk(c.kind === "consent");
  assertEquals([c.view.grantableScopes, c.view.narrowed], [["wiki:read"], true]);
  const out = await fx.oauth.approve(fx.alice, {
    requestId: c.view.requestId,
    csrf: c.view.csrf,
    session: "s",
    user: { did: VIEWER, role: "viewer" },
  });
  assertOk(out.kind === "redirect");
  assertEquals(out.scopes, ["wiki:read"]);
  // write-only request by a viewer: nothing grantable -> invalid_scope to the client
  const wo = await consentRequest(fx, authParams(fx, id, challenge, { scope: "wiki:write" }));
  const c2 = await fx.oauth.createConsent(fx.alice, wo, { did: VIEWER, role: "viewer" }, "s");
  assertOk(c2.kind === "consent");
  const out2 = await fx.oauth.approve(fx.alice, {
    requestId: c2.view.requestId,
    csrf: c2.view.csrf,
    session: "s",
    user: { did: VIEWER, role: "viewer" },
  });
  assertOk(out2.kind === "redirect");
  assertEquals(new URL(out2.url).searchParams.get("error"), "invalid_scope");
  fx.close();
});

Deno.test("consent - non-members cannot grant; another account cannot answer someone's consent", async () => {
  const fx = await setup();
  const id = (await register(fx, CLAUDE_DCR)).body.client_id as string;
  const { challenge } = await pkce();
  const request = await consentRequest(fx, authParams(fx, id, challenge));
  const no = await fx.oauth.createConsent(fx.alice, request, { did: STRANGER, role: null }, "s");
  assertEquals(no.kind, "error-page");
  const c = await fx.oauth.createConsent(fx.alice, request, { did: ALICE, role: "admin" }, "s");
  assertOk(c.kind === "consent");
  const out = await fx.oauth.approve(fx.alice, {
    requestId: c.view.requestId,
    csrf: c.view.csrf,
    session: "s",
    user: { did: VIEWER, role: "viewer" },
  });
  assertEquals(out.kind, "error-page");
  fx.close();
});

Deno.test("consent - deny redirects with access_denied, state and iss", async () => {
  const fx = await setup();
  const id = (await register(fx, CLAUDE_DCR)).body.client_id as string;
  const { challenge } = await pkce();
  const request = await consentRequest(fx, authParams(fx, id, challenge));
  const c = await fx.oauth.createConsent(fx.alice, request, { did: ALICE, role: "admin" }, "s");
  assertOk(c.kind === "consent");
  const out = await fx.oauth.deny(fx.alice, {
    requestId: c.view.requestId,
    csrf: c.view.csrf,
    session: "s",
    user: { did: ALICE, role: "admin" },
  });
  assertOk(out.kind === "redirect");
  const url = new URL(out.url);
  assertEquals(
    [url.searchParams.get("error"), url.searchParams.get("state"), url.searchParams.get("iss")],
    ["access_denied", "st-123", "http://localhost:8000/w/alice"],
  );
  assertEquals(url.searchParams.get("code"), null);
  fx.close();
});

Deno.test("consent - expires after 10 minutes", async () => {
  const fx = await setup();
  const id = (await register(fx, CLAUDE_DCR)).body.client_id as string;
  const { challenge } = await pkce();
  const request = await consentRequest(fx, authParams(fx, id, challenge));
  const c = await fx.oauth.createConsent(fx.alice, request, { did: ALICE, role: "admin" }, "s");
  assertOk(c.kind === "consent");
  fx.advance(10 * 60_000 + 1);
  const out = await fx.oauth.approve(fx.alice, {
    requestId: c.view.requestId,
    csrf: c.view.csrf,
    session: "s",
    user: { did: ALICE, role: "admin" },
  });
  assertEquals(out.kind, "error-page");
  fx.close();
});

Deno.test("consent - the page is always shown and says when the client was granted before", async () => {
  const fx = await setup();
  const { clientId, grantId } = await connectPublic(fx);
  const { challenge } = await pkce();
  const request = await consentRequest(fx, authParams(fx, clientId, challenge));
  const c = await fx.oauth.createConsent(fx.alice, request, { did: ALICE, role: "admin" }, "s");
  assertOk(c.kind === "consent");
  assertEquals(c.view.prior?.grantId, grantId);
  assertEquals(c.view.prior?.scopes, ["wiki:read", "wiki:write"]);
  assertEquals((await fx.oauth.priorGrant(fx.alice.id, ALICE, clientId))?.grantId, grantId);
  assertEquals(await fx.oauth.priorGrant(fx.alice.id, VIEWER, clientId), null);
  fx.close();
});

Deno.test("authorize - helper sanity: authorizeCode yields a code for a public client", async () => {
  const fx = await setup();
  const id = (await register(fx, { ...CLAUDE_DCR, token_endpoint_auth_method: "none" })).body.client_id as string;
  const { challenge } = await pkce();
  const { code, url } = await authorizeCode(fx, id, challenge);
  assertOk(code.startsWith("rwac_"));
  assertEquals(url.searchParams.get("iss"), "http://localhost:8000/w/alice");
  fx.close();
});

/**
 * The authorization server over HTTP, in both addressing modes: discovery documents, the whole flow (register ->
 * authorize -> sign-in hand-off -> consent -> code -> token -> MCP tools/call -> refresh -> revoke), the consent
 * page's content and headers, roles (viewer narrowing, removal and demotion taking effect on the next MCP call),
 * and the metadata-document (CIMD) path with Claude's pinned document.
 */
import { assertEquals, assertExcludes, assertIncludes, assertOk } from "../../../assert.ts";
import { pagePathUrl } from "../../../../lib/urls.ts";
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
  EDITOR,
  MODES,
  pkce,
  postForm,
  register,
  setupHttp,
  STRANGER,
  toolText,
  VIEWER,
} from "./http_helpers.ts";

for (const mode of MODES) {
  Deno.test(`${mode}: AS metadata at the issuer's RFC 8414 well-known, OIDC alias, PRM naming the issuer`, async () => {
    const f = await setupHttp(mode);
    try {
      const issuer = f.urls.issuer("alice");
      const base = mode === "path" ? "http://localhost:8000/w/alice" : "http://alice.localhost:8000";
      assertEquals(issuer, base);
      const wellKnown = mode === "path"
        ? [
          "http://localhost:8000/.well-known/oauth-authorization-server/w/alice",
          "http://localhost:8000/.well-known/openid-configuration/w/alice",
          "http://localhost:8000/w/alice/.well-known/openid-configuration",
        ]
        : [
          "http://alice.localhost:8000/.well-known/oauth-authorization-server",
          "http://alice.localhost:8000/.well-known/openid-configuration",
          "http://alice.localhost:8000/.well-known/oauth-authorization-server/mcp",
        ];
      assertEquals(f.urls.authorizationServerMetadata("alice"), wellKnown[0]);
      for (const url of wellKnown) {
        const res = await f.fetch(url);
        assertEquals(res.status, 200, url);
        assertEquals(res.headers.get("access-control-allow-origin"), "*");
        assertIncludes(res.headers.get("content-type")!, "application/json");
        const doc = await res.json();
        assertEquals(doc.issuer, issuer);
        assertEquals(doc.authorization_endpoint, `${base}/authorize`);
        assertEquals(doc.token_endpoint, `${base}/token`);
        assertEquals(doc.registration_endpoint, `${base}/register`);
        assertEquals(doc.revocation_endpoint, `${base}/revoke`);
        assertEquals(doc.code_challenge_methods_supported, ["S256"]);
        assertEquals(doc.token_endpoint_auth_methods_supported, ["none", "client_secret_post", "client_secret_basic"]);
        assertEquals(doc.scopes_supported, ["wiki:read", "wiki:write"]);
        assertEquals(doc.client_id_metadata_document_supported, true);
        assertEquals(doc.authorization_response_iss_parameter_supported, true);
      }
      const pre = await f.fetch(wellKnown[0], { method: "OPTIONS" });
      assertEquals(pre.status, 204);
      assertEquals(pre.headers.get("access-control-allow-methods"), "GET, OPTIONS");

      const prm = await (await f.fetch(f.urls.protectedResourceMetadata("alice"))).json();
      assertEquals(prm.resource, f.urls.mcp("alice"));
      assertEquals(prm.authorization_servers, [issuer]);

      const none = mode === "path"
        ? "http://localhost:8000/.well-known/oauth-authorization-server/w/nobody"
        : "http://nobody.localhost:8000/.well-known/oauth-authorization-server";
      const missing = await f.fetch(none);
      assertEquals(missing.status, 404);
      assertEquals((await missing.json()).error, "invalid_request");
    } finally {
      f.close();
    }
  });

  Deno.test(`${mode}: register -> authorize -> sign-in -> consent -> token -> MCP -> refresh -> revoke`, async () => {
    const f = await setupHttp(mode);
    try {
      // Registration (Claude's exact DCR payload): confidential, secret returned, CORS.
      const reg = await register(f);
      assertEquals(reg.status, 201);
      assertEquals(reg.headers.get("access-control-allow-origin"), "*");
      assertEquals(reg.body.token_endpoint_auth_method, "client_secret_post");
      assertEquals(reg.body.client_secret_expires_at, 0);
      const clientId = reg.body.client_id as string;
      const secret = reg.body.client_secret as string;
      const { verifier, challenge } = await pkce();
      const authUrl = authorizeUrl(f, clientId, challenge);

      // Nobody signed in on this origin: off to the wiki's sign-in, which returns to this exact URL.
      const anon = await f.fetch(authUrl);
      assertEquals(anon.status, 302);
      assertEquals(
        anon.headers.get("location"),
        f.urls.wiki("alice", "/-/auth/login") + "?return_to=" + encodeURIComponent(authUrl),
      );
      assertEquals(anon.headers.get("cache-control"), "no-store");

      // Signed in: the consent page.
      const cookie = await f.cookie(ALICE);
      const page = await f.fetch(authUrl, { headers: { cookie } });
      assertEquals(page.status, 200);
      const html = await page.text();
      assertIncludes(html, 'Connect <span class="consent-client">Claude</span> to alice?');
      assertIncludes(html, '<strong class="consent-host">claude.ai</strong>');
      assertIncludes(html, `<code>${f.urls.wikiBase("alice")}</code>`);
      assertIncludes(html, "as <strong>@alice.test</strong>, where you are an admin");
      assertIncludes(html, "<code>wiki:read</code>");
      assertIncludes(html, "<code>wiki:write</code>");
      assertIncludes(html, "a registration it made itself");
      assertExcludes(html, "You granted Claude access to this wiki before");
      assertIncludes(html, `action="${f.urls.wiki("alice", "/authorize")}"`);
      assertEquals(page.headers.get("x-frame-options"), "DENY");
      assertIncludes(page.headers.get("content-security-policy")!, "frame-ancestors 'none'");
      assertIncludes(page.headers.get("content-security-policy")!, "form-action 'self' https://claude.ai;");
      assertEquals(page.headers.get("cache-control"), "no-store");

      // Approve: back to Claude with code, state and iss.
      const { requestId, csrf } = consentFields(html);
      const ok = await answerConsent(f, cookie, { request_id: requestId, csrf, decision: "approve" });
      assertEquals(ok.status, 302);
      const back = new URL(ok.headers.get("location")!);
      assertEquals(back.origin + back.pathname, CALLBACK);
      assertEquals(back.searchParams.get("state"), "st-123");
      assertEquals(back.searchParams.get("iss"), f.urls.issuer("alice"));
      const code = back.searchParams.get("code")!;
      assertOk(code.startsWith("rwac_"));

      // Token: client_secret_post, no-store, CORS, refresh token without offline_access.
      const tok = await postForm(f, "token", {
        grant_type: "authorization_code",
        code,
        code_verifier: verifier,
        client_id: clientId,
        client_secret: secret,
        redirect_uri: CALLBACK,
        resource: f.urls.mcp("alice"),
      });
      assertEquals(tok.status, 200, JSON.stringify(tok.body));
      assertEquals(tok.headers.get("cache-control"), "no-store");
      assertEquals(tok.headers.get("access-control-allow-origin"), "*");
      assertEquals(tok.body.token_type, "Bearer");
      assertEquals(tok.body.scope, "wiki:read wiki:write");
      const access = tok.body.access_token as string;
      const refresh = tok.body.refresh_token as string;
      assertOk(access.startsWith("rwat_") && refresh.startsWith("rwrt_"));

      // MCP with the access token: write, then read.
      assertIncludes(
        await toolText(await callTool(f, access, "write_note", { path: "Memory", content: "remember this" })),
        "Created Memory (revision: ",
      );
      assertIncludes(await toolText(await callTool(f, access, "read_note", { path: "Memory" })), "remember this");
      const rev = (await f.app.deps.wikis.pages(f.alice).history("Memory")).at(0);
      assertEquals([rev?.revision.author, rev?.revision.authorName], [ALICE, "Claude"]);

      // Refresh: rotates, the new access token works.
      const ref = await postForm(f, "token", {
        grant_type: "refresh_token",
        refresh_token: refresh,
        client_id: clientId,
        client_secret: secret,
      });
      assertEquals(ref.status, 200, JSON.stringify(ref.body));
      assertEquals(ref.headers.get("cache-control"), "no-store");
      const access2 = ref.body.access_token as string;
      const refresh2 = ref.body.refresh_token as string;
      assertOk(refresh2 !== refresh);
      assertIncludes(await toolText(await callTool(f, access2, "read_note", { path: "Memory" })), "remember this");

      // Revoke the refresh token: the whole grant goes, every access token fails at once.
      const rv = await postForm(f, "revoke", {
        token: refresh2,
        token_type_hint: "refresh_token",
        client_id: clientId,
        client_secret: secret,
      });
      assertEquals(rv.status, 200);
      assertEquals(rv.headers.get("access-control-allow-origin"), "*");
      for (const t of [access, access2]) {
        const res = await callTool(f, t, "read_note", { path: "Memory" });
        assertEquals(res.status, 401);
        assertIncludes(res.headers.get("www-authenticate")!, 'error="invalid_token"');
      }
    } finally {
      f.close();
    }
  });

  Deno.test(`${mode}: CORS preflight of /token, /register, /revoke`, async () => {
    const f = await setupHttp(mode);
    try {
      for (const path of ["/token", "/register", "/revoke"]) {
        const res = await f.fetch(f.urls.wiki("alice", path), {
          method: "OPTIONS",
          headers: { origin: "https://inspector.example", "access-control-request-method": "POST" },
        });
        assertEquals(res.status, 204, path);
        assertEquals(res.headers.get("access-control-allow-origin"), "*");
        assertEquals(res.headers.get("access-control-allow-methods"), "POST, OPTIONS");
        assertIncludes(res.headers.get("access-control-allow-headers")!, "authorization");
      }
    } finally {
      f.close();
    }
  });

  Deno.test(`${mode}: Claude's metadata-document client (pinned copy when claude.ai refuses us), public, PKCE`, async () => {
    const f = await setupHttp(mode);
    const clientId = "https://claude.ai/oauth/mcp-oauth-client-metadata";
    f.routes.set(clientId, () => new Response("Just a moment...", { status: 403 }));
    try {
      const { verifier, challenge } = await pkce();
      const cookie = await f.cookie(ALICE);
      const page = await f.fetch(authorizeUrl(f, clientId, challenge), { headers: { cookie } });
      const html = await page.text();
      assertEquals(page.status, 200, html.slice(0, 400));
      assertIncludes(html, "its metadata document at <strong>claude.ai</strong>");
      assertEquals(f.fetched, [clientId]);
      const { requestId, csrf } = consentFields(html);
      const ok = await answerConsent(f, cookie, { request_id: requestId, csrf, decision: "approve" });
      const back = new URL(ok.headers.get("location")!);
      const tok = await postForm(f, "token", {
        grant_type: "authorization_code",
        code: back.searchParams.get("code")!,
        code_verifier: verifier,
        client_id: clientId,
        redirect_uri: CALLBACK,
      });
      assertEquals(tok.status, 200, JSON.stringify(tok.body));
      const res = await callTool(f, tok.body.access_token as string, "list_notes");
      assertEquals(res.status, 200);
    } finally {
      f.close();
    }
  });
}

Deno.test("subdomain mode: the endpoints sit at the wiki origin's root", async () => {
  const f = await setupHttp("subdomain");
  try {
    const reg = await f.fetch("http://alice.localhost:8000/register", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(CLAUDE_DCR),
    });
    assertEquals(reg.status, 201);
    const tok = await f.fetch("http://alice.localhost:8000/token", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=authorization_code&code=rwac_x&client_id=rwc_nobody",
    });
    assertEquals(tok.status, 401);
    assertEquals((await tok.json()).error, "invalid_client");
    const auth = await f.fetch("http://alice.localhost:8000/authorize?client_id=rwc_nobody");
    assertEquals(auth.status, 400);
    assertIncludes(await auth.text(), "This connection request cannot be completed");
  } finally {
    f.close();
  }
});

Deno.test("the endpoint names cannot be page URLs: a page called authorize lives under /-/page/", () => {
  for (const name of ["authorize", "token", "register", "revoke", "mcp", ".well-known"]) {
    assertEquals(pagePathUrl(name), `/-/page/${name}`);
  }
});

Deno.test("consent says when this user granted the client before, and approving replaces that grant", async () => {
  const f = await setupHttp("subdomain");
  try {
    const first = await connect(f);
    const { challenge } = await pkce();
    const cookie = await f.cookie(ALICE);
    const page = await f.fetch(authorizeUrl(f, first.clientId, challenge), { headers: { cookie } });
    const html = await page.text();
    assertIncludes(html, "You granted Claude access to this wiki before (wiki:read and wiki:write, on ");
    const { requestId, csrf } = consentFields(html);
    const ok = await answerConsent(f, cookie, { request_id: requestId, csrf, decision: "approve" });
    assertEquals(ok.status, 302);
    const res = await callTool(f, first.access, "list_notes");
    assertEquals(res.status, 401, "the replaced grant's token still works");
  } finally {
    f.close();
  }
});

Deno.test("deny: back to the client with access_denied, state and iss", async () => {
  const f = await setupHttp("path");
  try {
    const reg = await register(f);
    const { challenge } = await pkce();
    const cookie = await f.cookie(ALICE);
    const html = await (await f.fetch(authorizeUrl(f, reg.body.client_id as string, challenge), {
      headers: { cookie },
    })).text();
    const { requestId, csrf } = consentFields(html);
    const res = await answerConsent(f, cookie, { request_id: requestId, csrf, decision: "deny" });
    assertEquals(res.status, 302);
    const back = new URL(res.headers.get("location")!);
    assertEquals(back.searchParams.get("error"), "access_denied");
    assertEquals(back.searchParams.get("error_description"), "The user declined to connect this application.");
    assertEquals(back.searchParams.get("state"), "st-123");
    assertEquals(back.searchParams.get("iss"), "http://localhost:8000/w/alice");
    assertEquals(back.searchParams.get("code"), null);
  } finally {
    f.close();
  }
});

Deno.test("a viewer can only grant wiki:read: the page says so, writes are refused with the reason", async () => {
  const f = await setupHttp("subdomain");
  try {
    const reg = await register(f);
    const { challenge } = await pkce();
    const cookie = await f.cookie(VIEWER);
    const html = await (await f.fetch(authorizeUrl(f, reg.body.client_id as string, challenge), {
      headers: { cookie },
    })).text();
    assertIncludes(html, "where you are a viewer");
    assertIncludes(
      html,
      "It asked for wiki:read and wiki:write, but as a viewer of this wiki you can grant wiki:read only.",
    );
    assertExcludes(html, "<code>wiki:write</code>");

    const conn = await connect(f, { did: VIEWER });
    const read = await callTool(f, conn.access, "list_notes");
    assertEquals(read.status, 200);
    // A viewer can never write: a tool result says why (issue 11 item 2), not a 403 step-up it could not satisfy.
    const write = await callTool(f, conn.access, "write_note", { path: "X", content: "x" });
    assertEquals(write.status, 200);
    assertEquals(write.headers.get("www-authenticate"), null);
    const refusal = (await write.json()).result;
    assertEquals(refusal.isError, true);
    assertIncludes(refusal.content[0].text, "You can only read this wiki: your role is viewer");
  } finally {
    f.close();
  }
});

Deno.test("a signed-in non-member gets a readable 403 page, not a consent page", async () => {
  const f = await setupHttp("path");
  try {
    const reg = await register(f);
    const { challenge } = await pkce();
    const res = await f.fetch(authorizeUrl(f, reg.body.client_id as string, challenge), {
      headers: { cookie: await f.cookie(STRANGER) },
    });
    assertEquals(res.status, 403);
    assertEquals(res.headers.get("location"), null);
    const html = await res.text();
    assertIncludes(html, "You are not a member of the wiki alice, so you cannot connect apps to it.");
    assertExcludes(html, 'class="consent-form"');
  } finally {
    f.close();
  }
});

Deno.test("MCP re-checks the role on every call: demotion removes writes, removal removes access, at once", async () => {
  const f = await setupHttp("subdomain");
  try {
    const conn = await connect(f, { did: EDITOR });
    assertEquals((await callTool(f, conn.access, "write_note", { path: "A", content: "a" })).status, 200);

    await f.app.deps.wikis.setMember(f.alice.id, EDITOR, "viewer", ALICE);
    const demoted = await callTool(f, conn.access, "write_note", { path: "B", content: "b" });
    assertEquals(demoted.status, 200); // a viewer can never write: the tool says why (issue 11 item 2)
    const refusal = (await demoted.json()).result;
    assertEquals(refusal.isError, true);
    assertIncludes(refusal.content[0].text, "your role is viewer");
    assertEquals(await f.app.deps.wikis.pages(f.alice).meta("B"), null);
    assertEquals((await callTool(f, conn.access, "read_note", { path: "A" })).status, 200);

    await f.app.deps.wikis.removeMember(f.alice.id, EDITOR);
    const removed = await callTool(f, conn.access, "read_note", { path: "A" });
    assertEquals(removed.status, 401);
    assertIncludes(
      removed.headers.get("www-authenticate")!,
      'error_description="Invalid token: The user who authorized this app is no longer a member of this wiki."',
    );
  } finally {
    f.close();
  }
});

Deno.test("revoking from the dashboard (revokeGrant) stops the token on the next MCP call", async () => {
  const f = await setupHttp("path");
  try {
    const conn = await connect(f);
    assertEquals((await callTool(f, conn.access, "list_notes")).status, 200);
    const [app] = await f.app.deps.oauth.listGrants(f.alice.id);
    assertEquals(app.clientName, "Claude");
    assertEquals(app.redirectHost, "claude.ai");
    assertOk(await f.app.deps.oauth.revokeGrant(f.alice.id, app.grantId));
    assertEquals((await callTool(f, conn.access, "list_notes")).status, 401);
  } finally {
    f.close();
  }
});

Deno.test("client_secret_basic and public clients also complete the token exchange", async () => {
  const f = await setupHttp("path");
  try {
    const pub = await connect(f, { public: true });
    assertEquals(pub.secret, null);
    assertEquals((await callTool(f, pub.access, "list_notes")).status, 200);

    const reg = await register(f, { ...CLAUDE_DCR, token_endpoint_auth_method: "client_secret_basic" });
    const clientId = reg.body.client_id as string;
    const { verifier, challenge } = await pkce();
    const back = await approveFlow(f, clientId, challenge);
    const tok = await postForm(f, "token", {
      grant_type: "authorization_code",
      code: back.searchParams.get("code")!,
      code_verifier: verifier,
      redirect_uri: CALLBACK,
    }, { basic: [clientId, reg.body.client_secret as string] });
    assertEquals(tok.status, 200, JSON.stringify(tok.body));
  } finally {
    f.close();
  }
});

Deno.test("other methods on the OAuth endpoints get 405 with Allow, never the wiki's page view", async () => {
  const f = await setupHttp("path");
  try {
    for (
      const [method, path, allow] of [
        ["GET", "/token", "POST, OPTIONS"],
        ["GET", "/register", "POST, OPTIONS"],
        ["DELETE", "/revoke", "POST, OPTIONS"],
        ["PUT", "/authorize", "GET, POST"],
      ]
    ) {
      const res = await f.fetch(f.urls.wiki("alice", path), { method });
      assertEquals(res.status, 405, `${method} ${path}`);
      assertEquals(res.headers.get("allow"), allow);
      assertEquals((await res.json()).error, "invalid_request");
    }
    const meta = await f.fetch("http://localhost:8000/.well-known/oauth-authorization-server/w/alice", {
      method: "POST",
    });
    assertEquals(meta.status, 405);
  } finally {
    f.close();
  }
});

Deno.test("authorize error pages do not show a private wiki's title to a signed-out visitor", async () => {
  const f = await setupHttp("subdomain");
  try {
    const actor = { id: "local:test", name: "test", client: "cli" };
    await f.app.deps.wikis.create({ slug: "secret", title: "Secret Project", ownerDid: ALICE, seed: false }, actor);
    const res = await f.fetch("http://secret.localhost:8000/authorize?client_id=rwc_nobody");
    assertEquals(res.status, 400);
    const html = await res.text();
    assertIncludes(html, "This application is not registered with this wiki");
    assertExcludes(html, "Secret Project");
  } finally {
    f.close();
  }
});

Deno.test("the consent page escapes a hostile client name", async () => {
  const f = await setupHttp("path");
  try {
    const reg = await register(f, { ...CLAUDE_DCR, client_name: '<img src=x onerror="alert(1)">' });
    assertEquals(reg.status, 201, JSON.stringify(reg.body));
    const { challenge } = await pkce();
    const html = await (await f.fetch(authorizeUrl(f, reg.body.client_id as string, challenge), {
      headers: { cookie: await f.cookie(ALICE) },
    })).text();
    assertIncludes(html, "&lt;img src=x onerror=&quot;alert(1)&quot;>");
    assertExcludes(html, "<img src=x");
  } finally {
    f.close();
  }
});

Deno.test("HEAD /authorize validates but stores no pending consent", async () => {
  const f = await setupHttp("path");
  try {
    const reg = await register(f);
    const { challenge } = await pkce();
    const cookie = await f.cookie(ALICE);
    const head = await f.fetch(authorizeUrl(f, reg.body.client_id as string, challenge), {
      method: "HEAD",
      headers: { cookie },
    });
    assertEquals(head.status, 200);
    const stored = await Array.fromAsync(f.app.deps.kv.list({ prefix: ["oauth_consent"] }));
    assertEquals(stored.length, 0);
    const bad = await f.fetch(authorizeUrl(f, "rwc_nobody", challenge), { method: "HEAD", headers: { cookie } });
    assertEquals(bad.status, 400);
    await f.fetch(authorizeUrl(f, reg.body.client_id as string, challenge), { headers: { cookie } });
    assertEquals((await Array.fromAsync(f.app.deps.kv.list({ prefix: ["oauth_consent"] }))).length, 1);
  } finally {
    f.close();
  }
});

/**
 * Claude.ai in path mode: when discovery fails it synthesizes `/authorize`, `/token`, `/register` and `/revoke` at
 * the origin root (../shared/reference/mcp-auth.md). Root `/token` and `/revoke` route by the credential (new codes,
 * refresh tokens and client ids name their wiki), root `/authorize` by client id; a root credential that names no
 * wiki answers an OAuth error, never 404.
 */
import {
  ALICE,
  answerConsent,
  CALLBACK,
  callTool,
  CLAUDE_DCR,
  connect,
  consentFields,
  type HttpFixture,
  pkce,
  register,
  setupHttp,
  toolText,
} from "./wiki/oauth/http_helpers.ts";
import { OK } from "../../lib/oauth/store.ts";
import type { RefreshRecord } from "../../lib/oauth/tokens.ts";
import { assertEquals, assertOk } from "../assert.ts";

/** POSTs a form to an absolute URL; returns status and parsed JSON body. */
async function post(
  f: HttpFixture,
  url: string,
  form: Record<string, string>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await f.fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form).toString(),
  });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = { raw: text };
  }
  return { status: res.status, body };
}

/** Follows redirects inside the app (same origin) for a GET, at most 3 hops. */
async function getFollowing(f: HttpFixture, url: string, cookie: string): Promise<Response> {
  let res = await f.fetch(url, { headers: { cookie } });
  for (let i = 0; i < 3 && res.status >= 300 && res.status < 400; i++) {
    const next = new URL(res.headers.get("location")!, url);
    if (next.origin !== new URL(url).origin || next.pathname.endsWith("/auth_callback")) break;
    res = await f.fetch(next.href, { headers: { cookie } });
  }
  return res;
}

Deno.test("path mode: Claude's flow with endpoints at the origin root (no primary wiki)", async () => {
  const f = await setupHttp("path");
  try {
    const root = f.urls.origin;
    // DCR with Claude's payload at the wiki's own /register (the origin root names no wiki).
    const reg = await register(f, CLAUDE_DCR);
    assertEquals(reg.status, 201, JSON.stringify(reg.body));
    const clientId = reg.body.client_id as string;
    const secret = reg.body.client_secret as string;
    // Root /register without a primary wiki: a clear OAuth error, not 404.
    const rootReg = await f.fetch(`${root}/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(CLAUDE_DCR),
    });
    const rootRegBody = await rootReg.json().catch(() => ({}));
    assertEquals(rootReg.status, 400, JSON.stringify(rootRegBody));
    assertEquals(rootRegBody.error, "invalid_request");
    assertOk(String(rootRegBody.error_description).includes("/w/"), rootRegBody.error_description);

    // Authorize at the root, resource with a trailing slash (as Claude sends it).
    const { verifier, challenge } = await pkce();
    const params = new URLSearchParams({
      response_type: "code",
      client_id: clientId,
      redirect_uri: CALLBACK,
      code_challenge: challenge,
      code_challenge_method: "S256",
      state: "st-root",
      scope: "wiki:read wiki:write",
      resource: f.urls.mcp("alice") + "/",
    });
    const cookie = await f.cookie(ALICE, "alice");
    const page = await getFollowing(f, `${root}/authorize?${params}`, cookie);
    const html = await page.text();
    assertEquals(page.status, 200, html.slice(0, 300));
    const { requestId, csrf } = consentFields(html);
    const approved = await answerConsent(f, cookie, { request_id: requestId, csrf, decision: "approve" });
    assertEquals(approved.status, 302);
    const back = new URL(approved.headers.get("location")!);
    const code = back.searchParams.get("code")!;
    assertOk(code.includes(f.alice.id), "a new code names its wiki");

    // Code exchange at the root /token.
    const tok = await post(f, `${root}/token`, {
      grant_type: "authorization_code",
      code,
      code_verifier: verifier,
      client_id: clientId,
      client_secret: secret,
      redirect_uri: CALLBACK,
      resource: f.urls.mcp("alice") + "/",
    });
    assertEquals(tok.status, 200, JSON.stringify(tok.body));
    const refresh = tok.body.refresh_token as string;
    assertOk(refresh.includes(f.alice.id), "a new refresh token names its wiki");
    assertOk((await toolText(await callTool(f, tok.body.access_token as string, "list_notes"))) !== undefined);

    // Two concurrent refreshes of the same token at the root: both succeed (grace).
    const form = { grant_type: "refresh_token", refresh_token: refresh, client_id: clientId, client_secret: secret };
    const [a, b] = await Promise.all([post(f, `${root}/token`, form), post(f, `${root}/token`, form)]);
    assertEquals([a.status, b.status], [200, 200], JSON.stringify([a.body, b.body]));
    await toolText(await callTool(f, a.body.access_token as string, "list_notes"));
    await toolText(await callTool(f, b.body.access_token as string, "list_notes"));

    // Revocation at the root revokes the grant: the refresh token then fails.
    const rev = await post(f, `${root}/revoke`, {
      token: a.body.refresh_token as string,
      client_id: clientId,
      client_secret: secret,
    });
    assertEquals(rev.status, 200, JSON.stringify(rev.body));
    const after = await post(f, `${root}/token`, { ...form, refresh_token: b.body.refresh_token as string });
    assertEquals(after.status, 400);
    assertEquals(after.body.error, "invalid_grant");
  } finally {
    f.close();
  }
});

Deno.test("path mode: a root credential that names no wiki gets an OAuth error, old ones work at their wiki", async () => {
  const f = await setupHttp("path");
  try {
    const root = f.urls.origin;
    const reg = await register(f, CLAUDE_DCR);
    const clientId = reg.body.client_id as string;
    const secret = reg.body.client_secret as string;
    const { verifier, challenge } = await pkce();
    const cookie = await f.cookie(ALICE, "alice");
    const params = new URLSearchParams({
      response_type: "code",
      client_id: clientId,
      redirect_uri: CALLBACK,
      code_challenge: challenge,
      code_challenge_method: "S256",
      state: "s",
      scope: "wiki:read",
      resource: f.urls.mcp("alice"),
    });
    const page = await f.fetch(f.urls.wiki("alice", "/authorize") + "?" + params, { headers: { cookie } });
    const fields = consentFields(await page.text());
    const ok = await answerConsent(f, cookie, { request_id: fields.requestId, csrf: fields.csrf, decision: "approve" });
    const code = new URL(ok.headers.get("location")!).searchParams.get("code")!;
    const tok = await post(f, f.urls.wiki("alice", "/token"), {
      grant_type: "authorization_code",
      code,
      code_verifier: verifier,
      client_id: clientId,
      client_secret: secret,
      redirect_uri: CALLBACK,
    });
    assertEquals(tok.status, 200, JSON.stringify(tok.body));

    // An old-format refresh token (`rwrt_{grantId}.{secret}`, before tokens named their wiki): stored as such.
    const fresh = tok.body.refresh_token as string;
    const keys = f.app.deps.keys;
    const rec = (await f.app.deps.kv.get<RefreshRecord>(
      OK.refresh(f.alice.id, await keys.hmac("token-hash", fresh)),
    )).value!;
    const old = `rwrt_${rec.grantId}.${"A".repeat(43)}`;
    await f.app.deps.kv.set(OK.refresh(f.alice.id, await keys.hmac("token-hash", old)), rec);
    const oldForm = { grant_type: "refresh_token", refresh_token: old, client_id: clientId, client_secret: secret };

    // At the root, with an older client id (`rwc_{24}`), nothing names a wiki: 400 invalid_grant, OAuth body.
    const olderClient = `rwc_${"a".repeat(24)}`;
    const atRoot = await post(f, `${root}/token`, { ...oldForm, client_id: olderClient });
    assertEquals(atRoot.status, 400, JSON.stringify(atRoot.body));
    assertEquals(atRoot.body.error, "invalid_grant");
    assertOk(typeof atRoot.body.error_description === "string");
    // An old-format code at the root: the same.
    const oldCode = await post(f, `${root}/token`, {
      grant_type: "authorization_code",
      code: `rwac_g_${"a".repeat(20)}.${"b".repeat(43)}`,
      code_verifier: verifier,
      client_id: olderClient,
      client_secret: secret,
    });
    assertEquals(oldCode.status, 400, JSON.stringify(oldCode.body));
    assertEquals(oldCode.body.error, "invalid_grant");
    // A revocation naming no wiki (no wiki in token or client id): 401 invalid_client.
    const rev = await post(f, `${root}/revoke`, { token: "whatever", client_id: "rwc_nobody" });
    assertEquals(rev.status, 401, JSON.stringify(rev.body));
    assertEquals(rev.body.error, "invalid_client");
    // A CIMD client id alone names no wiki: /authorize answers a readable page, not 404.
    const cimd = await f.fetch(`${root}/authorize?client_id=${encodeURIComponent("https://claude.ai/oauth/x")}`, {
      headers: { cookie },
    });
    assertEquals(cimd.status, 400);
    assertOk((await cimd.text()).includes("/w/"));
    // At its wiki's endpoint the old token still works.
    const atWiki = await post(f, f.urls.wiki("alice", "/token"), oldForm);
    assertEquals(atWiki.status, 200, JSON.stringify(atWiki.body));
  } finally {
    f.close();
  }
});

/** POSTs a JSON-RPC call to `{origin}/mcp` (or any MCP URL) with an optional bearer token. */
async function mcpCall(f: HttpFixture, url: string, token: string | null, method: string, params = {}) {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
  };
  if (token) headers.authorization = `Bearer ${token}`;
  return await f.fetch(url, {
    method: "POST",
    headers,
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
}

Deno.test("path mode without a primary wiki: the root metadata answers a clear JSON error", async () => {
  const f = await setupHttp("path");
  try {
    for (const path of ["/.well-known/oauth-protected-resource", "/.well-known/oauth-authorization-server"]) {
      const res = await f.fetch(f.urls.origin + path);
      const body = await res.json();
      assertEquals(body.error, "invalid_request", path);
      assertOk(String(body.error_description).includes("/w/{wiki}/mcp"), body.error_description);
    }
  } finally {
    f.close();
  }
});

Deno.test("path mode with PRIMARY_WIKI: the origin root is issuer {origin}, Claude's flow at the root", async () => {
  const f = await setupHttp("path", { config: { primaryWiki: "alice" } });
  try {
    const root = f.urls.origin;
    const rootMcp = `${root}/mcp`;
    // The root MCP endpoint challenges with the root PRM.
    const unauth = await mcpCall(f, rootMcp, null, "tools/list");
    assertEquals(unauth.status, 401);
    assertOk(
      unauth.headers.get("www-authenticate")!.includes(
        `resource_metadata="${root}/.well-known/oauth-protected-resource/mcp"`,
      ),
      unauth.headers.get("www-authenticate")!,
    );
    await unauth.body?.cancel();
    const prm = await (await f.fetch(`${root}/.well-known/oauth-protected-resource`)).json();
    assertEquals(prm.resource, rootMcp);
    assertEquals(prm.authorization_servers, [root]);
    const meta = await (await f.fetch(`${root}/.well-known/oauth-authorization-server`)).json();
    assertEquals([meta.issuer, meta.token_endpoint, meta.registration_endpoint], [
      root,
      `${root}/token`,
      `${root}/register`,
    ]);

    // DCR with Claude's payload at the root.
    const regRes = await f.fetch(`${root}/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(CLAUDE_DCR),
    });
    const reg = await regRes.json();
    assertEquals(regRes.status, 201, JSON.stringify(reg));
    const clientId = reg.client_id as string;
    const secret = reg.client_secret as string;

    // Authorize at the root for `{origin}/mcp/` (trailing slash): iss is the origin.
    const { verifier, challenge } = await pkce();
    const params = new URLSearchParams({
      response_type: "code",
      client_id: clientId,
      redirect_uri: CALLBACK,
      code_challenge: challenge,
      code_challenge_method: "S256",
      state: "st-primary",
      scope: "wiki:read wiki:write",
      resource: rootMcp + "/",
    });
    const cookie = await f.cookie(ALICE, "alice");
    const page = await getFollowing(f, `${root}/authorize?${params}`, cookie);
    const html = await page.text();
    assertEquals(page.status, 200, html.slice(0, 300));
    const { requestId, csrf } = consentFields(html);
    const approved = await answerConsent(f, cookie, { request_id: requestId, csrf, decision: "approve" });
    const back = new URL(approved.headers.get("location")!);
    assertEquals(back.searchParams.get("iss"), root);

    const tok = await post(f, `${root}/token`, {
      grant_type: "authorization_code",
      code: back.searchParams.get("code")!,
      code_verifier: verifier,
      client_id: clientId,
      client_secret: secret,
      redirect_uri: CALLBACK,
      resource: rootMcp + "/",
    });
    assertEquals(tok.status, 200, JSON.stringify(tok.body));
    const access = tok.body.access_token as string;
    const listed = await mcpCall(f, rootMcp, access, "tools/list");
    assertEquals(listed.status, 200, await listed.clone().text());
    assertOk(((await listed.json()).result.tools as unknown[]).length > 0);
    // Refused on every other wiki.
    const atBob = await callTool(f, access, "list_notes", {}, "bob");
    assertEquals(atBob.status, 401);
    await atBob.body?.cancel();

    // Two concurrent refreshes at the root, resource `{origin}/mcp`: both succeed.
    const form = {
      grant_type: "refresh_token",
      refresh_token: tok.body.refresh_token as string,
      client_id: clientId,
      client_secret: secret,
      resource: rootMcp,
    };
    const [a, b] = await Promise.all([post(f, `${root}/token`, form), post(f, `${root}/token`, form)]);
    assertEquals([a.status, b.status], [200, 200], JSON.stringify([a.body, b.body]));
    for (const t of [a, b]) {
      const r = await mcpCall(f, rootMcp, t.body.access_token as string, "tools/list");
      assertEquals(r.status, 200);
      await r.body?.cancel();
    }

    // The wiki's own issuer keeps working at /w/alice/; each audience refuses the other's tokens.
    const own = await connect(f);
    await toolText(await callTool(f, own.access, "list_notes"));
    const ownAtRoot = await mcpCall(f, rootMcp, own.access, "tools/list");
    assertEquals(ownAtRoot.status, 401);
    assertOk(ownAtRoot.headers.get("www-authenticate")!.includes('error="invalid_token"'));
    await ownAtRoot.body?.cancel();
    const rootAtWiki = await callTool(f, access, "list_notes");
    assertEquals(rootAtWiki.status, 401);
    await rootAtWiki.body?.cancel();
  } finally {
    f.close();
  }
});

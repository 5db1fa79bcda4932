import { assertEquals, assertOk } from "../assert.ts";
import { ALICE, authorizeCode, CLAUDE_DCR, connectPublic, pkce, post, register, setup } from "./helpers.ts";
import type { OAuthFixture } from "./helpers.ts";

const CB = "https://claude.ai/api/mcp/auth_callback";
const RES = "http://localhost:8000/w/alice/mcp";

/** A confidential client with its secret, authorized: returns the code, verifier and client. */
async function confidential(fx: OAuthFixture, method: "client_secret_post" | "client_secret_basic") {
  const reg = await register(fx, { ...CLAUDE_DCR, token_endpoint_auth_method: method });
  const id = reg.body.client_id as string;
  const secret = reg.body.client_secret as string;
  const { verifier, challenge } = await pkce();
  const { code } = await authorizeCode(fx, id, challenge);
  return { id, secret, verifier, code };
}

function codeForm(code: string, verifier: string, extra: Record<string, string> = {}) {
  return { grant_type: "authorization_code", code, code_verifier: verifier, redirect_uri: CB, resource: RES, ...extra };
}

Deno.test("token - code exchange, client_secret_post: tokens, no-store, scope", async () => {
  const fx = await setup();
  const c = await confidential(fx, "client_secret_post");
  const res = await post(fx, "token", codeForm(c.code, c.verifier, { client_id: c.id, client_secret: c.secret }));
  assertEquals(res.status, 200, JSON.stringify(res.body));
  assertEquals(res.headers.get("cache-control"), "no-store");
  assertEquals(res.body.token_type, "Bearer");
  assertEquals(res.body.expires_in, 8 * 3600);
  assertEquals(res.body.scope, "wiki:read wiki:write");
  assertOk((res.body.access_token as string).startsWith(`rwat_${fx.alice.id}.g_`));
  assertOk((res.body.refresh_token as string).startsWith(`rwrt_${fx.alice.id}.g_`));
  const v = await fx.oauth.verifyAccessToken(res.body.access_token as string, fx.alice);
  assertOk(v.ok);
  assertEquals(v.principal.subject, ALICE);
  assertEquals([...v.principal.scopes], ["wiki:read", "wiki:write"]);
  assertEquals(v.principal.clientName, "Claude");
  fx.close();
});

Deno.test("token - code exchange, client_secret_basic", async () => {
  const fx = await setup();
  const c = await confidential(fx, "client_secret_basic");
  const res = await post(fx, "token", codeForm(c.code, c.verifier), { basic: [c.id, c.secret] });
  assertEquals(res.status, 200, JSON.stringify(res.body));
  fx.close();
});

Deno.test("token - code replay: second use fails AND the tokens of the first are revoked", async () => {
  const fx = await setup();
  const c = await confidential(fx, "client_secret_post");
  const form = codeForm(c.code, c.verifier, { client_id: c.id, client_secret: c.secret });
  const first = await post(fx, "token", form);
  assertEquals(first.status, 200);
  assertOk((await fx.oauth.verifyAccessToken(first.body.access_token as string, fx.alice)).ok);
  const second = await post(fx, "token", form);
  assertEquals(second.status, 400);
  assertEquals(second.body, {
    error: "invalid_grant",
    error_description: "This authorization code was already used; the tokens issued with it have been revoked. " +
      "Start the authorization again.",
  });
  const v = await fx.oauth.verifyAccessToken(first.body.access_token as string, fx.alice);
  assertEquals(v.ok ? "ok" : v.reason, "revoked");
  const r = await post(fx, "token", {
    grant_type: "refresh_token",
    refresh_token: first.body.refresh_token as string,
    client_id: c.id,
    client_secret: c.secret,
  });
  assertEquals(r.body.error, "invalid_grant");
  fx.close();
});

Deno.test("token - wrong PKCE verifier is invalid_grant (and the code stays usable)", async () => {
  const fx = await setup();
  const c = await confidential(fx, "client_secret_post");
  const other = (await pkce()).verifier;
  const bad = await post(fx, "token", codeForm(c.code, other, { client_id: c.id, client_secret: c.secret }));
  assertEquals(bad.body, {
    error: "invalid_grant",
    error_description: "The code_verifier does not match the code_challenge.",
  });
  const missing = await post(fx, "token", {
    grant_type: "authorization_code",
    code: c.code,
    redirect_uri: CB,
    client_id: c.id,
    client_secret: c.secret,
  });
  assertEquals(missing.body, { error: "invalid_request", error_description: "code_verifier is required (PKCE)." });
  const good = await post(fx, "token", codeForm(c.code, c.verifier, { client_id: c.id, client_secret: c.secret }));
  assertEquals(good.status, 200);
  fx.close();
});

Deno.test("token - expired code (60 s) is invalid_grant", async () => {
  const fx = await setup();
  const c = await confidential(fx, "client_secret_post");
  fx.advance(60_001);
  const res = await post(fx, "token", codeForm(c.code, c.verifier, { client_id: c.id, client_secret: c.secret }));
  assertEquals(res.body, {
    error: "invalid_grant",
    error_description: "The authorization code is invalid or expired. Start the authorization again.",
  });
  fx.close();
});

Deno.test("token - redirect_uri and resource must match the code's", async () => {
  const fx = await setup();
  const c = await confidential(fx, "client_secret_post");
  const auth = { client_id: c.id, client_secret: c.secret };
  const r1 = await post(
    fx,
    "token",
    codeForm(c.code, c.verifier, { ...auth, redirect_uri: "https://claude.com/api/mcp/auth_callback" }),
  );
  assertEquals(r1.body.error, "invalid_grant");
  const r2 = await post(
    fx,
    "token",
    codeForm(c.code, c.verifier, { ...auth, resource: "http://localhost:8000/w/bob/mcp" }),
  );
  assertEquals(r2.body.error, "invalid_target");
  const ok = await post(fx, "token", codeForm(c.code, c.verifier, { ...auth, resource: RES + "/" }));
  assertEquals(ok.status, 200);
  fx.close();
});

Deno.test("token - code issued to one client cannot be redeemed by another", async () => {
  const fx = await setup();
  const c = await confidential(fx, "client_secret_post");
  const thief = await register(fx, CLAUDE_DCR);
  const res = await post(
    fx,
    "token",
    codeForm(c.code, c.verifier, {
      client_id: thief.body.client_id as string,
      client_secret: thief.body.client_secret as string,
    }),
  );
  assertEquals(res.body.error, "invalid_grant");
  fx.close();
});

Deno.test("token - unknown client: 401 invalid_client with WWW-Authenticate", async () => {
  const fx = await setup();
  const res = await post(fx, "token", codeForm("rwac_x", "y", { client_id: "rwc_nobody0000000000000000000" }));
  assertEquals(res.status, 401);
  assertEquals(res.body.error, "invalid_client");
  assertOk(res.headers.get("www-authenticate")?.startsWith("Basic"));
  fx.close();
});

Deno.test("token - wrong secret: 401 invalid_client", async () => {
  const fx = await setup();
  const c = await confidential(fx, "client_secret_post");
  const res = await post(fx, "token", codeForm(c.code, c.verifier, { client_id: c.id, client_secret: c.secret + "x" }));
  assertEquals([res.status, res.body.error, res.body.error_description], [
    401,
    "invalid_client",
    "The client secret is wrong.",
  ]);
  const basic = await confidential(fx, "client_secret_basic");
  const res2 = await post(fx, "token", codeForm(basic.code, basic.verifier), { basic: [basic.id, "rwcs_wrong"] });
  assertEquals([res2.status, res2.body.error], [401, "invalid_client"]);
  fx.close();
});

Deno.test("token - secret method mismatch (post vs basic vs none) is invalid_client", async () => {
  const fx = await setup();
  const p = await confidential(fx, "client_secret_post");
  const viaBasic = await post(fx, "token", codeForm(p.code, p.verifier), { basic: [p.id, p.secret] });
  assertEquals([viaBasic.status, viaBasic.body.error_description], [
    401,
    "This client registered token_endpoint_auth_method client_secret_post; authenticate with it (the request used " +
    "client_secret_basic).",
  ]);
  const none = await post(fx, "token", codeForm(p.code, p.verifier, { client_id: p.id }));
  assertEquals([none.status, none.body.error], [401, "invalid_client"]);
  const b = await confidential(fx, "client_secret_basic");
  const viaPost = await post(fx, "token", codeForm(b.code, b.verifier, { client_id: b.id, client_secret: b.secret }));
  assertEquals([viaPost.status, viaPost.body.error], [401, "invalid_client"]);
  // a public client sending a secret is refused too
  const pub = await register(fx, { ...CLAUDE_DCR, token_endpoint_auth_method: "none" });
  const withSecret = await post(
    fx,
    "token",
    codeForm("rwac_x", "y", { client_id: pub.body.client_id as string, client_secret: "anything" }),
  );
  assertEquals([withSecret.status, withSecret.body.error], [401, "invalid_client"]);
  fx.close();
});

Deno.test("token - unsupported grant type and missing grant type", async () => {
  const fx = await setup();
  const a = await post(fx, "token", { grant_type: "client_credentials" });
  assertEquals(a.body.error, "unsupported_grant_type");
  const b = await post(fx, "token", {});
  assertEquals(b.body.error, "invalid_request");
  fx.close();
});

// ---- refresh ----

function refreshForm(clientId: string, token: string, extra: Record<string, string> = {}) {
  return { grant_type: "refresh_token", refresh_token: token, client_id: clientId, ...extra };
}

Deno.test("refresh - rotation: new pair, new refresh token works, the old one only within the grace", async () => {
  const fx = await setup();
  const s = await connectPublic(fx);
  const r1 = await post(fx, "token", refreshForm(s.clientId, s.refresh, { resource: RES }));
  assertEquals(r1.status, 200, JSON.stringify(r1.body));
  assertOk(r1.body.refresh_token !== s.refresh);
  assertEquals(r1.body.scope, "wiki:read wiki:write");
  assertOk((await fx.oauth.verifyAccessToken(r1.body.access_token as string, fx.alice)).ok);
  fx.advance(3_600_000);
  const r2 = await post(fx, "token", refreshForm(s.clientId, r1.body.refresh_token as string));
  assertEquals(r2.status, 200);
  fx.close();
});

Deno.test("refresh - reuse within the grace works (fresh pair for the same grant), siblings both valid", async () => {
  const fx = await setup();
  const s = await connectPublic(fx);
  const a = await post(fx, "token", refreshForm(s.clientId, s.refresh));
  fx.advance(30_000);
  const b = await post(fx, "token", refreshForm(s.clientId, s.refresh));
  assertEquals(b.status, 200, JSON.stringify(b.body));
  assertOk(b.body.refresh_token !== a.body.refresh_token);
  assertEquals((b.body.access_token as string).split(".")[1], s.grantId);
  fx.advance(3_600_000);
  assertEquals((await post(fx, "token", refreshForm(s.clientId, a.body.refresh_token as string))).status, 200);
  assertEquals((await post(fx, "token", refreshForm(s.clientId, b.body.refresh_token as string))).status, 200);
  fx.close();
});

Deno.test("refresh - concurrent refreshes with the same token both succeed (Claude races itself)", async () => {
  const fx = await setup();
  const s = await connectPublic(fx);
  const both = await Promise.all([
    post(fx, "token", refreshForm(s.clientId, s.refresh)),
    post(fx, "token", refreshForm(s.clientId, s.refresh)),
  ]);
  assertEquals(both.map((r) => r.status), [200, 200]);
  fx.close();
});

Deno.test("refresh - reuse after the grace revokes the whole grant", async () => {
  const fx = await setup();
  const s = await connectPublic(fx);
  const a = await post(fx, "token", refreshForm(s.clientId, s.refresh));
  fx.advance(60_001);
  const reuse = await post(fx, "token", refreshForm(s.clientId, s.refresh));
  assertEquals(reuse.body, {
    error: "invalid_grant",
    error_description:
      "This refresh token was already used. For safety the authorization has been revoked; connect the app again.",
  });
  const v = await fx.oauth.verifyAccessToken(a.body.access_token as string, fx.alice);
  assertEquals(v.ok ? "ok" : v.reason, "revoked");
  const successor = await post(fx, "token", refreshForm(s.clientId, a.body.refresh_token as string));
  assertEquals(successor.body.error, "invalid_grant");
  assertEquals(await fx.oauth.listGrants(fx.alice.id), []);
  fx.close();
});

Deno.test("refresh - grace uses are bounded per rotated token", async () => {
  const fx = await setup({ settings: { refreshGraceUses: 2 } });
  const s = await connectPublic(fx);
  assertEquals((await post(fx, "token", refreshForm(s.clientId, s.refresh))).status, 200);
  assertEquals((await post(fx, "token", refreshForm(s.clientId, s.refresh))).status, 200);
  assertEquals((await post(fx, "token", refreshForm(s.clientId, s.refresh))).status, 200);
  const fourth = await post(fx, "token", refreshForm(s.clientId, s.refresh));
  assertEquals(fourth.body.error, "invalid_grant");
  assertEquals(await fx.oauth.listGrants(fx.alice.id), []);
  fx.close();
});

Deno.test("refresh - scope may only narrow: escalation refused, narrowing works and keeps the grant", async () => {
  const fx = await setup();
  const reg = await register(fx, { ...CLAUDE_DCR, token_endpoint_auth_method: "none" });
  const id = reg.body.client_id as string;
  const { verifier, challenge } = await pkce();
  const { code } = await authorizeCode(fx, id, challenge, { over: { scope: "wiki:read" } });
  const t = await post(fx, "token", codeForm(code, verifier, { client_id: id }));
  assertEquals(t.body.scope, "wiki:read");
  const up = await post(
    fx,
    "token",
    refreshForm(id, t.body.refresh_token as string, { scope: "wiki:read wiki:write" }),
  );
  assertEquals(up.body, {
    error: "invalid_scope",
    error_description: "A refresh can only narrow the scope; wiki:write was not granted.",
  });
  fx.close();
  const fx2 = await setup();
  const s = await connectPublic(fx2);
  const down = await post(fx2, "token", refreshForm(s.clientId, s.refresh, { scope: "wiki:read" }));
  assertEquals(down.body.scope, "wiki:read");
  const back = await post(fx2, "token", refreshForm(s.clientId, down.body.refresh_token as string));
  assertEquals(back.body.scope, "wiki:read wiki:write");
  fx2.close();
});

Deno.test("refresh - resource must stay this wiki's; refresh token of wiki A is unknown at wiki B", async () => {
  const fx = await setup();
  const s = await connectPublic(fx);
  const other = await post(
    fx,
    "token",
    refreshForm(s.clientId, s.refresh, { resource: "http://localhost:8000/w/bob/mcp" }),
  );
  assertEquals(other.body.error, "invalid_target");
  const atBob = await post(fx, "token", refreshForm(s.clientId, s.refresh), { wiki: fx.bob });
  assertEquals(atBob.status, 401); // the client is not registered on bob's authorization server
  fx.close();
});

Deno.test("refresh - revoked grant: refresh and access tokens fail at once", async () => {
  const fx = await setup();
  const s = await connectPublic(fx);
  assertEquals(await fx.oauth.revokeGrant(fx.alice.id, s.grantId), true);
  const r = await post(fx, "token", refreshForm(s.clientId, s.refresh));
  assertEquals(r.body, {
    error: "invalid_grant",
    error_description: "This authorization was revoked. Connect the app again.",
  });
  const v = await fx.oauth.verifyAccessToken(s.access, fx.alice);
  assertEquals(v.ok ? "ok" : v.reason, "revoked");
  fx.close();
});

Deno.test("refresh - sliding lifetime: a token unused for 60 days expires; used ones keep the grant alive", async () => {
  const fx = await setup();
  const s = await connectPublic(fx);
  let token = s.refresh;
  for (let i = 0; i < 3; i++) {
    fx.advance(50 * 24 * 3_600_000);
    const r = await post(fx, "token", refreshForm(s.clientId, token));
    assertEquals(r.status, 200, `round ${i}: ${JSON.stringify(r.body)}`);
    token = r.body.refresh_token as string;
  }
  fx.advance(60 * 24 * 3_600_000 + 1);
  assertEquals((await post(fx, "token", refreshForm(s.clientId, token))).body.error, "invalid_grant");
  fx.close();
});

Deno.test("re-authorization replaces the previous grant and revokes its tokens", async () => {
  const fx = await setup();
  const s = await connectPublic(fx);
  const { verifier, challenge } = await pkce();
  const { code } = await authorizeCode(fx, s.clientId, challenge);
  const old = await fx.oauth.verifyAccessToken(s.access, fx.alice);
  assertEquals(old.ok ? "ok" : old.reason, "revoked");
  const t = await post(fx, "token", codeForm(code, verifier, { client_id: s.clientId }));
  assertEquals(t.status, 200);
  const grants = await fx.oauth.listGrants(fx.alice.id);
  assertEquals(grants.length, 1);
  assertOk(grants[0].grantId !== s.grantId);
  assertEquals((await post(fx, "token", refreshForm(s.clientId, s.refresh))).body.error, "invalid_grant");
  fx.close();
});

Deno.test("token - a client with a live grant outlives its 24 h unused-client expiry", async () => {
  const fx = await setup();
  const s = await connectPublic(fx);
  fx.advance(30 * 24 * 3_600_000);
  const r = await post(fx, "token", refreshForm(s.clientId, s.refresh));
  assertEquals(r.status, 200, JSON.stringify(r.body));
  fx.close();
});

Deno.test("CIMD client - full flow: authorize, public code exchange with the URL client_id, refresh", async () => {
  const fx = await setup();
  const url = "https://app.example/oauth/client.json";
  fx.routes.set(url, () =>
    Response.json({
      client_id: url,
      client_name: "Example App",
      redirect_uris: ["http://127.0.0.1/callback"],
      token_endpoint_auth_method: "none",
    }));
  const { verifier, challenge } = await pkce();
  const { code } = await authorizeCode(fx, url, challenge, {
    over: { redirect_uri: "http://127.0.0.1:4444/callback" },
  });
  const t = await post(fx, "token", {
    grant_type: "authorization_code",
    code,
    code_verifier: verifier,
    client_id: url,
    redirect_uri: "http://127.0.0.1:4444/callback",
  });
  assertEquals(t.status, 200, JSON.stringify(t.body));
  const v = await fx.oauth.verifyAccessToken(t.body.access_token as string, fx.alice);
  assertOk(v.ok);
  assertEquals([v.principal.clientId, v.principal.clientName], [url, "Example App"]);
  const withSecret = await post(fx, "token", {
    grant_type: "refresh_token",
    refresh_token: t.body.refresh_token as string,
    client_id: url,
    client_secret: "x",
  });
  assertEquals([withSecret.status, withSecret.body.error], [401, "invalid_client"]);
  const r = await post(fx, "token", {
    grant_type: "refresh_token",
    refresh_token: t.body.refresh_token as string,
    client_id: url,
  });
  assertEquals(r.status, 200);
  assertEquals(fx.fetched, [url]);
  fx.close();
});

Deno.test("refresh - confidential client_secret_basic client refreshes with Basic", async () => {
  const fx = await setup();
  const c = await confidential(fx, "client_secret_basic");
  const t = await post(fx, "token", codeForm(c.code, c.verifier), { basic: [c.id, c.secret] });
  const r = await post(fx, "token", { grant_type: "refresh_token", refresh_token: t.body.refresh_token as string }, {
    basic: [c.id, c.secret],
  });
  assertEquals(r.status, 200, JSON.stringify(r.body));
  fx.close();
});

Deno.test("token - two concurrent exchanges of one code: one wins, the other is a replay that revokes it", async () => {
  const fx = await setup();
  const c = await confidential(fx, "client_secret_post");
  const form = codeForm(c.code, c.verifier, { client_id: c.id, client_secret: c.secret });
  const [a, b] = await Promise.all([post(fx, "token", form), post(fx, "token", form)]);
  assertEquals([a.status, b.status].sort(), [200, 400]);
  const winner = a.status === 200 ? a : b;
  const v = await fx.oauth.verifyAccessToken(winner.body.access_token as string, fx.alice);
  assertEquals(v.ok ? "ok" : v.reason, "revoked");
  fx.close();
});

Deno.test("token - a client approved just before its 24 h registration expiry can still exchange its code", async () => {
  const fx = await setup();
  const reg = await register(fx, { ...CLAUDE_DCR, token_endpoint_auth_method: "none" });
  const id = reg.body.client_id as string;
  fx.advance(24 * 3_600_000 - 10_000);
  const { verifier, challenge } = await pkce();
  const { code } = await authorizeCode(fx, id, challenge);
  fx.advance(30_000);
  const t = await post(fx, "token", codeForm(code, verifier, { client_id: id }));
  assertEquals(t.status, 200, JSON.stringify(t.body));
  fx.close();
});

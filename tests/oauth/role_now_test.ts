/**
 * A refresh issues only what the user's current role allows (lib/oauth/role_now.ts, issue 11 item 2): after a
 * demotion the refreshed token and the response's `scope` say `wiki:read`; a promotion back restores the grant's
 * scopes; a removed member's refresh is `invalid_grant`. Also on an instance that has not seen the grant yet.
 */
import { assertEquals, assertIncludes, assertOk } from "../assert.ts";
import { connectPublic, type OAuthFixture, post, setup, VIEWER } from "./helpers.ts";
import { countingKv } from "../mcp/helpers.ts";
import { createOAuthServer } from "../../lib/oauth/server.ts";

function refreshForm(clientId: string, token: string, extra: Record<string, string> = {}) {
  return { grant_type: "refresh_token", refresh_token: token, client_id: clientId, ...extra };
}

async function scopesOf(fx: OAuthFixture, access: string): Promise<string[]> {
  const v = await fx.oauth.verifyAccessToken(access, fx.alice);
  assertOk(v.ok, JSON.stringify(v));
  return [...v.principal.scopes];
}

Deno.test("role now - a refresh after a demotion reports and carries wiki:read; a promotion restores write", async () => {
  const fx = await setup();
  await fx.setRole(fx.alice, VIEWER, "editor");
  const s = await connectPublic(fx, { did: VIEWER, role: "editor" });
  const r0 = await post(fx, "token", refreshForm(s.clientId, s.refresh));
  assertEquals([r0.status, r0.body.scope], [200, "wiki:read wiki:write"]);

  await fx.setRole(fx.alice, VIEWER, "viewer");
  const r1 = await post(fx, "token", refreshForm(s.clientId, r0.body.refresh_token as string));
  assertEquals([r1.status, r1.body.scope], [200, "wiki:read"], JSON.stringify(r1.body));
  assertEquals(await scopesOf(fx, r1.body.access_token as string), ["wiki:read"]);
  // Asking for the write scope explicitly does not get it either.
  const r2 = await post(fx, "token", refreshForm(s.clientId, r1.body.refresh_token as string, { scope: "wiki:write" }));
  assertEquals([r2.status, r2.body.error], [400, "invalid_scope"]);
  assertIncludes(r2.body.error_description as string, "(viewer) allows only wiki:read");

  // The grant keeps what was consented to: promoted back, the next refresh can write again.
  await fx.setRole(fx.alice, VIEWER, "editor");
  const r3 = await post(fx, "token", refreshForm(s.clientId, r1.body.refresh_token as string));
  assertEquals([r3.status, r3.body.scope], [200, "wiki:read wiki:write"], JSON.stringify(r3.body));
  fx.close();
});

Deno.test("role now - a member removed since the grant cannot refresh (invalid_grant)", async () => {
  const fx = await setup();
  await fx.setRole(fx.alice, VIEWER, "editor");
  const s = await connectPublic(fx, { did: VIEWER, role: "editor" });
  await fx.setRole(fx.alice, VIEWER, null);
  const r = await post(fx, "token", refreshForm(s.clientId, s.refresh));
  assertEquals([r.status, r.body.error], [400, "invalid_grant"]);
  assertIncludes(r.body.error_description as string, "no longer a member");
  fx.close();
});

Deno.test("role now - an instance that has not seen the grant reads the role with one get, then remembers", async () => {
  const fx = await setup();
  await fx.setRole(fx.alice, VIEWER, "editor");
  const s = await connectPublic(fx, { did: VIEWER, role: "editor" });
  await fx.setRole(fx.alice, VIEWER, "viewer");
  // Another instance: its own store handle, which has issued nothing for this grant.
  const { kv, counter } = countingKv(fx.kv);
  const ctx = fx.oauth.ctx;
  const other = createOAuthServer({ kv, keys: ctx.keys, urls: ctx.urls, now: ctx.now, settings: ctx.settings });
  const onOther: OAuthFixture = { ...fx, oauth: other };
  counter.reset();
  const r1 = await post(onOther, "token", refreshForm(s.clientId, s.refresh));
  assertEquals([r1.status, r1.body.scope], [200, "wiki:read"], JSON.stringify(r1.body));
  assertEquals(counter.calls, ["getMany", "get", "commit"]);
  counter.reset();
  const r2 = await post(onOther, "token", refreshForm(s.clientId, r1.body.refresh_token as string));
  assertEquals([r2.status, r2.body.scope], [200, "wiki:read"], JSON.stringify(r2.body));
  assertEquals(counter.calls, ["getMany", "commit"]);
  fx.close();
});

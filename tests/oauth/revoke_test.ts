import { assertEquals, assertOk } from "../assert.ts";
import { ALICE, CLAUDE_DCR, connectPublic, post, register, setup, VIEWER } from "./helpers.ts";

Deno.test("revoke - RFC 7009: access token revoked at once, grant kept", async () => {
  const fx = await setup();
  const s = await connectPublic(fx);
  const res = await post(fx, "revoke", { token: s.access, client_id: s.clientId });
  assertEquals(res.status, 200);
  assertEquals(res.headers.get("cache-control"), "no-store");
  const v = await fx.oauth.verifyAccessToken(s.access, fx.alice);
  assertEquals(v.ok ? "ok" : v.reason, "unknown");
  assertEquals(
    (await post(fx, "token", { grant_type: "refresh_token", refresh_token: s.refresh, client_id: s.clientId })).status,
    200,
  );
  fx.close();
});

Deno.test("revoke - RFC 7009: a refresh token revokes its whole grant", async () => {
  const fx = await setup();
  const s = await connectPublic(fx);
  assertEquals(
    (await post(fx, "revoke", { token: s.refresh, token_type_hint: "refresh_token", client_id: s.clientId })).status,
    200,
  );
  const v = await fx.oauth.verifyAccessToken(s.access, fx.alice);
  assertEquals(v.ok ? "ok" : v.reason, "revoked");
  assertEquals(await fx.oauth.listGrants(fx.alice.id), []);
  fx.close();
});

Deno.test("revoke - unknown tokens and other clients' tokens: 200, no effect; bad client auth: 401", async () => {
  const fx = await setup();
  const s = await connectPublic(fx);
  assertEquals((await post(fx, "revoke", { token: "rwat_unknown", client_id: s.clientId })).status, 200);
  const other = await register(fx, CLAUDE_DCR);
  const res = await post(fx, "revoke", {
    token: s.access,
    client_id: other.body.client_id as string,
    client_secret: other.body.client_secret as string,
  });
  assertEquals(res.status, 200);
  assertOk((await fx.oauth.verifyAccessToken(s.access, fx.alice)).ok);
  const bad = await post(fx, "revoke", {
    token: s.access,
    client_id: other.body.client_id as string,
    client_secret: "x",
  });
  assertEquals([bad.status, bad.body.error], [401, "invalid_client"]);
  const missing = await post(fx, "revoke", { client_id: s.clientId });
  assertEquals(missing.body.error, "invalid_request");
  fx.close();
});

Deno.test("connected apps - listGrants shows client, redirect host, scopes, granted and last used", async () => {
  const fx = await setup();
  const granted = fx.now();
  const s = await connectPublic(fx);
  let apps = await fx.oauth.listGrants(fx.alice.id);
  assertEquals(apps.length, 1);
  assertEquals(apps[0], {
    grantId: s.grantId,
    did: ALICE,
    clientId: s.clientId,
    clientName: "Claude",
    redirectHost: "claude.ai",
    scopes: ["wiki:read", "wiki:write"],
    grantedAt: granted,
    lastUsedAt: null,
    expiresAt: granted + 60 * 24 * 3_600_000,
  });
  fx.advance(5_000);
  await fx.oauth.verifyAccessToken(s.access, fx.alice);
  apps = await fx.oauth.listGrants(fx.alice.id);
  assertEquals(apps[0].lastUsedAt, granted + 5_000);
  assertEquals(await fx.oauth.listGrants(fx.bob.id), []);
  fx.close();
});

Deno.test("revokeAllForWiki removes every OAuth record of the wiki; revokeAllForUser every grant of a user", async () => {
  const fx = await setup();
  const a = await connectPublic(fx);
  const v = await connectPublic(fx, { did: VIEWER, role: "viewer" });
  assertEquals(await fx.oauth.revokeAllForUser(VIEWER), 1);
  assertEquals((await fx.oauth.listGrants(fx.alice.id)).map((g) => g.did), [ALICE]);
  const vv = await fx.oauth.verifyAccessToken(v.access, fx.alice);
  assertEquals(vv.ok ? "ok" : vv.reason, "revoked");
  assertOk(await fx.oauth.revokeAllForWiki(fx.alice.id) > 0);
  const left: unknown[] = [];
  for (const type of ["oauth_client", "oauth_grant", "oauth_access", "oauth_refresh", "oauth_code"]) {
    for await (const e of fx.kv.list({ prefix: [type, fx.alice.id] })) left.push(e.key);
  }
  for await (const e of fx.kv.list({ prefix: ["oauth_user_grant", ALICE] })) left.push(e.key);
  assertEquals(left, []);
  const av = await fx.oauth.verifyAccessToken(a.access, fx.alice);
  assertOk(!av.ok);
  fx.close();
});

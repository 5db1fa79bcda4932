import { assertEquals, assertOk } from "../assert.ts";
import { ALICE, connectPublic, setup, VIEWER } from "./helpers.ts";
import { authenticate } from "../../lib/auth/authenticate.ts";
import { createAccessTokenVerifier, parseAccessToken } from "../../lib/oauth/verify.ts";
import { countingKv } from "../mcp/helpers.ts";

function bearer(token: string): Request {
  return new Request("http://localhost:8000/w/alice/mcp", {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
  });
}

Deno.test("verify - through the MCP seam: ONE getMany checks slug, token, grant and role", async () => {
  const fx = await setup();
  const s = await connectPublic(fx);
  const { kv, counter: { calls } } = countingKv(fx.kv);
  const verifier = createAccessTokenVerifier({ ...fx.oauth.ctx, kv });
  const first = await authenticate(kv, bearer(s.access), "alice", [verifier]);
  assertOk(first.result.ok, JSON.stringify(first.result));
  assertEquals(first.result.principal.subject, ALICE);
  assertEquals(first.result.principal.via, "oauth");
  assertEquals(first.result.principal.grantId, s.grantId);
  assertEquals(first.result.principal.clientId, s.clientId);
  assertEquals(calls, ["getMany", "commit"]); // first use records lastUsed
  calls.length = 0;
  fx.advance(30_000);
  const second = await authenticate(kv, bearer(s.access), "alice", [verifier]);
  assertOk(second.result.ok);
  assertEquals(calls, ["getMany"]); // within the minute: no write
  fx.close();
});

Deno.test("verify - a token of wiki A is invalid on wiki B", async () => {
  const fx = await setup();
  const s = await connectPublic(fx);
  const v = await fx.oauth.verifyAccessToken(s.access, fx.bob);
  assertEquals(v.ok ? "ok" : [v.reason, v.description], ["wrong-wiki", "The token belongs to another wiki."]);
  const seam = await authenticate(fx.kv, bearer(s.access), "bob", [fx.oauth.verifier()]);
  assertEquals(seam.result, {
    ok: false,
    failure: { kind: "invalid", description: "The token belongs to another wiki." },
  });
  fx.close();
});

Deno.test("verify - the current role caps scopes at once; a removed member loses access at once", async () => {
  const fx = await setup();
  await fx.setRole(fx.alice, VIEWER, "editor");
  const s = await connectPublic(fx, { did: VIEWER, role: "editor" });
  const before = await fx.oauth.verifyAccessToken(s.access, fx.alice);
  assertOk(before.ok);
  assertEquals([...before.principal.scopes], ["wiki:read", "wiki:write"]);
  await fx.setRole(fx.alice, VIEWER, "viewer");
  const demoted = await fx.oauth.verifyAccessToken(s.access, fx.alice);
  assertOk(demoted.ok);
  assertEquals([...demoted.principal.scopes], ["wiki:read"]);
  await fx.setRole(fx.alice, VIEWER, null);
  const removed = await fx.oauth.verifyAccessToken(s.access, fx.alice);
  assertEquals(removed.ok ? "ok" : removed.reason, "not-member");
  fx.close();
});

Deno.test("verify - expired, tampered and foreign tokens are refused", async () => {
  const fx = await setup();
  const s = await connectPublic(fx);
  const parts = s.access.split(".");
  const tampered = [parts[0], parts[1], btoa("did:plc:mallory").replaceAll("=", ""), parts[3]].join(".");
  const t = await fx.oauth.verifyAccessToken(tampered, fx.alice);
  assertEquals(t.ok ? "ok" : t.reason, "unknown");
  const m = await fx.oauth.verifyAccessToken("rwat_nonsense", fx.alice);
  assertEquals(m.ok ? "ok" : m.reason, "malformed");
  assertEquals(parseAccessToken(s.access)?.did, ALICE);
  fx.advance(8 * 3_600_000 + 1);
  const e = await fx.oauth.verifyAccessToken(s.access, fx.alice);
  assertEquals(e.ok ? "ok" : [e.reason, e.description], ["expired", "The access token has expired; refresh it."]);
  fx.close();
});

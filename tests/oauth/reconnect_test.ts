/**
 * Registrations that do not pile up (issue 11 item 3): Claude.ai registers a new client on every connect, often
 * twice per attempt. Every registration stays a distinct client (own id, own secret stored only as a hash); the
 * ones never used to authorize expire after 24 h; a new grant for the same person, wiki, client name and redirect
 * URIs revokes the previous one, so Connected apps shows one row per live app.
 */
import { assertEquals, assertExcludes, assertOk } from "../assert.ts";
import {
  ALICE,
  authorizeCode,
  authParams,
  CLAUDE_DCR,
  consentRequest,
  pkce,
  post,
  register,
  setup,
  VIEWER,
} from "./helpers.ts";
import type { OAuthFixture } from "./helpers.ts";
import type { Role } from "../../lib/wiki/types.ts";
import { type GrantRecord, OK } from "../../lib/oauth/store.ts";

const CB = "https://claude.ai/api/mcp/auth_callback";
const RES = "http://localhost:8000/w/alice/mcp";
const HOUR = 3_600_000;

/** One Claude connect attempt: two registrations with Claude's payload; returns both clients. */
async function claudeRegisters(fx: OAuthFixture, body: Record<string, unknown> = CLAUDE_DCR) {
  const out: { id: string; secret: string }[] = [];
  for (let i = 0; i < 2; i++) {
    const reg = await register(fx, body);
    assertEquals(reg.status, 201, JSON.stringify(reg.body));
    out.push({ id: reg.body.client_id as string, secret: reg.body.client_secret as string });
  }
  return out;
}

/** Authorizes `client` as `did` and exchanges the code (client_secret_post); returns the tokens. */
async function connect(fx: OAuthFixture, client: { id: string; secret: string }, did = ALICE, role: Role = "admin") {
  const { verifier, challenge } = await pkce();
  const { code } = await authorizeCode(fx, client.id, challenge, { did, role });
  const res = await post(fx, "token", {
    grant_type: "authorization_code",
    code,
    code_verifier: verifier,
    redirect_uri: CB,
    resource: RES,
    client_id: client.id,
    client_secret: client.secret,
  });
  assertEquals(res.status, 200, JSON.stringify(res.body));
  return { access: res.body.access_token as string, refresh: res.body.refresh_token as string };
}

function refresh(fx: OAuthFixture, client: { id: string; secret: string }, token: string) {
  return post(fx, "token", {
    grant_type: "refresh_token",
    refresh_token: token,
    client_id: client.id,
    client_secret: client.secret,
  });
}

Deno.test("reconnect - Claude's double registration: distinct clients, one grant per app, the old grant's tokens refused", async () => {
  const fx = await setup();
  try {
    // First connect: two registrations, the second used.
    const [a1, a2] = await claudeRegisters(fx);
    assertOk(a1.id !== a2.id && a1.secret !== a2.secret, "every registration is its own client with its own secret");
    const first = await connect(fx, a2);
    assertEquals((await fx.oauth.listGrants(fx.alice.id)).map((g) => g.clientId), [a2.id]);

    // Reconnect an hour later: two more registrations, the first used. The consent page knows the app.
    fx.advance(HOUR);
    const [b1, b2] = await claudeRegisters(fx);
    const { challenge } = await pkce();
    const request = await consentRequest(fx, authParams(fx, b1.id, challenge));
    const view = await fx.oauth.createConsent(fx.alice, request, { did: ALICE, role: "admin" }, "s");
    assertOk(view.kind === "consent");
    assertEquals(view.view.prior?.grantId, first.access.split(".")[1], "approving replaces the earlier connection");
    const second = await connect(fx, b1);

    // One row: the live client, its grant; the previous grant is revoked with all its tokens.
    const apps = await fx.oauth.listGrants(fx.alice.id);
    assertEquals(apps.map((g) => [g.clientId, g.clientName]), [[b1.id, "Claude"]]);
    const old = await fx.oauth.verifyAccessToken(first.access, fx.alice);
    assertEquals(old.ok ? "ok" : old.reason, "revoked");
    assertEquals((await refresh(fx, a2, first.refresh)).body.error, "invalid_grant");
    const now = await fx.oauth.verifyAccessToken(second.access, fx.alice);
    assertOk(now.ok, "the new connection works");

    // Secrets are stored only as hashes.
    for await (const e of fx.kv.list({ prefix: ["oauth_client"] })) {
      const stored = JSON.stringify(e.value);
      for (const c of [a1, a2, b1, b2]) assertExcludes(stored, c.secret);
    }

    // A day later, the registrations never used to authorize are gone; the connected one still refreshes.
    fx.advance(24 * HOUR + 1);
    for (const unused of [a1, b2]) {
      const out = await fx.oauth.authorize(fx.alice, authParams(fx, unused.id, challenge));
      assertEquals(out.kind === "error-page" && out.error, "invalid_client", unused.id);
      const t = await refresh(fx, unused, second.refresh);
      assertEquals([t.status, t.body.error], [401, "invalid_client"]);
    }
    const r = await refresh(fx, b1, second.refresh);
    assertEquals(r.status, 200, JSON.stringify(r.body));
    assertEquals((await fx.oauth.listGrants(fx.alice.id)).length, 1);
  } finally {
    fx.close();
  }
});

Deno.test("reconnect - only the same person and the same app (name and redirect URIs) replace a grant", async () => {
  const fx = await setup();
  try {
    const [claude] = await claudeRegisters(fx);
    const mine = await connect(fx, claude);
    // Another person connecting Claude, and another app of Alice's, are separate rows.
    const [theirs] = await claudeRegisters(fx);
    await connect(fx, theirs, VIEWER, "viewer");
    const [other] = await claudeRegisters(fx, { ...CLAUDE_DCR, client_name: "Other agent" });
    await connect(fx, other);
    const [elsewhere] = await claudeRegisters(fx, {
      ...CLAUDE_DCR,
      redirect_uris: [CB, "https://claude.com/api/mcp/auth_callback"],
    });
    await connect(fx, elsewhere);
    const rows = (await fx.oauth.listGrants(fx.alice.id)).map((g) =>
      `${g.did === ALICE ? "alice" : "viewer"}:${g.clientId}`
    );
    assertEquals(
      rows.sort(),
      [
        `alice:${claude.id}`,
        `alice:${other.id}`,
        `alice:${elsewhere.id}`,
        `viewer:${theirs.id}`,
      ].sort(),
    );
    const still = await fx.oauth.verifyAccessToken(mine.access, fx.alice);
    assertOk(still.ok, "Alice's Claude connection is untouched");
  } finally {
    fx.close();
  }
});

Deno.test("reconnect - a grant stored before app keys (indexed by client id) is still replaced", async () => {
  const fx = await setup();
  try {
    const [claude] = await claudeRegisters(fx);
    const old = await connect(fx, claude);
    // Rewrite the grant as stored before app keys: no appKey, its pointer under the client id.
    const grantId = old.access.split(".")[1];
    const entry = await fx.kv.get<GrantRecord>(OK.grant(fx.alice.id, grantId));
    assertOk(entry.value?.appKey);
    const { appKey, ...legacy } = entry.value;
    const ptr = await fx.kv.get(OK.grantOf(fx.alice.id, ALICE, appKey));
    assertOk(ptr.value);
    await fx.kv.atomic().set(entry.key, legacy).delete(ptr.key).set(
      OK.grantOf(fx.alice.id, ALICE, claude.id),
      ptr.value,
    )
      .commit();
    // Re-authorizing the same client (what replaced a grant before app keys) still replaces it.
    const renewed = await connect(fx, claude);
    const grants = await fx.oauth.listGrants(fx.alice.id);
    assertEquals(grants.map((g) => g.grantId), [renewed.access.split(".")[1]]);
    const v = await fx.oauth.verifyAccessToken(old.access, fx.alice);
    assertEquals(v.ok ? "ok" : v.reason, "revoked");
    assertEquals((await fx.kv.get(OK.grantOf(fx.alice.id, ALICE, claude.id))).value, null, "the legacy pointer went");
  } finally {
    fx.close();
  }
});

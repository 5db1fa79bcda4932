/**
 * KV faults on the OAuth authorization server (issue 9 item 9): the code exchange and the refresh fail at each of
 * their KV calls in turn (before the call, and for the commit also after it was applied: a lost answer). Every
 * failure answers 503 `temporarily_unavailable` with `Retry-After`, leaking no token, code or secret; nothing is
 * half-issued (a code is consumed exactly when its tokens exist; a refresh token is rotated exactly when its
 * successor exists); and after recovery the same request succeeds: a code that was not consumed can be exchanged,
 * one that was is cleanly refused (`invalid_grant`) and a new authorization works; the old refresh token still works
 * (not rotated, or rotated within the refresh grace, docs/oauth.md).
 */
import { assertEquals, assertOk } from "../assert.ts";
import {
  ALICE,
  approveFlow,
  authorizeUrl,
  CALLBACK,
  CLAUDE_DCR,
  connect,
  type Connection,
  type HttpFixture,
  pkce,
  setupHttp,
  toolText,
} from "../routes/wiki/oauth/http_helpers.ts";
import { type FaultController, faultyKv } from "./faulty_kv.ts";
import { assertUnavailable, listAll, type Point, sweepFaults } from "./fault_helpers.ts";

interface OAuthFault extends HttpFixture {
  faults: FaultController;
  raw: Deno.Kv;
  secrets: string[];
}

async function oauthFault(): Promise<OAuthFault> {
  let faults!: FaultController;
  let raw!: Deno.Kv;
  const f = await setupHttp("path", {
    wrapKv: (kv) => {
      raw = kv;
      const w = faultyKv(kv);
      faults = w.faults;
      return w.kv;
    },
  });
  return Object.assign(f, { faults, raw, secrets: [] as string[] });
}

/** POST /token with a form; the raw response. */
function tokenRequest(f: HttpFixture, form: Record<string, string>): Promise<Response> {
  return f.fetch(f.urls.wiki("alice", "/token"), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form).toString(),
  });
}

/** Asserts a successful token answer and returns its body. */
async function tokens(res: Response, label: string): Promise<{ access_token: string; refresh_token: string }> {
  const text = await res.text();
  assertEquals(res.status, 200, `${label}: ${text}`);
  const body = JSON.parse(text);
  assertOk(body.access_token && body.refresh_token, `${label}: ${text}`);
  return body;
}

/** The access token works on the wiki's MCP endpoint. */
async function accessWorks(f: HttpFixture, access: string): Promise<void> {
  await toolText(
    await f.fetch(f.urls.mcp("alice"), {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        authorization: `Bearer ${access}`,
      },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: { name: "list_notes", arguments: {} },
      }),
    }),
  );
}

/** A 503 or the healthy 200 (a fault the server tolerated). */
async function tokenAnswer(f: OAuthFault, res: Response, p: Point): Promise<void> {
  if (res.status === 503) await assertUnavailable(res, "oauth", f.secrets, p.label);
  else await tokens(res, p.label);
}

// ---- authorization code ---------------------------------------------------------------------------------------

interface CodeFault extends OAuthFault {
  form: Record<string, string>;
  clientId: string;
  secret: string;
}

async function codeFault(): Promise<CodeFault> {
  const f = await oauthFault();
  const reg = await (await f.fetch(f.urls.wiki("alice", "/register"), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(CLAUDE_DCR),
  })).json();
  const { verifier, challenge } = await pkce();
  const back = await approveFlow(f, reg.client_id, challenge);
  const form = {
    grant_type: "authorization_code",
    code: back.searchParams.get("code")!,
    code_verifier: verifier,
    client_id: reg.client_id,
    client_secret: reg.client_secret,
    redirect_uri: CALLBACK,
    resource: f.urls.mcp("alice"),
  };
  const secrets = [form.code, verifier, reg.client_secret];
  return Object.assign(f, { form, clientId: reg.client_id, secret: reg.client_secret, secrets });
}

/** Whether the code was consumed; asserts that tokens exist exactly then (nothing half-issued). */
async function codeState(f: CodeFault, label: string): Promise<boolean> {
  const codes = await listAll<{ consumedAt: number | null }>(f.raw, ["oauth_code", f.alice.id]);
  assertEquals(codes.length, 1, `${label}: code records`);
  const consumed = codes[0].value.consumedAt !== null;
  const grants = await listAll<{ status: string }>(f.raw, ["oauth_grant", f.alice.id]);
  assertEquals(grants.map((g) => g.value.status), [consumed ? "active" : "pending"], `${label}: grant`);
  assertEquals((await listAll(f.raw, ["oauth_access", f.alice.id])).length, consumed ? 1 : 0, `${label}: access`);
  assertEquals((await listAll(f.raw, ["oauth_refresh", f.alice.id])).length, consumed ? 1 : 0, `${label}: refresh`);
  return consumed;
}

Deno.test("KV faults - code exchange: 503 temporarily_unavailable at every failing call; never half-issued; retry or clean refusal", async () => {
  const r = await sweepFaults<CodeFault>({
    setup: codeFault,
    run: (f) => tokenRequest(f, f.form),
    healthy: async (res) => void await tokens(res, "healthy"),
    isHealthy: (res) => res.status === 200,
    afterFailure: tokenAnswer,
    async retry(f, p) {
      const consumed = await codeState(f, p.label);
      const again = await tokenRequest(f, f.form);
      if (!consumed) {
        await accessWorks(f, (await tokens(again, `${p.label}: the retry`)).access_token);
        return;
      }
      // The failed exchange was applied (its answer lost): the code is used, so a retry is refused cleanly...
      const refused = await again.json();
      assertEquals([again.status, refused.error], [400, "invalid_grant"], `${p.label}: the retry`);
      // ...and a new authorization works.
      const { verifier, challenge } = await pkce();
      const back = await approveFlow(f, f.clientId, challenge);
      const fresh = await tokenRequest(f, { ...f.form, code: back.searchParams.get("code")!, code_verifier: verifier });
      await accessWorks(f, (await tokens(fresh, `${p.label}: a new authorization`)).access_token);
    },
  });
  assertOk(r.unavailable >= r.calls, `only ${r.unavailable} of ${r.points} runs answered 503`);
});

// ---- refresh ----------------------------------------------------------------------------------------------------

interface RefreshFault extends OAuthFault {
  conn: Connection;
  form: Record<string, string>;
}

async function refreshFault(): Promise<RefreshFault> {
  const f = await oauthFault();
  const conn = await connect(f);
  const form = {
    grant_type: "refresh_token",
    refresh_token: conn.refresh,
    client_id: conn.clientId,
    client_secret: conn.secret!,
  };
  return Object.assign(f, { conn, form, secrets: [conn.refresh, conn.access, conn.secret!] });
}

/** Whether the refresh token was rotated; asserts that its successor exists exactly then. */
async function refreshState(f: RefreshFault, label: string): Promise<boolean> {
  const refresh = await listAll<{ rotatedAt: number | null }>(f.raw, ["oauth_refresh", f.alice.id]);
  const rotated = refresh.some((e) => e.value.rotatedAt !== null);
  assertEquals(refresh.length, rotated ? 2 : 1, `${label}: refresh records`);
  assertEquals((await listAll(f.raw, ["oauth_access", f.alice.id])).length, rotated ? 2 : 1, `${label}: access`);
  return rotated;
}

Deno.test("KV faults - refresh: 503 temporarily_unavailable at every failing call; the old refresh token still works after", async () => {
  const r = await sweepFaults<RefreshFault>({
    setup: refreshFault,
    run: (f) => tokenRequest(f, f.form),
    healthy: async (res) => void await tokens(res, "healthy"),
    isHealthy: (res) => res.status === 200,
    afterFailure: tokenAnswer,
    async retry(f, p) {
      await refreshState(f, p.label);
      // Not rotated, or rotated within the grace: the client's retry with the same token gets a working pair.
      const again = await tokens(await tokenRequest(f, f.form), `${p.label}: the retry`);
      await accessWorks(f, again.access_token);
      const next = await tokens(
        await tokenRequest(f, { ...f.form, refresh_token: again.refresh_token }),
        `${p.label}: the next refresh`,
      );
      await accessWorks(f, next.access_token);
      await accessWorks(f, f.conn.access);
    },
  });
  assertOk(r.unavailable >= r.calls, `only ${r.unavailable} of ${r.points} runs answered 503`);
});

// ---- every endpoint ---------------------------------------------------------------------------------------------

Deno.test("KV faults - every OAuth endpoint answers 503 while KV is down, and works again when it recovers", async () => {
  const f = await oauthFault();
  try {
    const conn = await connect(f);
    const cookie = await f.cookie(ALICE);
    const { challenge } = await pkce();
    const secrets = [conn.access, conn.refresh, conn.secret!, cookie.slice(cookie.indexOf("=") + 1)];
    const register = () =>
      f.fetch(f.urls.wiki("alice", "/register"), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(CLAUDE_DCR),
      });
    const refresh = () =>
      tokenRequest(f, {
        grant_type: "refresh_token",
        refresh_token: conn.refresh,
        client_id: conn.clientId,
        client_secret: conn.secret!,
      });
    const revoke = () =>
      f.fetch(f.urls.wiki("alice", "/revoke"), {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ token: conn.access, client_id: conn.clientId, client_secret: conn.secret! }),
      });
    const authorize = (accept?: string) =>
      f.fetch(authorizeUrl(f, conn.clientId, challenge), { headers: { cookie, ...(accept ? { accept } : {}) } });
    const consent = () =>
      f.fetch(f.urls.wiki("alice", "/authorize"), {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", cookie },
        body: new URLSearchParams({ request_id: "r", csrf: "c", decision: "approve" }).toString(),
      });
    const metadata = () => f.fetch(f.urls.wiki("alice", "/.well-known/oauth-authorization-server"));

    f.faults.failAll({ kind: "network" });
    const reg = await register();
    await assertUnavailable(reg, "oauth", secrets, "register");
    assertEquals(reg.headers.get("access-control-allow-origin"), "*", "register keeps its CORS headers");
    await assertUnavailable(await refresh(), "oauth", secrets, "token");
    await assertUnavailable(await revoke(), "oauth", secrets, "revoke");
    await assertUnavailable(await metadata(), "oauth", secrets, "metadata");
    await assertUnavailable(await authorize(), "page", secrets, "authorize");
    await assertUnavailable(await authorize("application/json"), "json", secrets, "authorize (JSON)");
    await assertUnavailable(await consent(), "page", secrets, "consent");
    assertOk(f.faults.injected >= 7, "KV was not called");

    f.faults.recover();
    assertEquals((await register()).status, 201, "register after recovery");
    assertEquals((await metadata()).status, 200, "metadata after recovery");
    assertEquals((await authorize()).status, 200, "authorize after recovery");
    const next = await tokens(await refresh(), "refresh after recovery");
    await accessWorks(f, next.access_token);
    assertEquals((await revoke()).status, 200, "revoke after recovery");
  } finally {
    f.close();
  }
});

Deno.test("KV faults - a fault on refresh records only: refresh answers 503, MCP calls with the access token go on", async () => {
  const f = await oauthFault();
  try {
    const conn = await connect(f);
    f.faults.failAll({ prefix: ["oauth_refresh"] });
    const res = await tokenRequest(f, {
      grant_type: "refresh_token",
      refresh_token: conn.refresh,
      client_id: conn.clientId,
      client_secret: conn.secret!,
    });
    await assertUnavailable(res, "oauth", [conn.refresh, conn.access, conn.secret!], "refresh");
    await accessWorks(f, conn.access);
    f.faults.recover();
    const res2 = await tokenRequest(f, {
      grant_type: "refresh_token",
      refresh_token: conn.refresh,
      client_id: conn.clientId,
      client_secret: conn.secret!,
    });
    await accessWorks(f, (await tokens(res2, "after recovery")).access_token);
  } finally {
    f.close();
  }
});

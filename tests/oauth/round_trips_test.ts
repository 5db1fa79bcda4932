/**
 * KV round trips of the token endpoint, pinned (issue 5's throughput target: a file KV commits ~1.1k writes/s, so
 * every extra read is visible). A code exchange and a refresh are each ONE `getMany` (code or refresh token, its
 * grant, the registered client) plus ONE checked commit; over HTTP the route's wiki lookup adds one `get`.
 */
import { assertEquals, assertOk } from "../assert.ts";
import { countingKv, type KvCounter } from "../mcp/helpers.ts";
import { createOAuthServer } from "../../lib/oauth/server.ts";
import { CODE_SHAPE } from "../../lib/oauth/credentials.ts";
import { authorizeCode, CLAUDE_DCR, type OAuthFixture, pkce, post, register, setup, VIEWER } from "./helpers.ts";
import type { Role } from "../../lib/wiki/types.ts";
import {
  CALLBACK,
  type HttpFixture,
  pkce as httpPkce,
  postForm,
  register as httpRegister,
} from "../routes/wiki/oauth/http_helpers.ts";
import { approveFlow, setupHttp } from "../routes/wiki/oauth/http_helpers.ts";

const CB = "https://claude.ai/api/mcp/auth_callback";
const RES = "http://localhost:8000/w/alice/mcp";

/** The fixture with its OAuth server on a counting view of the same store. */
function counted(fx: OAuthFixture): { fx: OAuthFixture; counter: KvCounter } {
  const { kv, counter } = countingKv(fx.kv);
  const ctx = fx.oauth.ctx;
  const oauth = createOAuthServer({
    kv,
    keys: ctx.keys,
    urls: ctx.urls,
    now: ctx.now,
    fetch: ctx.fetch ?? undefined,
    settings: ctx.settings,
  });
  return { fx: { ...fx, oauth }, counter };
}

type Auth = "client_secret_post" | "client_secret_basic" | "none" | "metadata-document";

/** Registers (or names) a client with `auth`, authorizes it; returns what its token requests send. */
async function authorized(fx: OAuthFixture, auth: Auth, as: { did?: string; role?: Role } = {}) {
  let id: string;
  let secret: string | null = null;
  let redirect = CB;
  if (auth === "metadata-document") {
    id = "https://app.example/oauth/client.json";
    redirect = "http://127.0.0.1:4444/callback";
    fx.routes.set(id, () =>
      Response.json({
        client_id: id,
        client_name: "Example App",
        redirect_uris: ["http://127.0.0.1/callback"],
        token_endpoint_auth_method: "none",
      }));
  } else {
    const reg = await register(fx, { ...CLAUDE_DCR, token_endpoint_auth_method: auth });
    assertEquals(reg.status, 201, JSON.stringify(reg.body));
    id = reg.body.client_id as string;
    secret = (reg.body.client_secret as string | undefined) ?? null;
  }
  const { verifier, challenge } = await pkce();
  const { code } = await authorizeCode(fx, id, challenge, { over: { redirect_uri: redirect }, ...as });
  const creds: Record<string, string> = auth === "client_secret_basic" ? {} : { client_id: id };
  if (auth === "client_secret_post") creds.client_secret = secret!;
  const basic: [string, string] | undefined = auth === "client_secret_basic" ? [id, secret!] : undefined;
  return { id, code, verifier, redirect, creds, basic };
}

for (const auth of ["client_secret_post", "client_secret_basic", "none", "metadata-document"] as const) {
  Deno.test(`round trips - ${auth}: code exchange and refresh are one getMany and one commit each`, async () => {
    const base = await setup();
    const c = await authorized(base, auth);
    const { fx, counter } = counted(base);
    counter.reset();
    const ex = await post(fx, "token", {
      grant_type: "authorization_code",
      code: c.code,
      code_verifier: c.verifier,
      redirect_uri: c.redirect,
      resource: RES,
      ...c.creds,
    }, { basic: c.basic });
    assertEquals(ex.status, 200, JSON.stringify(ex.body));
    // The first exchange also extends a registered client's 24 h lifetime: inside the same commit.
    assertEquals(counter.calls, ["getMany", "commit"]);
    counter.reset();
    const r1 = await post(fx, "token", {
      grant_type: "refresh_token",
      refresh_token: ex.body.refresh_token as string,
      ...c.creds,
    }, { basic: c.basic });
    assertEquals(r1.status, 200, JSON.stringify(r1.body));
    assertEquals(counter.calls, ["getMany", "commit"]);
    // A grace use of the rotated token (Claude racing itself) costs the same.
    counter.reset();
    const r2 = await post(fx, "token", {
      grant_type: "refresh_token",
      refresh_token: ex.body.refresh_token as string,
      ...c.creds,
    }, { basic: c.basic });
    assertEquals(r2.status, 200, JSON.stringify(r2.body));
    assertEquals(counter.calls, ["getMany", "commit"]);
    assertOk((await base.oauth.verifyAccessToken(r2.body.access_token as string, base.alice)).ok);
    base.close();
  });
}

Deno.test("round trips - a code names its grant; editing that part makes it an unknown code", async () => {
  const fx = await setup();
  const c = await authorized(fx, "client_secret_post");
  const m = c.code.match(CODE_SHAPE);
  assertOk(m, c.code);
  // The grant named by the code is the one the approval created (and the tokens belong to).
  // Another person's (the same person re-authorizing the same app would replace the first grant).
  const other = await authorized(fx, "client_secret_post", { did: VIEWER, role: "viewer" });
  const otherGrant = other.code.match(CODE_SHAPE)![2];
  assertOk(otherGrant !== m[2]);
  const forged = c.code.replace(m[2], otherGrant);
  const form = (code: string) => ({
    grant_type: "authorization_code",
    code,
    code_verifier: c.verifier,
    redirect_uri: CB,
    resource: RES,
    ...c.creds,
  });
  const bad = await post(fx, "token", form(forged));
  assertEquals([bad.status, bad.body.error, bad.body.error_description], [
    400,
    "invalid_grant",
    "The authorization code is invalid or expired. Start the authorization again.",
  ]);
  // Not a replay: nothing was revoked, both codes still work.
  const ok = await post(fx, "token", form(c.code));
  assertEquals(ok.status, 200, JSON.stringify(ok.body));
  assertEquals((ok.body.access_token as string).split(".")[1], m[2]);
  const ok2 = await post(fx, "token", { ...form(other.code), code_verifier: other.verifier, ...other.creds });
  assertEquals(ok2.status, 200, JSON.stringify(ok2.body));
  fx.close();
});

Deno.test("round trips - a client_id too long for a KV key is an unknown client (401, not a 500)", async () => {
  const fx = await setup();
  const res = await post(fx, "token", {
    grant_type: "authorization_code",
    code: "rwac_x",
    code_verifier: "y",
    client_id: "rwc_" + "a".repeat(3000),
  });
  assertEquals([res.status, res.body.error, res.body.error_description], [
    401,
    "invalid_client",
    "Unknown client: it is not registered with this wiki or its registration expired.",
  ]);
  fx.close();
});

Deno.test("round trips - over HTTP: wiki lookup + one getMany + one commit for exchange and refresh", async () => {
  let counter: KvCounter | null = null;
  const f: HttpFixture = await setupHttp("path", {
    wrapKv: (kv) => {
      const c = countingKv(kv);
      counter = c.counter;
      return c.kv;
    },
  });
  const n = counter as KvCounter | null;
  assertOk(n);
  const reg = await httpRegister(f);
  const id = reg.body.client_id as string;
  const secret = reg.body.client_secret as string;
  const { verifier, challenge } = await httpPkce();
  const back = await approveFlow(f, id, challenge);
  n.reset();
  const ex = await postForm(f, "token", {
    grant_type: "authorization_code",
    code: back.searchParams.get("code")!,
    code_verifier: verifier,
    client_id: id,
    client_secret: secret,
    redirect_uri: CALLBACK,
    resource: f.urls.mcp("alice"),
  });
  assertEquals(ex.status, 200, JSON.stringify(ex.body));
  assertEquals(n.calls, ["get", "getMany", "commit"]);
  n.reset();
  const r = await postForm(f, "token", {
    grant_type: "refresh_token",
    refresh_token: ex.body.refresh_token as string,
    client_id: id,
    client_secret: secret,
  });
  assertEquals(r.status, 200, JSON.stringify(r.body));
  assertEquals(n.calls, ["get", "getMany", "commit"]);
  f.close();
});

/**
 * Issue 9 item 5: input that becomes part of a KV key (slugs, token and grant ids, DIDs, OAuth parameters, login
 * state, codes, cookies) may be far longer than a KV key may be (2048 bytes). Every such look-up answers
 * "not found" (404 / 400 / a readable page) for it, never a 500, signed in or out, in both addressing modes. Also:
 * a wiki path starting with `//` is a path, not another host.
 */
import { assertEquals, assertExcludes, assertIncludes, assertOk } from "../assert.ts";
import { ALICE, type Mode, MODES, setupHttp, STRANGER } from "../routes/wiki/oauth/http_helpers.ts";
import { csrfToken } from "../../lib/session/csrf.ts";
import { createWikiTokens } from "../../lib/auth/tokens.ts";
import { kvStateStore } from "../../lib/atproto/stores.ts";
import { NotFoundError } from "../../lib/errors.ts";

const LONG = "a".repeat(3000);
const FORM = "application/x-www-form-urlencoded";

/** The app in `mode`, with platform-origin sessions and dashboard CSRF tokens for alice (owner) and a stranger. */
async function setup(mode: Mode) {
  const f = await setupHttp(mode);
  const platform: Record<"alice" | "stranger", { cookie: string; csrf: string }> = {} as never;
  for (const [who, did] of [["alice", ALICE], ["stranger", STRANGER]] as const) {
    const { id } = await f.app.deps.sessions.create({ did, handle: `${who}.test`, displayName: null }, f.urls.origin);
    platform[who] = { cookie: `rw_session=${id}`, csrf: await csrfToken(f.app.deps.keys, id, "app") };
  }
  return { f, platform };
}

/** Sends a request; fails on a 5xx or a leaked KV error. */
async function send(
  f: Awaited<ReturnType<typeof setupHttp>>,
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await f.fetch(url, init);
  const text = await res.text();
  const what = `${init.method ?? "GET"} ${url.slice(0, 100)} (${url.length} chars)`;
  assertOk(res.status < 500, `${what} answered ${res.status}: ${text.slice(0, 300)}`);
  assertExcludes(text, "Key too large", what);
  return { status: res.status, text, headers: res.headers };
}

for (const mode of MODES) {
  Deno.test(`${mode}: /app/wikis/{3000 chars} and its sub-paths are never 5xx, signed in or out`, async () => {
    const { f, platform } = await setup(mode);
    try {
      const base = `${f.urls.origin}/app/wikis/${LONG}`;
      // Signed out: the dashboard sends people to sign in.
      assertEquals((await send(f, base)).status, 303);
      // Signed in (owner of other wikis, or a stranger): a readable "not found" page.
      for (const who of ["alice", "stranger"] as const) {
        const page = await send(f, base, { headers: { cookie: platform[who].cookie } });
        assertEquals(page.status, 404, page.text.slice(0, 300));
        assertIncludes(page.text, "You have no wiki named");
        const json = await send(f, base, { headers: { cookie: platform[who].cookie, accept: "application/json" } });
        assertEquals(JSON.parse(json.text).error, "not_found");
      }
      const posts = ["tokens", `tokens/x/revoke`, `apps/x/revoke`, "visibility", "members", "members/role", "delete"];
      for (const sub of posts) {
        for (const who of [null, "alice", "stranger"] as const) {
          const headers: Record<string, string> = { "content-type": FORM };
          if (who) headers.cookie = platform[who].cookie;
          const body = `csrf=${encodeURIComponent(who ? platform[who].csrf : "x")}&label=x&role=viewer`;
          const res = await send(f, `${base}/${sub}`, { method: "POST", headers, body });
          assertEquals(res.status, who ? 404 : 303, `POST ${sub} as ${who}`);
        }
      }
    } finally {
      f.close();
    }
  });

  Deno.test(`${mode}: /w/{3000 chars}/ and the MCP, OAuth and metadata URLs of such a wiki are 404`, async () => {
    const { f, platform } = await setup(mode);
    try {
      const cookie = await f.cookie(ALICE);
      const urls = [
        `${f.urls.origin}/w/${LONG}/`,
        `${f.urls.origin}/w/${LONG}/Home`,
        `${f.urls.origin}/w/${LONG}/-/edit/Home`,
        `${f.urls.origin}/w/${LONG}/authorize?client_id=x`,
        `${f.urls.origin}/.well-known/oauth-authorization-server/w/${LONG}`,
        `${f.urls.origin}/.well-known/oauth-protected-resource/w/${LONG}/mcp`,
      ];
      for (const url of urls) {
        for (const c of [null, cookie, platform.alice.cookie]) {
          assertEquals((await send(f, url, c ? { headers: { cookie: c } } : {})).status, 404, url.slice(0, 80));
        }
      }
      const mcp = await send(f, `${f.urls.origin}/w/${LONG}/mcp`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Bearer rwtf_x" },
        body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}',
      });
      assertEquals(mcp.status, 404);
    } finally {
      f.close();
    }
  });

  Deno.test(`${mode}: 3000-char OAuth parameters, login state, codes, ids and cookies are refused, never 5xx`, async () => {
    const { f, platform } = await setup(mode);
    try {
      const cookie = await f.cookie(ALICE);
      const authorize = f.urls.wiki("alice", "/authorize");
      for (const p of ["client_id", "redirect_uri", "state", "scope", "resource", "code_challenge"]) {
        const params = new URLSearchParams({
          response_type: "code",
          client_id: "rwc_x",
          redirect_uri: "https://claude.ai/api/mcp/auth_callback",
          code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
          code_challenge_method: "S256",
          [p]: LONG,
        });
        for (const c of [null, cookie]) {
          const res = await send(f, `${authorize}?${params}`, c ? { headers: { cookie: c } } : {});
          assertEquals(res.status, 400, p);
        }
      }
      const consent = await send(f, authorize, {
        method: "POST",
        headers: { cookie, "content-type": FORM },
        body: new URLSearchParams({ request_id: LONG, csrf: LONG, decision: "approve" }).toString(),
      });
      assertOk(consent.status >= 400, `consent with a long request id: ${consent.status}`);
      for (
        const form of <Record<string, string>[]> [
          { grant_type: "authorization_code", code: LONG, code_verifier: LONG, client_id: "rwc_x" },
          { grant_type: "authorization_code", code: "rwac_g_aaaaaaaaaaaaaaaaaaaa." + LONG, client_id: LONG },
          { grant_type: "refresh_token", refresh_token: LONG, client_id: LONG, client_secret: LONG },
          { grant_type: LONG, client_id: `https://client.example/${LONG}` },
        ]
      ) {
        const res = await send(f, f.urls.wiki("alice", "/token"), {
          method: "POST",
          headers: { "content-type": FORM },
          body: new URLSearchParams(form).toString(),
        });
        assertOk(res.status === 400 || res.status === 401, `token ${JSON.stringify(form).slice(0, 80)}: ${res.status}`);
      }
      const revoke = await send(f, f.urls.wiki("alice", "/revoke"), {
        method: "POST",
        headers: { "content-type": FORM },
        body: new URLSearchParams({ token: LONG, client_id: LONG }).toString(),
      });
      assertOk(revoke.status < 500);

      // Sign-in: the ATProto callback's state, the login transfer and hand-off codes, the flash id.
      const callback = await send(f, `${f.urls.origin}/auth/callback?state=${LONG}&code=x&iss=https://pds.example`);
      assertOk(callback.status === 400 || callback.status === 303, `callback: ${callback.status}`);
      assertOk((await send(f, `${f.urls.origin}/auth/transfer?code=${LONG}`)).status < 500);
      assertOk((await send(f, `${f.urls.wiki("alice", "/-/auth/handoff")}?code=${LONG}`)).status < 500);
      const flash = await send(f, `${f.urls.origin}/app/wikis/alice?flash=${LONG}`, {
        headers: { cookie: platform.alice.cookie },
      });
      assertEquals(flash.status, 200);

      // Cookies.
      for (const url of [`${f.urls.origin}/app/`, f.urls.wiki("alice", "/"), f.urls.wiki("alice", "/-/new")]) {
        assertOk(
          (await send(f, url, { headers: { cookie: `rw_session=${LONG}; rw_csrf=${LONG}; rw_sso=${LONG}` } })).status <
            500,
        );
      }

      // Dashboard ids and DIDs, as the owner with a valid CSRF token.
      const post = (path: string, fields: Record<string, string>) =>
        send(f, `${f.urls.origin}/app/wikis/alice${path}`, {
          method: "POST",
          headers: { cookie: platform.alice.cookie, "content-type": FORM },
          body: new URLSearchParams({ csrf: platform.alice.csrf, ...fields }).toString(),
        });
      const tokenRevoke = await post(`/tokens/${LONG}/revoke`, {});
      assertEquals(tokenRevoke.status, 404, tokenRevoke.text.slice(0, 300));
      assertIncludes(tokenRevoke.text, "This wiki has no token");
      assertEquals((await post(`/apps/${LONG}/revoke`, {})).status, 422);
      assertEquals((await post("/members/role", { did: `did:plc:${LONG}`, role: "viewer" })).status, 422);
      assertEquals((await post("/members/remove", { did: `did:plc:${LONG}` })).status, 422);
      assertEquals((await post("/members", { handle: `did:plc:${LONG}`, role: "viewer" })).status, 422);
    } finally {
      f.close();
    }
  });
}

Deno.test("subdomain: a 3000-char host label is an unknown host (421), with or without a session", async () => {
  const { f, platform } = await setup("subdomain");
  try {
    for (const path of ["/", "/Home", "/mcp", "/authorize", "/.well-known/oauth-protected-resource"]) {
      for (const cookie of [null, platform.alice.cookie]) {
        const res = await send(f, `http://${LONG}.localhost:8000${path}`, cookie ? { headers: { cookie } } : {});
        assertEquals(res.status, 421, path);
      }
    }
    // The same label in a Host header on a wiki URL.
    assertEquals(
      (await send(f, f.urls.wiki("alice", "/"), { headers: { host: `${LONG}.localhost:8000` } })).status,
      421,
    );
  } finally {
    f.close();
  }
});

Deno.test("library look-ups refuse input too long for a key instead of asking KV", async () => {
  const f = await setupHttp("path");
  try {
    const { kv, keys, wikis } = f.app.deps;
    assertEquals(await wikis.bySlug(LONG), null);
    assertEquals(await wikis.bySlug("é".repeat(1000)), null);
    const tokens = createWikiTokens({ kv, keys });
    let refused: unknown = null;
    await tokens.revoke(f.alice.id, LONG).catch((err) => refused = err);
    assertOk(refused instanceof NotFoundError, `revoke: ${refused}`);
    assertOk(String((refused as Error).message).length < 200, "the message does not echo the whole id");
    const states = kvStateStore(kv);
    assertEquals(await states.get(LONG), undefined);
    await states.del(LONG);
  } finally {
    f.close();
  }
});

for (const mode of MODES) {
  Deno.test(`${mode}: a wiki path starting with // stays a path on the wiki's own host`, async () => {
    const f = await setupHttp(mode);
    try {
      await f.app.deps.wikis.pages(f.alice).write("Home", "# Home\n", {}, { id: ALICE, name: "a", client: "web" });
      const cookie = await f.cookie(ALICE);
      const base = f.urls.wikiBase("alice");
      for (const tail of ["//", "///", "//evil.example/x", "//evil.example/-/edit/Home", "/./..//"]) {
        const res = await send(f, base + tail, { headers: { cookie } });
        const location = res.headers.get("location");
        if (location) {
          const host = new URL(location, base).hostname;
          assertOk(host !== "evil.example", `${tail} redirects to ${location}`);
        }
      }
    } finally {
      f.close();
    }
  });
}

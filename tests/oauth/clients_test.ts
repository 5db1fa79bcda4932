import { assertEquals, assertIncludes, assertOk } from "../assert.ts";
import { CLAUDE_DCR, register, setup } from "./helpers.ts";
import { OK } from "../../lib/oauth/store.ts";
import type { ClientRecord } from "../../lib/oauth/clients.ts";
import { CLAUDE_CIMD_URL } from "../../lib/oauth/clients.ts";
import { createSafeFetch } from "../../lib/net/safe_fetch.ts";

Deno.test("DCR - Claude's confidential client_secret_post registration: 201, secret once, stored as HMAC", async () => {
  const fx = await setup();
  const r = await register(fx, CLAUDE_DCR);
  assertEquals(r.status, 201);
  assertEquals(r.headers.get("cache-control"), "no-store");
  const b = r.body;
  assertOk(new RegExp(`^rwc_${fx.alice.id}\\.[a-z2-7]{24}$`).test(b.client_id as string), b.client_id as string);
  assertOk((b.client_secret as string).startsWith("rwcs_"));
  assertEquals(b.client_secret_expires_at, 0);
  assertEquals(b.token_endpoint_auth_method, "client_secret_post");
  assertEquals(b.redirect_uris, ["https://claude.ai/api/mcp/auth_callback"]);
  assertEquals(b.grant_types, ["authorization_code", "refresh_token"]);
  assertEquals(b.client_name, "Claude");
  const stored = (await fx.kv.get<ClientRecord>(OK.client(fx.alice.id, b.client_id as string))).value!;
  assertEquals(JSON.stringify(stored).includes(b.client_secret as string), false);
  assertEquals(stored.secretHash!.length, 64);
  fx.close();
});

Deno.test("DCR - client_secret_basic is honoured; public clients get no secret", async () => {
  const fx = await setup();
  const basic = await register(fx, { ...CLAUDE_DCR, token_endpoint_auth_method: "client_secret_basic" });
  assertEquals([basic.status, basic.body.token_endpoint_auth_method], [201, "client_secret_basic"]);
  assertOk(basic.body.client_secret);
  const pub = await register(fx, { redirect_uris: ["http://127.0.0.1/callback"], token_endpoint_auth_method: "none" });
  assertEquals(pub.status, 201);
  assertEquals(pub.body.client_secret, undefined);
  assertEquals(pub.body.client_secret_expires_at, undefined);
  fx.close();
});

Deno.test("DCR - refuses javascript:, data:, file: and non-loopback http redirect URIs", async () => {
  const fx = await setup();
  for (
    const [uri, text] of [
      ["javascript:alert(1)", "scheme javascript: is not allowed"],
      ["data:text/html,<script>x</script>", "scheme data: is not allowed"],
      ["file:///etc/passwd", "scheme file: is not allowed"],
      ["http://evil.example/cb", "uses http on a non-loopback host"],
      ["https://claude.ai/cb#frag", "has a fragment"],
      ["com.example.app:/cb", "scheme com.example.app: is not supported"],
    ]
  ) {
    const r = await register(fx, { ...CLAUDE_DCR, redirect_uris: [uri] });
    assertEquals([r.status, r.body.error], [400, "invalid_redirect_uri"], uri);
    assertIncludes(r.body.error_description as string, text);
  }
  const missing = await register(fx, { client_name: "x" });
  assertEquals(missing.body.error, "invalid_redirect_uri");
  fx.close();
});

Deno.test("DCR - strict metadata: unknown auth method, grant types, response types, sizes", async () => {
  const fx = await setup();
  const cases: [Record<string, unknown>, string][] = [
    [{ ...CLAUDE_DCR, token_endpoint_auth_method: "private_key_jwt" }, "token_endpoint_auth_method"],
    [{ ...CLAUDE_DCR, grant_types: ["client_credentials"] }, 'grant_types contains "client_credentials"'],
    [{ ...CLAUDE_DCR, grant_types: ["refresh_token"] }, "must include authorization_code"],
    [{ ...CLAUDE_DCR, response_types: ["token"] }, "response_types must be"],
    [{ ...CLAUDE_DCR, client_name: "x".repeat(101) }, "client_name must be text of 1 to 100"],
    [{ ...CLAUDE_DCR, client_uri: "javascript:x" }, "client_uri must be an https URL"],
  ];
  for (const [body, text] of cases) {
    const r = await register(fx, body);
    assertEquals([r.status, r.body.error], [400, "invalid_client_metadata"], text);
    assertIncludes(r.body.error_description as string, text);
  }
  const big = await register(fx, JSON.stringify({ ...CLAUDE_DCR, software_id: "x".repeat(20_000) }));
  assertEquals([big.status, big.body.error], [400, "invalid_request"]);
  const notJson = await register(fx, "{nope");
  assertEquals(notJson.body.error, "invalid_client_metadata");
  fx.close();
});

Deno.test("DCR - a registered client nobody uses expires after 24 h", async () => {
  const fx = await setup();
  const r = await register(fx, CLAUDE_DCR);
  fx.advance(24 * 3_600_000 + 1);
  const out = await fx.oauth.authorize(fx.alice, new URLSearchParams({ client_id: r.body.client_id as string }));
  assertEquals(out.kind, "error-page");
  fx.close();
});

Deno.test("DCR - limited per (source, wiki) and per source, with a retry time; no wiki-wide lock", async () => {
  const fx = await setup({ settings: { registrationsPerSourceWikiHour: 3, registrationsPerSourceHour: 5 } });
  const [A, B] = ["203.0.113.7", "198.51.100.9"];
  for (let i = 0; i < 3; i++) assertEquals((await register(fx, CLAUDE_DCR, fx.alice, A)).status, 201);
  const refused = await register(fx, CLAUDE_DCR, fx.alice, A);
  assertEquals([refused.status, refused.body.error], [429, "temporarily_unavailable"]);
  assertIncludes(refused.body.error_description as string, "Too many client registrations from your network");
  assertOk(Number(refused.headers.get("retry-after")) >= 1, "Retry-After");
  assertEquals(refused.headers.get("cache-control"), "no-store");
  assertEquals((await register(fx, CLAUDE_DCR, fx.alice, B)).status, 201, "another source is not locked out");
  assertEquals((await register(fx, CLAUDE_DCR, fx.bob, A)).status, 201, "the same source on another wiki");
  assertEquals((await register(fx, CLAUDE_DCR, fx.bob, A)).status, 201);
  assertEquals((await register(fx, CLAUDE_DCR, fx.bob, A)).status, 429, "the per-source ceiling (5 an hour)");
  assertEquals((await register(fx, CLAUDE_DCR, fx.bob, B)).status, 201);
  fx.advance(Number(refused.headers.get("retry-after")) * 1000);
  assertEquals((await register(fx, CLAUDE_DCR, fx.alice, A)).status, 201, "after the retry time");
  fx.close();
});

// ---- client ID metadata documents ----

const DOC_URL = "https://app.example/oauth/client.json";
const doc = (over: Record<string, unknown> = {}) => ({
  client_id: DOC_URL,
  client_name: "Example App",
  redirect_uris: ["https://app.example/callback"],
  token_endpoint_auth_method: "none",
  ...over,
});
const json = (body: unknown, headers: Record<string, string> = {}) => () =>
  new Response(JSON.stringify(body), { headers: { "content-type": "application/json", ...headers } });
const params = (clientId: string, redirect = "https://app.example/callback") =>
  new URLSearchParams({ client_id: clientId, redirect_uri: redirect });

Deno.test("CIMD - valid document: resolved, cached per max-age (clamped), refetched after", async () => {
  const fx = await setup();
  fx.routes.set(DOC_URL, json(doc(), { "cache-control": "public, max-age=600" }));
  const a = await fx.oauth.authorize(fx.alice, params(DOC_URL));
  assertEquals(a.kind, "redirect-error"); // client + redirect fine; missing response_type goes back by redirect
  await fx.oauth.authorize(fx.alice, params(DOC_URL));
  assertEquals(fx.fetched, [DOC_URL]);
  fx.advance(601_000);
  await fx.oauth.authorize(fx.alice, params(DOC_URL));
  assertEquals(fx.fetched, [DOC_URL, DOC_URL]);
  fx.close();
});

Deno.test("CIMD - document whose client_id differs from its URL is refused (error page, no redirect)", async () => {
  const fx = await setup();
  fx.routes.set(DOC_URL, json(doc({ client_id: "https://app.example/other" })));
  const out = await fx.oauth.authorize(fx.alice, params(DOC_URL));
  assertEquals(out.kind, "error-page");
  assertIncludes((out as { description: string }).description, "it must be exactly the document's URL");
  fx.close();
});

Deno.test("CIMD - oversized document (> 5 KB) is refused", async () => {
  const fx = await setup();
  fx.routes.set(DOC_URL, json(doc({ padding: "x".repeat(6000) })));
  const out = await fx.oauth.authorize(fx.alice, params(DOC_URL));
  assertEquals(out.kind, "error-page");
  assertIncludes((out as { description: string }).description, "is larger than 5120 bytes");
  fx.close();
});

Deno.test("CIMD - client_id at a private address: the SSRF-safe fetch refuses it", async () => {
  let connected = false;
  const safe = createSafeFetch({
    env: "production",
    resolve: () => Promise.resolve(["10.0.0.7"]),
    fetch: () => {
      connected = true;
      return Promise.resolve(new Response("{}"));
    },
  });
  const fx = await setup({ fetch: safe });
  const out = await fx.oauth.authorize(fx.alice, params("https://intranet.example/client.json"));
  assertEquals(out.kind, "error-page");
  assertIncludes((out as { description: string }).description, "private or reserved address (10.0.0.7)");
  assertEquals(connected, false);
  fx.close();
});

Deno.test("CIMD - private_key_jwt, secrets, bad redirect URIs and non-https ids are refused clearly", async () => {
  const fx = await setup();
  const cases: [unknown, string][] = [
    [doc({ token_endpoint_auth_method: "private_key_jwt" }), "does not support"],
    [doc({ client_secret: "s" }), "must not contain a client secret"],
    [doc({ redirect_uris: ["javascript:alert(1)"] }), "scheme javascript: is not allowed"],
    [doc({ client_name: undefined }), "needs a client_name"],
  ];
  for (const [body, text] of cases) {
    fx.routes.set(DOC_URL, json(body));
    await fx.kv.delete(OK.cimd(DOC_URL));
    const out = await fx.oauth.authorize(fx.alice, params(DOC_URL));
    assertEquals(out.kind, "error-page", text);
    assertIncludes((out as { description: string }).description, text);
  }
  const root = await fx.oauth.authorize(fx.alice, params("https://app.example/"));
  assertIncludes((root as { description: string }).description, "it must have a path");
  fx.close();
});

Deno.test("CIMD - Claude's document: pinned copy when its host refuses us (not cached as fetched)", async () => {
  const fx = await setup();
  fx.routes.set(CLAUDE_CIMD_URL, () => new Response("challenge", { status: 403 }));
  const out = await fx.oauth.authorize(
    fx.alice,
    params(CLAUDE_CIMD_URL, "https://claude.com/api/mcp/auth_callback"),
  );
  assertEquals(out.kind, "redirect-error");
  const cached = (await fx.kv.get<{ client: { source: string } }>(OK.cimd(CLAUDE_CIMD_URL))).value!;
  assertEquals(cached.client.source, "pinned");
  fx.close();
});

Deno.test("CIMD - Claude's live document wins over the pinned copy; unsupported jwt-bearer grant ignored", async () => {
  const fx = await setup();
  fx.routes.set(
    CLAUDE_CIMD_URL,
    json({
      client_id: CLAUDE_CIMD_URL,
      client_name: "Claude",
      redirect_uris: ["https://claude.ai/api/mcp/auth_callback"],
      grant_types: ["authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:jwt-bearer"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
    }),
  );
  const ok = await fx.oauth.authorize(fx.alice, params(CLAUDE_CIMD_URL, "https://claude.ai/api/mcp/auth_callback"));
  assertEquals(ok.kind, "redirect-error");
  // the live document does not list claude.com: that redirect is refused
  const no = await fx.oauth.authorize(fx.alice, params(CLAUDE_CIMD_URL, "https://claude.com/api/mcp/auth_callback"));
  assertEquals(no.kind, "error-page");
  fx.close();
});

Deno.test("CIMD - a document that fails is not fetched again while its failure is cached (2 min)", async () => {
  const fx = await setup();
  const first = await fx.oauth.authorize(fx.alice, params(DOC_URL)); // no route: 404
  assertEquals(first.kind, "error-page");
  const again = await fx.oauth.authorize(fx.alice, params(DOC_URL));
  assertEquals(again, first);
  assertEquals(fx.fetched, [DOC_URL]);
  fx.routes.set(DOC_URL, json(doc()));
  fx.advance(2 * 60_000 + 1);
  assertEquals((await fx.oauth.authorize(fx.alice, params(DOC_URL))).kind, "redirect-error", "fetched again after");
  assertEquals(fx.fetched, [DOC_URL, DOC_URL]);
  fx.close();
});

Deno.test("CIMD - fetches are throttled per source; other sources and cached documents are not", async () => {
  const fx = await setup({ settings: { cimdFetchesPerSourceMinute: 3 } });
  const [A, B] = ["203.0.113.7", "198.51.100.9"];
  const url = (i: number) => `https://app${i}.example/client.json`;
  fx.routes.set(url(0), json({ ...doc(), client_id: url(0) }));
  for (let i = 0; i < 3; i++) {
    const out = await fx.oauth.authorize(fx.alice, params(url(i)), A);
    assertEquals(out.kind, i === 0 ? "redirect-error" : "error-page"); // url(0) valid; the others answer 404
  }
  const refused = await fx.oauth.authorize(fx.alice, params(url(3)), A);
  assertEquals(refused.kind, "error-page");
  const page = refused as { status: number; error: string; description: string };
  assertEquals([page.status, page.error], [429, "temporarily_unavailable"]);
  assertIncludes(page.description, "Too many client metadata lookups from your network");
  assertEquals(fx.fetched.length, 3, "the refused lookup fetched nothing");
  assertEquals((await fx.oauth.authorize(fx.alice, params(url(3)), B)).kind, "error-page");
  assertEquals(fx.fetched.length, 4, "another source still fetches");
  fx.fetched.length = 0;
  // url(0) is cached (a valid document): no fetch, no throttle.
  const cached = await fx.oauth.authorize(fx.alice, params(url(0), "https://app.example/callback"), A);
  assertEquals([cached.kind, fx.fetched.length], ["redirect-error", 0]);
  fx.close();
});

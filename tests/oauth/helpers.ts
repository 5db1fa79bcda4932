/**
 * @module
 * Shared setup of the OAuth tests: in-memory KV, the real key ring, path-mode URLs, a movable clock, two wikis
 * (alice, bob) with members, a stub fetch for metadata documents, and helpers that walk the flow.
 */
import { loadKeyRing } from "../../lib/keys.ts";
import { testConfig } from "../../lib/config.ts";
import { Urls } from "../../lib/urls.ts";
import { K } from "../../lib/wiki/keys.ts";
import { base64url, randomBase32 } from "../../lib/ids.ts";
import type { Member, Role, WikiRecord } from "../../lib/wiki/types.ts";
import { createOAuthServer, type OAuthServer } from "../../lib/oauth/server.ts";
import type { FetchLike, OAuthSettings, WikiRef } from "../../lib/oauth/context.ts";
import type { AuthorizationRequest } from "../../lib/oauth/authorize.ts";
import { assertEquals, assertOk } from "../assert.ts";

/** DIDs used by the tests. */
export const ALICE = "did:plc:alice000000000000000000";
export const VIEWER = "did:plc:viewer00000000000000000";
export const STRANGER = "did:plc:stranger000000000000000";

/** The fixture. */
export interface OAuthFixture {
  kv: Deno.Kv;
  oauth: OAuthServer;
  urls: Urls;
  alice: WikiRef;
  bob: WikiRef;
  /** Moves the clock forward. */
  advance(ms: number): void;
  now(): number;
  /** URLs fetched through the stub fetch. */
  fetched: string[];
  /** Responses of the stub fetch, by URL (a function may throw to simulate a refusal). */
  routes: Map<string, () => Response | Promise<Response>>;
  setRole(wiki: WikiRef, did: string, role: Role | null): Promise<void>;
  close(): void;
}

/** Builds a fixture; `settings` override the OAuth defaults. */
export async function setup(
  opts: { settings?: Partial<OAuthSettings>; fetch?: FetchLike | null } = {},
): Promise<OAuthFixture> {
  const kv = await Deno.openKv(":memory:");
  const config = testConfig({ publicOrigin: "http://localhost:8000" });
  const keys = await loadKeyRing(kv, config);
  const urls = new Urls(config);
  let t = Date.UTC(2026, 10, 26, 12, 0, 0);
  const fetched: string[] = [];
  const routes = new Map<string, () => Response | Promise<Response>>();
  const stub: FetchLike = async (input) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    fetched.push(url);
    const route = routes.get(url);
    if (!route) return new Response("not found", { status: 404 });
    return await route();
  };
  const oauth = createOAuthServer({
    kv,
    keys,
    urls,
    now: () => t,
    fetch: opts.fetch === null ? undefined : opts.fetch ?? stub,
    settings: opts.settings,
  });
  const mk = (slug: string): WikiRecord => ({
    id: `w_${randomBase32(20)}`,
    slug,
    title: slug,
    ownerDid: ALICE,
    visibility: "private",
    createdAt: t,
    quota: { pages: 500, bytes: 1 },
  });
  const alice = mk("alice");
  const bob = mk("bob");
  for (const w of [alice, bob]) await kv.set(K.wikiSlug(w.slug), { wikiId: w.id, record: w });
  const fx: OAuthFixture = {
    kv,
    oauth,
    urls,
    alice: { id: alice.id, slug: alice.slug },
    bob: { id: bob.id, slug: bob.slug },
    advance: (ms) => void (t += ms),
    now: () => t,
    fetched,
    routes,
    async setRole(wiki, did, role) {
      if (role === null) await kv.delete(K.wikiMember(wiki.id, did));
      else {
        await kv.set(K.wikiMember(wiki.id, did), { did, role, addedAt: t, addedBy: ALICE } satisfies Member);
      }
    },
    close: () => kv.close(),
  };
  await fx.setRole(fx.alice, ALICE, "admin");
  await fx.setRole(fx.bob, ALICE, "admin");
  await fx.setRole(fx.alice, VIEWER, "viewer");
  return fx;
}

/** Claude's DCR request as captured (mcp-auth.md §2 item 5). */
export const CLAUDE_DCR = {
  client_name: "Claude",
  redirect_uris: ["https://claude.ai/api/mcp/auth_callback"],
  grant_types: ["authorization_code", "refresh_token"],
  response_types: ["code"],
  token_endpoint_auth_method: "client_secret_post",
};

/** Registers a client through the endpoint (from source address `source`); returns status and body. */
export async function register(
  fx: OAuthFixture,
  body: unknown,
  wiki: WikiRef = fx.alice,
  source?: string,
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fx.oauth.register(
    wiki,
    new Request("http://localhost:8000/w/alice/register", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
    source,
  );
  return { status: res.status, body: await res.json(), headers: res.headers };
}

/** A PKCE pair. */
export async function pkce(): Promise<{ verifier: string; challenge: string }> {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return { verifier, challenge: base64url(new Uint8Array(digest)) };
}

/** Authorization parameters for a client, with overrides (null deletes a parameter). */
export function authParams(
  fx: OAuthFixture,
  clientId: string,
  challenge: string,
  over: Record<string, string | null> = {},
  wiki: WikiRef = fx.alice,
): URLSearchParams {
  const base: Record<string, string | null> = {
    response_type: "code",
    client_id: clientId,
    redirect_uri: "https://claude.ai/api/mcp/auth_callback",
    code_challenge: challenge,
    code_challenge_method: "S256",
    state: "st-123",
    scope: "wiki:read wiki:write",
    resource: fx.urls.mcp(wiki.slug),
    ...over,
  };
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(base)) if (v !== null) p.set(k, v);
  return p;
}

/** Validates and returns the consent request (fails the test otherwise). */
export async function consentRequest(
  fx: OAuthFixture,
  params: URLSearchParams,
  wiki: WikiRef = fx.alice,
): Promise<AuthorizationRequest> {
  const out = await fx.oauth.authorize(wiki, params);
  assertEquals(out.kind, "consent", JSON.stringify(out));
  return (out as { request: AuthorizationRequest }).request;
}

/** Walks authorize -> consent -> approve for `did`; returns the code and the redirect URL. */
export async function authorizeCode(
  fx: OAuthFixture,
  clientId: string,
  challenge: string,
  opts: { did?: string; role?: Role; over?: Record<string, string | null>; wiki?: WikiRef } = {},
): Promise<{ code: string; url: URL }> {
  const wiki = opts.wiki ?? fx.alice;
  const did = opts.did ?? ALICE;
  const request = await consentRequest(fx, authParams(fx, clientId, challenge, opts.over, wiki), wiki);
  const c = await fx.oauth.createConsent(wiki, request, { did, role: opts.role ?? "admin" }, "session-1");
  assertOk(c.kind === "consent");
  const out = await fx.oauth.approve(wiki, {
    requestId: c.view.requestId,
    csrf: c.view.csrf,
    session: "session-1",
    user: { did, role: opts.role ?? "admin" },
  });
  assertOk(out.kind === "redirect", JSON.stringify(out));
  const url = new URL(out.url);
  const code = url.searchParams.get("code");
  assertOk(code, out.url);
  return { code, url };
}

/** POSTs a token (or revocation) request; `basic` adds client_secret_basic credentials. */
export async function post(
  fx: OAuthFixture,
  endpoint: "token" | "revoke",
  form: Record<string, string>,
  opts: { basic?: [string, string]; wiki?: WikiRef } = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  if (opts.basic) {
    headers.authorization = "Basic " +
      btoa(`${encodeURIComponent(opts.basic[0])}:${encodeURIComponent(opts.basic[1])}`);
  }
  const req = new Request(`http://localhost:8000/w/alice/${endpoint}`, {
    method: "POST",
    headers,
    body: new URLSearchParams(form).toString(),
  });
  const wiki = opts.wiki ?? fx.alice;
  const res = endpoint === "token" ? await fx.oauth.token(wiki, req) : await fx.oauth.revoke(wiki, req);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : {}, headers: res.headers };
}

/** Registers a public client, authorizes and exchanges the code: the usual starting point. */
export async function connectPublic(
  fx: OAuthFixture,
  opts: { did?: string; role?: Role } = {},
): Promise<{ clientId: string; access: string; refresh: string; grantId: string }> {
  const reg = await register(fx, { ...CLAUDE_DCR, token_endpoint_auth_method: "none" });
  const clientId = reg.body.client_id as string;
  const { verifier, challenge } = await pkce();
  const { code } = await authorizeCode(fx, clientId, challenge, opts);
  const res = await post(fx, "token", {
    grant_type: "authorization_code",
    code,
    code_verifier: verifier,
    client_id: clientId,
    redirect_uri: "https://claude.ai/api/mcp/auth_callback",
    resource: fx.urls.mcp("alice"),
  });
  assertEquals(res.status, 200, JSON.stringify(res.body));
  const access = res.body.access_token as string;
  return { clientId, access, refresh: res.body.refresh_token as string, grantId: access.split(".")[1] };
}

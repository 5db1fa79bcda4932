/**
 * @module
 * Shared setup of the HTTP-level OAuth tests: the whole app in path or subdomain mode on in-memory KV, driven
 * in-process with `app.fetch`; wikis alice and bob (both owned by ALICE), an editor and a viewer on alice, a
 * movable authorization-server clock, a fake outbound fetch serving client ID metadata documents, signed-in cookies
 * per wiki origin, and helpers that walk register -> authorize -> consent -> token -> MCP.
 */
import type { App } from "../../../../main.ts";
import { appFixture } from "../../../fixture/app.ts";
import type { FetchLike } from "../../../../lib/net/safe_fetch.ts";
import type { OAuthSettings } from "../../../../lib/oauth/context.ts";
import type { WikiRecord } from "../../../../lib/wiki/types.ts";
import type { Urls } from "../../../../lib/urls.ts";
import type { Config } from "../../../../lib/config.ts";
import { base64url } from "../../../../lib/ids.ts";
import { assertEquals, assertOk } from "../../../assert.ts";

/** Addressing mode under test. */
export type Mode = "path" | "subdomain";

/** The owner of both wikis. */
export const ALICE = "did:plc:alice0000000000000000000";
/** An editor of alice. */
export const EDITOR = "did:plc:editor000000000000000000";
/** A viewer of alice. */
export const VIEWER = "did:plc:viewer000000000000000000";
/** Signed in, but a member of nothing. */
export const STRANGER = "did:plc:stranger0000000000000000";

/** Claude's DCR request as captured (mcp-auth.md §2 item 5). */
export const CLAUDE_DCR = {
  client_name: "Claude",
  redirect_uris: ["https://claude.ai/api/mcp/auth_callback"],
  grant_types: ["authorization_code", "refresh_token"],
  response_types: ["code"],
  token_endpoint_auth_method: "client_secret_post",
};

/** Claude's callback. */
export const CALLBACK = "https://claude.ai/api/mcp/auth_callback";

/** A running app with two wikis. */
export interface HttpFixture {
  mode: Mode;
  app: App;
  urls: Urls;
  alice: WikiRecord;
  bob: WikiRecord;
  /** URLs fetched through the fake outbound fetch. */
  fetched: string[];
  /** Stub outbound responses by URL (absent: 404). */
  routes: Map<string, () => Response | Promise<Response>>;
  /** Moves the authorization server's clock. */
  advance(ms: number): void;
  /** A `cookie` header value signing `did` in on the origin of wiki `slug`. */
  cookie(did: string, slug?: string): Promise<string>;
  /** In-process request into the app. */
  fetch(url: string, init?: RequestInit): Promise<Response>;
  close(): void;
}

/** Builds the app in `mode`; `outboundFetch` replaces the fake web of metadata documents (`routes`). */
export async function setupHttp(
  mode: Mode,
  opts: {
    outboundFetch?: FetchLike;
    settings?: Partial<OAuthSettings>;
    /** Wraps the in-memory store before the app gets it (e.g. a KV round-trip counter). */
    wrapKv?: (kv: Deno.Kv) => Deno.Kv;
    /** Configuration overrides (e.g. `primaryWiki`). */
    config?: Partial<Config>;
  } = {},
): Promise<HttpFixture> {
  const fetched: string[] = [];
  const routes = new Map<string, () => Response | Promise<Response>>();
  /** The fake web the app fetches client ID metadata documents from: the `routes` a test serves, else 404. */
  const fakeWeb: FetchLike = async (input) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    fetched.push(url);
    const route = routes.get(url);
    return route ? await route() : new Response("not found", { status: 404 });
  };
  const actor = { id: "local:test", name: "test", client: "cli" };
  const f = await appFixture({
    addressing: mode,
    config: opts.config,
    wrapKv: opts.wrapKv,
    clock: Date.now(),
    app: { outboundFetch: opts.outboundFetch ?? fakeWeb, oauth: { settings: opts.settings } },
    wikis: [
      { slug: "alice", ownerDid: ALICE, seed: false, actor, members: [[EDITOR, "editor"], [VIEWER, "viewer"]] },
      { slug: "bob", ownerDid: ALICE, seed: false, actor },
    ],
  });
  const { app, wikis: { alice, bob } } = f;
  const urls = app.deps.urls;
  return {
    mode,
    app,
    urls,
    alice,
    bob,
    fetched,
    routes,
    advance: (ms) => f.advance(ms),
    async cookie(did, slug = "alice") {
      const handle = did.slice(8, did.indexOf("0")) + ".test";
      return `rw_session=${await f.session({ did, handle, displayName: null }, urls.wikiOrigin(slug))}`;
    },
    fetch: (url, init) => f.fetch(url, init),
    close: () => void f.close(),
  };
}

/** A PKCE pair. */
export async function pkce(): Promise<{ verifier: string; challenge: string }> {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return { verifier, challenge: base64url(new Uint8Array(digest)) };
}

/** POSTs JSON to `/register` of wiki `slug`. */
export async function register(
  f: HttpFixture,
  body: unknown = CLAUDE_DCR,
  slug = "alice",
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await f.fetch(f.urls.wiki(slug, "/register"), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

/** The authorize URL of wiki `slug` for a client, with overrides (null deletes a parameter). */
export function authorizeUrl(
  f: HttpFixture,
  clientId: string,
  challenge: string,
  over: Record<string, string | null> = {},
  slug = "alice",
): string {
  const base: Record<string, string | null> = {
    response_type: "code",
    client_id: clientId,
    redirect_uri: CALLBACK,
    code_challenge: challenge,
    code_challenge_method: "S256",
    state: "st-123",
    scope: "wiki:read wiki:write",
    resource: f.urls.mcp(slug),
    ...over,
  };
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(base)) if (v !== null) p.set(k, v);
  return f.urls.wiki(slug, "/authorize") + "?" + p;
}

/** The hidden fields of a consent page. */
export function consentFields(html: string): { requestId: string; csrf: string } {
  // Only the consent form's fields (the page header has a sign-out form with its own csrf field).
  const form = html.match(/<form class="consent-form"[^]*?<\/form>/)?.[0] ?? "";
  const requestId = form.match(/name="request_id" value="([^"]+)"/)?.[1];
  const csrf = form.match(/name="csrf" value="([^"]+)"/)?.[1];
  assertOk(requestId && csrf, "the consent page has no form");
  return { requestId, csrf };
}

/** POSTs the consent form. */
export async function answerConsent(
  f: HttpFixture,
  cookie: string,
  fields: Record<string, string>,
  slug = "alice",
): Promise<Response> {
  return await f.fetch(f.urls.wiki(slug, "/authorize"), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie },
    body: new URLSearchParams(fields).toString(),
  });
}

/** Opens the consent page as `did` and approves it; returns the redirect URL (fails the test otherwise). */
export async function approveFlow(
  f: HttpFixture,
  clientId: string,
  challenge: string,
  opts: { did?: string; over?: Record<string, string | null>; slug?: string } = {},
): Promise<URL> {
  const slug = opts.slug ?? "alice";
  const cookie = await f.cookie(opts.did ?? ALICE, slug);
  const page = await f.fetch(authorizeUrl(f, clientId, challenge, opts.over, slug), { headers: { cookie } });
  const html = await page.text();
  assertEquals(page.status, 200, html.slice(0, 500));
  const { requestId, csrf } = consentFields(html);
  const res = await answerConsent(f, cookie, { request_id: requestId, csrf, decision: "approve" }, slug);
  assertEquals(res.status, 302, await res.clone().text());
  return new URL(res.headers.get("location")!);
}

/** POSTs a form to `/token` or `/revoke`; `basic` sends client_secret_basic credentials. */
export async function postForm(
  f: HttpFixture,
  endpoint: "token" | "revoke",
  form: Record<string, string>,
  opts: { basic?: [string, string]; slug?: string } = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  if (opts.basic) {
    headers.authorization = "Basic " +
      btoa(`${encodeURIComponent(opts.basic[0])}:${encodeURIComponent(opts.basic[1])}`);
  }
  const res = await f.fetch(f.urls.wiki(opts.slug ?? "alice", `/${endpoint}`), {
    method: "POST",
    headers,
    body: new URLSearchParams(form).toString(),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : {}, headers: res.headers };
}

/** A registered client and tokens from a complete flow. */
export interface Connection {
  clientId: string;
  secret: string | null;
  access: string;
  refresh: string;
}

/**
 * Registers a client (Claude's confidential DCR by default, or a public one), approves as `did`, and exchanges the
 * code with `client_secret_post` (or `none`).
 */
export async function connect(
  f: HttpFixture,
  opts: { did?: string; public?: boolean; scope?: string } = {},
): Promise<Connection> {
  const reg = await register(f, opts.public ? { ...CLAUDE_DCR, token_endpoint_auth_method: "none" } : CLAUDE_DCR);
  assertEquals(reg.status, 201, JSON.stringify(reg.body));
  const clientId = reg.body.client_id as string;
  const secret = (reg.body.client_secret as string | undefined) ?? null;
  const { verifier, challenge } = await pkce();
  const over: Record<string, string | null> = opts.scope === undefined ? {} : { scope: opts.scope };
  const back = await approveFlow(f, clientId, challenge, { did: opts.did, over });
  const form: Record<string, string> = {
    grant_type: "authorization_code",
    code: back.searchParams.get("code")!,
    code_verifier: verifier,
    client_id: clientId,
    redirect_uri: CALLBACK,
    resource: f.urls.mcp("alice"),
  };
  if (secret) form.client_secret = secret;
  const tok = await postForm(f, "token", form);
  assertEquals(tok.status, 200, JSON.stringify(tok.body));
  return { clientId, secret, access: tok.body.access_token as string, refresh: tok.body.refresh_token as string };
}

/** Calls one MCP tool on wiki `slug` with a bearer token (stateless, no initialize: as Claude does). */
export async function callTool(
  f: HttpFixture,
  token: string,
  name: string,
  args: Record<string, unknown> = {},
  slug = "alice",
): Promise<Response> {
  return await f.fetch(f.urls.mcp(slug), {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name, arguments: args } }),
  });
}

/** The text of a successful tool result (fails the test on an HTTP or tool error). */
export async function toolText(res: Response): Promise<string> {
  const raw = await res.text();
  assertEquals(res.status, 200, raw);
  const body = JSON.parse(raw);
  assertOk(!body.error && body.result?.isError !== true, raw);
  return (body.result.content as { text: string }[]).map((c) => c.text).join("\n");
}

/** The MODES under test. */
export const MODES: readonly Mode[] = ["path", "subdomain"];

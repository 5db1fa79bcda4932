/**
 * @module
 * Shared setup of the dashboard tests: an app in subdomain mode on in-memory KV with a fake handle resolver,
 * signed-in users, and a small browser-like client (cookie, CSRF token scraped from the page, form posts).
 */
import type { App } from "../../main.ts";
import { appFixture } from "../fixture/app.ts";
import { IdentityError, type IdentityResolver } from "../../lib/atproto/identity.ts";
import type { AtprotoLogin } from "../../lib/atproto/client.ts";
import { upsertUserOnLogin } from "../../lib/platform/users.ts";
import type { WikiRecord } from "../../lib/wiki/types.ts";
import type { EmbeddingsConfig } from "../../lib/config.ts";
import { base64url, randomToken } from "../../lib/ids.ts";

/** The platform origin of the tests. */
export const ORIGIN = "http://localhost:8000";

/** People in the tests: handle -> DID. */
export const PEOPLE = {
  "alice.test": "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa",
  "bob.test": "did:plc:bbbbbbbbbbbbbbbbbbbbbbbb",
  "carol.test": "did:plc:cccccccccccccccccccccccc",
} as const;

/** A handle of {@link PEOPLE}. */
export type Person = keyof typeof PEOPLE;

/** A handle resolver that knows only {@link PEOPLE}; `down.test` fails as if its server were unreachable. */
export function fakeIdentity(): IdentityResolver {
  const unsupported = () => Promise.reject(new Error("not used in dashboard tests"));
  return {
    lookupHandle: (h) => Promise.resolve((PEOPLE as Record<string, `did:plc:${string}`>)[h] ?? null),
    resolveHandle(h) {
      if (h === "down.test") return Promise.reject(new TypeError("connection refused"));
      const did = (PEOPLE as Record<string, `did:plc:${string}`>)[h];
      if (!did) {
        return Promise.reject(
          new IdentityError(
            "unknown-handle",
            `We couldn't find the handle ${h}. Check the spelling, or enter ` +
              `your DID or PDS URL.`,
          ),
        );
      }
      return Promise.resolve(did);
    },
    resolveDid: unsupported,
    resolveIdentity: unsupported,
    resolveAuthServer: unsupported,
  };
}

/** A browser-like client signed in as one person on the platform origin. */
export interface Browser {
  did: string;
  handle: string;
  sessionId: string;
  /** GET (no redirects followed). */
  get(path: string): Promise<Response>;
  /** GET expecting 200; returns the HTML. */
  page(path: string): Promise<string>;
  /** POST a form; adds the CSRF token scraped from `from` (default: the dashboard home) unless `csrf` is given. */
  post(path: string, fields: Record<string, string>, opts?: { from?: string; csrf?: string | null }): Promise<Response>;
}

/** The test app and helpers. */
export interface Fixture {
  app: App;
  kv: Deno.Kv;
  /** Signs a person in (user record + platform session). */
  signIn(person: Person): Promise<Browser>;
  /** DIDs whose ATProto session the app asked to revoke (account deletion). */
  atprotoLogouts: string[];
  /** Creates a wiki owned by `person` directly (no dashboard). */
  wikiOf(person: Person, slug: string): Promise<WikiRecord>;
  close(): void;
}

/** Builds the fixture (`wrapKv` wraps the in-memory store before the app gets it, e.g. a fault-injecting store). */
export async function setup(
  overrides: { wikisPerUser?: number; wrapKv?: (kv: Deno.Kv) => Deno.Kv; embeddings?: EmbeddingsConfig } = {},
): Promise<Fixture> {
  const atprotoLogouts: string[] = [];
  const atproto = fakeAtprotoLogin((did) => atprotoLogouts.push(did));
  const f = await appFixture({
    config: {
      publicOrigin: ORIGIN,
      ...(overrides.wikisPerUser === undefined ? {} : { wikisPerUser: overrides.wikisPerUser }),
      ...(overrides.embeddings === undefined ? {} : { embeddings: overrides.embeddings }),
    },
    addressing: "subdomain",
    wrapKv: overrides.wrapKv,
    app: { identity: fakeIdentity(), atproto },
  });
  const { app, kv } = f;
  return {
    app,
    kv,
    atprotoLogouts,
    async signIn(person) {
      const did = PEOPLE[person];
      await upsertUserOnLogin(kv, { did, handle: person, displayName: null });
      const id = await f.session({ did, handle: person, displayName: null }, ORIGIN);
      const headers = { cookie: `rw_session=${id}` };
      const get = (path: string) => app.fetch(new Request(ORIGIN + path, { headers }));
      const page = async (path: string) => {
        const res = await get(path);
        const text = await res.text();
        if (res.status !== 200) throw new Error(`GET ${path}: ${res.status}\n${text.slice(0, 500)}`);
        return text;
      };
      return {
        did,
        handle: person,
        sessionId: id,
        get,
        page,
        async post(path, fields, opts = {}) {
          const csrf = opts.csrf !== undefined ? opts.csrf : csrfFrom(await page(opts.from ?? "/app/account"));
          const body = new URLSearchParams(fields);
          if (csrf !== null) body.set("csrf", csrf);
          return await app.fetch(
            new Request(ORIGIN + path, {
              method: "POST",
              headers: { ...headers, "content-type": "application/x-www-form-urlencoded" },
              body,
            }),
          );
        },
      };
    },
    async wikiOf(person, slug) {
      return await app.deps.wikis.create({ slug, ownerDid: PEOPLE[person] }, {
        id: PEOPLE[person],
        name: person,
        client: "web",
      });
    },
    close: () => void f.close(),
  };
}

/** The CSRF token of the first dashboard form on a page (the header's sign-out form has its own). */
export function csrfFrom(html: string): string {
  const m = /<form method="post" action="\/app\/[^"]*"[^>]*><input type="hidden" name="csrf" value="([^"]+)"/.exec(
    html,
  );
  if (!m) throw new Error("no CSRF field on the page");
  return m[1];
}

/** The Location header of a redirect (throws when the response is not a redirect). */
export function location(res: Response): string {
  if (res.status < 300 || res.status >= 400) throw new Error(`expected a redirect, got ${res.status}`);
  return res.headers.get("location") ?? "";
}

/** A JSON-RPC tools/call to a wiki's MCP endpoint with a bearer token. */
export async function mcpCall(
  app: App,
  mcpUrl: string,
  token: string,
  name: string,
  args: Record<string, unknown>,
): Promise<Response> {
  return await app.fetch(
    new Request(mcpUrl, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        authorization: `Bearer ${token}`,
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name, arguments: args } }),
    }),
  );
}

/** Decodes the few HTML entities preact escapes. */
export function unescapeHtml(s: string): string {
  return s.replaceAll("&quot;", '"').replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");
}

/** Connects an OAuth client ("Claude") to a wiki as `did` through the authorization server; returns its access token. */
export async function connectApp(app: App, slug: string, did: string, scope = "wiki:read wiki:write"): Promise<string> {
  const wiki = (await app.deps.wikis.bySlug(slug))!;
  const ref = { id: wiki.id, slug };
  const redirect = "https://claude.ai/api/mcp/auth_callback";
  const reg = await app.deps.oauth.register(
    ref,
    new Request(app.deps.urls.wiki(slug, "/register"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        client_name: "Claude",
        redirect_uris: [redirect],
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        token_endpoint_auth_method: "none",
      }),
    }),
  );
  const clientId = (await reg.json()).client_id as string;
  const verifier = randomToken(32);
  const challenge = base64url(
    new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))),
  );
  const params = new URLSearchParams({
    response_type: "code",
    client_id: clientId,
    redirect_uri: redirect,
    code_challenge: challenge,
    code_challenge_method: "S256",
    state: "s",
    scope,
    resource: app.deps.urls.mcp(slug),
  });
  const out = await app.deps.oauth.authorize(ref, params);
  if (out.kind !== "consent") throw new Error(`authorize: ${JSON.stringify(out)}`);
  const role = await app.deps.wikis.roleOf(wiki, did);
  const consent = await app.deps.oauth.createConsent(ref, out.request, { did, role }, "sess");
  if (consent.kind !== "consent") throw new Error(`consent: ${JSON.stringify(consent)}`);
  const approved = await app.deps.oauth.approve(ref, {
    requestId: consent.view.requestId,
    csrf: consent.view.csrf,
    session: "sess",
    user: { did, role },
  });
  if (approved.kind !== "redirect") throw new Error(`approve: ${JSON.stringify(approved)}`);
  const code = new URL(approved.url).searchParams.get("code")!;
  const res = await app.deps.oauth.token(
    ref,
    new Request(app.deps.urls.wiki(slug, "/token"), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        code,
        code_verifier: verifier,
        client_id: clientId,
        redirect_uri: redirect,
        resource: app.deps.urls.mcp(slug),
      }),
    }),
  );
  const body = await res.json();
  if (res.status !== 200) throw new Error(`token: ${JSON.stringify(body)}`);
  return body.access_token as string;
}

/** A sign-in stand-in for app tests that sign people in directly: only `logout` works (reported to `onLogout`). */
export function fakeAtprotoLogin(onLogout: (did: string) => void = () => {}): AtprotoLogin {
  const notUsed = () => Promise.reject(new Error("sign-in is not used in these tests"));
  return {
    mode: "loopback",
    clientId: "http://localhost",
    start: notUsed,
    finish: notUsed,
    oauthClient: notUsed,
    logout: (did: string) => {
      onLogout(did);
      return Promise.resolve();
    },
  } as unknown as AtprotoLogin;
}

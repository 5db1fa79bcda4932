/**
 * @module
 * Hono environment types shared by all routes: the app's dependencies and per-request variables.
 */
import type { RemoteLayer } from "../lib/wiki/meaning/remote_layer.ts";
import type { Config } from "../lib/config.ts";
import type { Urls } from "../lib/urls.ts";
import type { Wikis } from "../lib/wiki/wikis.ts";
import type { PageStore } from "../lib/wiki/store.ts";
import type { WikiRecord } from "../lib/wiki/types.ts";
import type { KeyRing } from "../lib/keys.ts";
import type { SessionRecord, Sessions } from "../lib/session/sessions.ts";
import type { OAuthServer } from "../lib/oauth/server.ts";
import type { Role } from "../lib/wiki/types.ts";
import type { IdentityResolver } from "../lib/atproto/identity.ts";
import type { AtprotoLogin } from "../lib/atproto/client.ts";
import type { WikiTokens } from "../lib/auth/tokens.ts";
import type { PlatformDeps } from "../lib/platform/deps.ts";
import type { McpEndpoint } from "../lib/mcp/endpoint.ts";

/** Everything a route may use, built once in main.ts. */
export interface AppDeps {
  config: Config;
  kv: Deno.Kv;
  urls: Urls;
  wikis: Wikis;
  keys: KeyRing;
  /** Browser sessions and the cross-host hand-off (docs/sessions.md). */
  sessions: Sessions;
  /** The per-wiki OAuth 2.1 authorization servers (docs/oauth.md). */
  oauth: OAuthServer;
  /** ATProto identity resolution (handle <-> DID, DID documents), through the SSRF-safe fetch. */
  identity: IdentityResolver;
  /** The ATProto sign-in flow (docs/atproto-login.md): start, finish, logout. */
  atproto: AtprotoLogin;
  /** Per-wiki bearer tokens (lib/auth/tokens.ts). */
  tokens: WikiTokens;
  /** The dashboard's domain dependencies (lib/platform/deps.ts; built by routes/app/context.ts). */
  platform: PlatformDeps;
  /** The MCP endpoint of every wiki (served by lib/mcp/fast_path.ts; built by routes/wiki/protocol.ts). */
  mcp: McpEndpoint;
  /** The remote embedder (lib/wiki/meaning/remote_layer.ts), or null when `EMBEDDINGS_URL` is unset. */
  embeddings: RemoteLayer | null;
}

/** The signed-in browser session of a request (set by routes/_middleware/session.ts; null when signed out). */
export interface CurrentSession {
  /** Raw cookie value (the session id): the CSRF binding of signed-in forms. Never log it. */
  id: string;
  record: SessionRecord;
}

/** What the page header shows about the visitor (set by routes/_middleware/session.ts). */
export interface HeaderAuth {
  /** Signed in: who, and the sign-out form's action and CSRF token. */
  user: { handle: string; signOutAction: string; csrf: string } | null;
  /** Where "Sign in" goes from this page (null: no Sign in link, e.g. on the sign-in pages themselves). */
  signInUrl: string | null;
  /** The dashboard. */
  dashboardUrl: string;
  /** The wiki whose host serves this page (null on the platform): its pages load the stylesheet from that host. */
  wikiSlug: string | null;
}

/** Environment of platform routes (landing, healthz, later /auth and /app). */
export type PlatformEnv = {
  /** `source`: the client address the per-source limits count (lib/net/client_address.ts), set by main.ts. */
  Bindings: { source: string };
  Variables: { deps: AppDeps; nonce: string; session: CurrentSession | null };
};

/**
 * Environment of wiki routes. URLs inside the wiki app are relative to the wiki base (`/`, `/Design/Auth`,
 * `/-/search`, `/mcp`); `slug` comes from the host (subdomain mode) or the `/w/{slug}` prefix (path mode).
 * `wiki` and `pages` are set by the wiki loader for every route except those registered before it. `source` is the
 * client address the per-source limits count (lib/net/client_address.ts).
 */
export type WikiEnv = {
  Bindings: { slug: string; source: string };
  Variables: {
    deps: AppDeps;
    nonce: string;
    session: CurrentSession | null;
    wiki: WikiRecord;
    pages: PageStore;
    /** The signed-in person's role on this wiki (null: not a member; reading a public wiki). Set by the loader. */
    role: Role | null;
  };
};

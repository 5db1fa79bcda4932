/**
 * @module
 * Hono environment types shared by all routes: the app's dependencies and per-request variables.
 */
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
}

/** The signed-in browser session of a request (set by routes/_middleware/session.ts; null when signed out). */
export interface CurrentSession {
  /** Raw cookie value (the session id): the CSRF binding of signed-in forms. Never log it. */
  id: string;
  record: SessionRecord;
}

/** Environment of platform routes (landing, healthz, later /auth and /app). */
export type PlatformEnv = {
  Variables: { deps: AppDeps; nonce: string; session: CurrentSession | null };
};

/**
 * Environment of wiki routes. URLs inside the wiki app are relative to the wiki base (`/`, `/Design/Auth`,
 * `/-/search`, `/mcp`); `slug` comes from the host (subdomain mode) or the `/w/{slug}` prefix (path mode).
 * `wiki` and `pages` are set by the wiki loader for every route except those registered before it.
 */
export type WikiEnv = {
  Bindings: { slug: string };
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

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

/** Everything a route may use, built once in main.ts. */
export interface AppDeps {
  config: Config;
  kv: Deno.Kv;
  urls: Urls;
  wikis: Wikis;
  keys: KeyRing;
}

/** Environment of platform routes (landing, healthz, later /auth and /app). */
export type PlatformEnv = {
  Variables: { deps: AppDeps; nonce: string };
};

/**
 * Environment of wiki routes. URLs inside the wiki app are relative to the wiki base (`/`, `/Design/Auth`,
 * `/-/search`, `/mcp`); `slug` comes from the host (subdomain mode) or the `/w/{slug}` prefix (path mode).
 * `wiki` and `pages` are set by the wiki loader for every route except those registered before it.
 */
export type WikiEnv = {
  Bindings: { slug: string };
  Variables: { deps: AppDeps; nonce: string; wiki: WikiRecord; pages: PageStore };
};

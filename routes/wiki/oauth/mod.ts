/**
 * @module
 * Mounts a wiki's OAuth 2.1 authorization server (lib/oauth via `deps.oauth`). Paths are relative to the wiki
 * base, so in subdomain mode they sit at the origin root (where Claude sometimes synthesizes them instead of
 * reading the metadata), and in path mode under `/w/{slug}/`:
 *
 * | Path                                                  | Methods        | What                                 |
 * | ----------------------------------------------------- | -------------- | ------------------------------------ |
 * | `/.well-known/oauth-authorization-server`             | GET, OPTIONS   | RFC 8414 metadata                    |
 * | `/.well-known/openid-configuration`                   | GET, OPTIONS   | the same document (OIDC alias)       |
 * | `/.well-known/oauth-authorization-server/mcp`         | GET, OPTIONS   | the same document (client hedge)     |
 * | `/authorize`                                          | GET            | validation, sign-in, consent page    |
 * | `/authorize`                                          | POST           | consent answer (Approve / Deny)      |
 * | `/token`                                              | POST, OPTIONS  | code exchange, refresh               |
 * | `/register`                                           | POST, OPTIONS  | dynamic client registration          |
 * | `/revoke`                                             | POST, OPTIONS  | token revocation                     |
 *
 * Any other method on these paths gets 405 with `Allow` (never the wiki's page view).
 * In path mode lib/urls.ts maps the RFC 8414 path-inserted forms (`/.well-known/oauth-authorization-server/w/{slug}`,
 * `/.well-known/openid-configuration/w/{slug}`) and the path-appended `/w/{slug}/.well-known/openid-configuration`
 * to the wiki, so the first two rows answer all of them. None of these first segments can be a page URL
 * (`RESERVED_WIKI_SEGMENTS`).
 */
import type { Hono } from "hono";
import type { WikiEnv } from "../../env.ts";
import { loadSession } from "../../_middleware/session.ts";
import { ENDPOINT_CORS_HEADERS, METADATA_CORS_HEADERS, methodNotAllowed, preflight } from "./cors.ts";
import { metadataRoute, registerRoute, revokeRoute, tokenRoute } from "./endpoints.ts";
import { authorizeRoute, consentRoute } from "./authorize.tsx";

/** Paths of the authorization server metadata document, relative to the wiki base. */
export const AS_METADATA_PATHS = [
  "/.well-known/oauth-authorization-server",
  "/.well-known/openid-configuration",
  "/.well-known/oauth-authorization-server/mcp",
] as const;

/** Registers the OAuth routes (before the wiki loader: each route loads the wiki itself). */
export function registerOAuthRoutes(app: Hono<WikiEnv>): void {
  for (const path of AS_METADATA_PATHS) {
    app.options(path, () => preflight(METADATA_CORS_HEADERS));
    app.get(path, metadataRoute);
    app.all(path, () => methodNotAllowed("GET, OPTIONS", METADATA_CORS_HEADERS));
  }
  app.get("/authorize", loadSession, authorizeRoute);
  app.post("/authorize", loadSession, consentRoute);
  app.all("/authorize", () => methodNotAllowed("GET, POST", {}));
  for (
    const [path, handler] of [["/token", tokenRoute], ["/register", registerRoute], ["/revoke", revokeRoute]] as const
  ) {
    app.options(path, () => preflight(ENDPOINT_CORS_HEADERS));
    app.post(path, handler);
    app.all(path, () => methodNotAllowed("POST, OPTIONS", ENDPOINT_CORS_HEADERS));
  }
}

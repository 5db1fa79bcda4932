/**
 * @module
 * The origin-root OAuth endpoints of path mode. Claude.ai, when discovery fails, synthesizes `{origin}/authorize`,
 * `{origin}/token`, `{origin}/register` and `{origin}/revoke` (../shared/reference/mcp-auth.md); in path mode each
 * wiki's authorization server lives under `/w/{slug}/`, so the root routes each request to the wiki it names:
 *
 * | Path                | Routed by                                              | Names no wiki                       |
 * | ------------------- | ------------------------------------------------------ | ----------------------------------- |
 * | `POST /token`       | the code or refresh token, else the client id          | 400 `invalid_grant` / 401 `invalid_client` |
 * | `POST /revoke`      | the token, else the client id                          | 401 `invalid_client`                |
 * | `GET /authorize`    | the client id (redirect to the wiki's `/authorize`)     | a readable 400 page                 |
 * | `POST /register`    | the primary wiki (`PRIMARY_WIKI`)                       | 400 `invalid_request`               |
 *
 * With `PRIMARY_WIKI` set, the origin root is also a distinct issuer `{origin}` serving that wiki (root_metadata.ts):
 * its registrations and authorizations (resource `{origin}/mcp`) get `iss` `{origin}`, and their tokens belong to
 * that wiki alone. In subdomain mode the platform origin is no wiki's issuer: these paths are not found.
 */
import type { Context, Hono } from "hono";
import type { PlatformEnv } from "../env.ts";
import type { WikiRef } from "../../lib/oauth/context.ts";
import type { WikiById } from "../../lib/oauth/root.ts";
import { wikiIdOfClientId } from "../../lib/oauth/credentials.ts";
import { InvalidRequestError, oauthErrorResponse } from "../../lib/oauth/errors.ts";
import { ENDPOINT_CORS_HEADERS, methodNotAllowed, preflight, withHeaders } from "../wiki/oauth/cors.ts";
import { errorResponse, notFound } from "../errors.tsx";

/** The wiki registry's lookup by id, as the OAuth server wants it. */
function byIdOf(c: Context<PlatformEnv>): WikiById {
  const wikis = c.get("deps").wikis;
  return async (id) => {
    const w = await wikis.byId(id);
    return w === null ? null : { id: w.id, slug: w.slug } satisfies WikiRef;
  };
}

/** True when the app runs in path mode (the only mode with root OAuth endpoints). */
function pathMode(c: Context<PlatformEnv>): boolean {
  return c.get("deps").urls.mode === "path";
}

/** The primary wiki (`PRIMARY_WIKI`) as a {@link WikiRef}, or null when unset or no such wiki exists. */
export async function primaryWikiOf(c: Context<PlatformEnv>): Promise<WikiRef | null> {
  const deps = c.get("deps");
  const slug = deps.urls.primaryWiki;
  const w = slug === null ? null : await deps.wikis.bySlug(slug);
  return w === null ? null : { id: w.id, slug: w.slug };
}

/**
 * `GET /authorize`: redirects to the authorization endpoint of the wiki the client id names, query unchanged; a
 * client id that names no wiki (a metadata document URL) goes to the primary wiki, for the root resource
 * `{origin}/mcp` unless the request names another.
 */
async function rootAuthorize(c: Context<PlatformEnv>): Promise<Response> {
  if (!pathMode(c)) return notFound(c);
  const url = new URL(c.req.url);
  const urls = c.get("deps").urls;
  const wikiId = wikiIdOfClientId(url.searchParams.get("client_id"));
  const wiki = wikiId === null ? await primaryWikiOf(c) : await byIdOf(c)(wikiId);
  if (wiki !== null && wiki.slug === urls.primaryWiki && !url.searchParams.has("resource")) {
    url.searchParams.set("resource", urls.rootMcp()); // the root issuer's own resource
  }
  if (wiki === null) {
    return errorResponse(
      c,
      400,
      "unknown_wiki",
      "Which wiki?",
      "This authorization request does not say which wiki it is for: its client_id names no wiki here. Each wiki " +
        "has its own authorization server under /w/{wiki}/ on this site; connect your app with the wiki's MCP " +
        `address, ${c.get("deps").urls.origin}/w/{wiki}/mcp.`,
    );
  }
  return c.redirect(urls.wiki(wiki.slug, "/authorize") + url.search, 302);
}

/** Answers an OAuth error (JSON, no-store) with the endpoint CORS headers. */
export function oauthError(err: unknown, endpoint: string): Response {
  return withHeaders(oauthErrorResponse(err, endpoint), ENDPOINT_CORS_HEADERS);
}

/** Registers the root OAuth endpoints (answered only in path mode). */
export function registerRootOAuth(app: Hono<PlatformEnv>): void {
  app.get("/authorize", rootAuthorize);
  app.all("/authorize", (c) => pathMode(c) ? methodNotAllowed("GET", {}) : notFound(c));
  const endpoints = {
    "/token": (c: Context<PlatformEnv>) => c.get("deps").oauth.rootToken(c.req.raw, byIdOf(c)),
    "/revoke": (c: Context<PlatformEnv>) => c.get("deps").oauth.rootRevoke(c.req.raw, byIdOf(c)),
    "/register": async (c: Context<PlatformEnv>) => {
      const primary = await primaryWikiOf(c);
      if (primary !== null) return await c.get("deps").oauth.register(primary, c.req.raw, c.env.source);
      throw new InvalidRequestError(
        "This site hosts many wikis, and a registration at its root cannot say which one it is for. Register " +
          "at the wiki's own endpoint, /w/{wiki}/register (see /.well-known/oauth-authorization-server/w/{wiki}).",
      );
    },
  };
  for (const [path, handler] of Object.entries(endpoints)) {
    app.options(path, (c) => pathMode(c) ? preflight(ENDPOINT_CORS_HEADERS) : notFound(c));
    app.post(path, async (c) => {
      if (!pathMode(c)) return notFound(c);
      try {
        return withHeaders(await handler(c), ENDPOINT_CORS_HEADERS);
      } catch (err) {
        return oauthError(err, `POST ${path} (origin root)`);
      }
    });
    app.all(path, (c) => pathMode(c) ? methodNotAllowed("POST, OPTIONS", ENDPOINT_CORS_HEADERS) : notFound(c));
  }
}

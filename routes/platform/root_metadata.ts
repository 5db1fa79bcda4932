/**
 * @module
 * The origin root's discovery documents in path mode. With `PRIMARY_WIKI` set the origin root is a distinct OAuth
 * issuer `{origin}` serving that wiki: RFC 8414 metadata at `/.well-known/oauth-authorization-server` (and the
 * OpenID alias), RFC 9728 metadata of `{origin}/mcp` at `/.well-known/oauth-protected-resource[/mcp]`. Without one,
 * these documents would have to name a single wiki, so they answer a clear JSON error saying where each wiki's are.
 * In subdomain mode they are not found.
 */
import type { Context, Hono } from "hono";
import type { PlatformEnv } from "../env.ts";
import { SCOPES } from "../../lib/auth/access.ts";
import { UnknownWikiError } from "../../lib/oauth/errors.ts";
import { METADATA_CORS_HEADERS, methodNotAllowed, preflight, withHeaders } from "../wiki/oauth/cors.ts";
import { notFound } from "../errors.tsx";
import { oauthError, primaryWikiOf } from "./root_oauth.ts";

const AS_PATHS = [
  "/.well-known/oauth-authorization-server",
  "/.well-known/openid-configuration",
  "/.well-known/oauth-authorization-server/mcp",
];
const PRM_PATHS = ["/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp"];

function json(doc: unknown): Response {
  return new Response(JSON.stringify(doc), {
    headers: {
      "content-type": "application/json; charset=utf-8",
      "cache-control": "public, max-age=300",
      ...METADATA_CORS_HEADERS,
    },
  });
}

/** The document of the origin root's issuer, or the clear error when the origin root serves no wiki. */
async function rootDocument(c: Context<PlatformEnv>, kind: "as" | "prm"): Promise<Response> {
  const deps = c.get("deps");
  if (deps.urls.mode !== "path") return notFound(c);
  const primary = await primaryWikiOf(c);
  if (primary === null) {
    const err = new UnknownWikiError(
      "This site hosts many wikis and its origin root serves none of them (PRIMARY_WIKI is not set, or names no " +
        `wiki). Each wiki has its own metadata: ${deps.urls.origin}/.well-known/oauth-protected-resource/w/{wiki}/mcp ` +
        `and ${deps.urls.origin}/.well-known/oauth-authorization-server/w/{wiki}; its MCP address is ` +
        `${deps.urls.origin}/w/{wiki}/mcp.`,
    );
    return withHeaders(oauthError(err, c.req.path), METADATA_CORS_HEADERS);
  }
  if (kind === "as") return json(deps.oauth.rootMetadata());
  return json({
    resource: deps.urls.rootMcp(),
    authorization_servers: [deps.urls.origin],
    scopes_supported: [...SCOPES],
    bearer_methods_supported: ["header"],
    resource_name: `${primary.slug} (robot.wtf wiki)`,
  });
}

/** Registers the origin root's metadata routes. */
export function registerRootMetadata(app: Hono<PlatformEnv>): void {
  for (const [paths, kind] of [[AS_PATHS, "as"], [PRM_PATHS, "prm"]] as const) {
    for (const path of paths) {
      app.options(path, (c) => c.get("deps").urls.mode === "path" ? preflight(METADATA_CORS_HEADERS) : notFound(c));
      app.get(path, (c) => rootDocument(c, kind));
      app.all(path, (c) => c.get("deps").urls.mode === "path" ? methodNotAllowed("GET, OPTIONS", {}) : notFound(c));
    }
  }
}

/**
 * @module
 * Protocol routes of a wiki: the MCP endpoint, its RFC 9728 metadata, and the wiki's OAuth authorization server
 * (routes/wiki/oauth/mod.ts). Registered before the wiki loader: each loads what it needs itself, in as few KV
 * round trips as it can. The logic lives in lib/mcp/endpoint.ts and lib/oauth; this module only mounts it.
 *
 * The MCP endpoint accepts per-wiki tokens (`rwtf_...`) and OAuth access tokens (`rwat_...`): each verifier claims
 * its own prefix, and the OAuth one checks the audience (wiki id), the grant and the user's CURRENT role on every
 * call.
 */
import type { Hono } from "hono";
import type { AppDeps, WikiEnv } from "../env.ts";
import { createMcpEndpoint, type McpEndpoint, METADATA_CORS, rpcUnavailable } from "../../lib/mcp/endpoint.ts";
import { isKvFailure } from "../../lib/kv/unavailable.ts";
import { createWikiTokens } from "../../lib/auth/tokens.ts";
import { registerOAuthRoutes } from "./oauth/mod.ts";

const endpoints = new WeakMap<AppDeps, McpEndpoint>();

/** The MCP endpoint of an app (built once per app, on first use). */
export function mcpEndpoint(deps: AppDeps): McpEndpoint {
  let e = endpoints.get(deps);
  if (!e) {
    const tokens = createWikiTokens({ kv: deps.kv, keys: deps.keys });
    e = createMcpEndpoint({
      kv: deps.kv,
      urls: deps.urls,
      wikis: deps.wikis,
      limits: deps.config.limits,
      verifiers: [tokens.verifier(), deps.oauth.verifier()],
    });
    endpoints.set(deps, e);
  }
  return e;
}

/**
 * Registers `/mcp` (POST; anything else 405, never a redirect), the protected-resource metadata and the OAuth
 * endpoints.
 */
export function registerWikiProtocol(app: Hono<WikiEnv>): void {
  app.all("/mcp", async (c) => {
    try {
      return await mcpEndpoint(c.get("deps")).handle(c.req.raw, c.env.slug);
    } catch (err) {
      if (isKvFailure(err)) return rpcUnavailable(); // a protocol answer, not the 503 page
      throw err;
    }
  });
  for (const path of ["/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"]) {
    app.options(path, () => new Response(null, { status: 204, headers: METADATA_CORS }));
    app.get(path, (c) => mcpEndpoint(c.get("deps")).metadata(c.env.slug));
  }
  registerOAuthRoutes(app);
}

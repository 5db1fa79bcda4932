/**
 * @module
 * Protocol routes of a wiki: the RFC 9728 metadata of the MCP endpoint and the wiki's OAuth authorization server
 * (routes/wiki/oauth/mod.ts). Registered before the wiki loader: each loads what it needs itself, in as few KV
 * round trips as it can. The logic lives in lib/mcp/endpoint.ts and lib/oauth; this module only mounts it. `/mcp`
 * itself never reaches Hono: main.ts serves it through lib/mcp/fast_path.ts.
 *
 * The MCP endpoint accepts per-wiki tokens (`rwtf_...`) and OAuth access tokens (`rwat_...`): each verifier claims
 * its own prefix, and the OAuth one checks the audience (wiki id), the grant and the user's CURRENT role on every
 * call.
 */
import type { Hono } from "hono";
import type { AppDeps, WikiEnv } from "../env.ts";
import { createMcpEndpoint, type McpEndpoint, METADATA_CORS } from "../../lib/mcp/endpoint.ts";
import { registerOAuthRoutes } from "./oauth/mod.ts";
import { createGitFastPath, type GitFastPath } from "../../lib/git/endpoint.ts";

/** Builds the MCP endpoint of an app (main.ts, once): per-wiki tokens first, then OAuth access tokens. */
export function buildMcpEndpoint(
  deps: Pick<AppDeps, "kv" | "urls" | "wikis" | "config" | "tokens" | "oauth">,
): McpEndpoint {
  return createMcpEndpoint({
    kv: deps.kv,
    urls: deps.urls,
    wikis: deps.wikis,
    limits: deps.config.limits,
    verifiers: [deps.tokens.verifier(), deps.oauth.verifier()],
  });
}

/** Builds the read-only git endpoint `{wiki}/wiki.git` (main.ts, once): the same credentials as the MCP endpoint. */
export function buildGitEndpoint(
  deps: Pick<AppDeps, "kv" | "wikis" | "config" | "tokens" | "oauth">,
): GitFastPath {
  return createGitFastPath({
    kv: deps.kv,
    wikis: deps.wikis,
    verifiers: [deps.tokens.verifier(), deps.oauth.verifier()],
    maxBodyBytes: deps.config.limits.maxBodyBytes,
    https: deps.config.publicOrigin.startsWith("https:"),
  });
}

/** Registers the protected-resource metadata of `/mcp` and the OAuth endpoints. */
export function registerWikiProtocol(app: Hono<WikiEnv>): void {
  for (const path of ["/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"]) {
    app.options(path, () => new Response(null, { status: 204, headers: METADATA_CORS }));
    app.get(path, (c) => c.get("deps").mcp.metadata(c.env.slug));
  }
  registerOAuthRoutes(app);
}

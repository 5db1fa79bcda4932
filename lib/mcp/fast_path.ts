/**
 * @module
 * The MCP fast path: `{wiki}/mcp` served straight from the app's fetch handler, before the wiki's Hono app (the
 * only way `/mcp` is served: the wiki app has no route for it). The MCP endpoint loads and authenticates everything
 * itself (lib/mcp/endpoint.ts) and enforces its own body limit with a JSON-RPC error, so the Hono middleware in
 * front of it (session cookie, body limit, router, per-request nonce) would be pure cost on the hottest route: ~90 µs
 * of a ~420 µs request in-process. The fast path keeps what that middleware gives other routes: the security
 * headers of every response (lib/web/security_headers.ts, with the protocol CSP), a generic 500 that never shows a
 * stack trace, and a JSON-RPC 503 when the store is unavailable (lib/kv/unavailable.ts).
 *
 * main.ts wires it after resolving the tenant:
 *
 * ```ts
 * const mcpFast = createMcpFastPath(deps.mcp, { https: config.publicOrigin.startsWith("https:") });
 * // in fetch(), once `tenant.kind === "wiki"`:
 * const fast = mcpFast(request, tenant.slug, tenant.rest);
 * if (fast) return await fast;
 * ```
 */
import type { McpEndpoint } from "./endpoint.ts";
import { RPC, rpcError, rpcUnavailable } from "./rpc.ts";
import { isKvFailure } from "../kv/unavailable.ts";
import { protocolSecurityHeaders, withSecurityHeaders } from "../web/security_headers.ts";

/** Wiki-relative path of the MCP endpoint. */
export const MCP_PATH = "/mcp";

/** Serves `request` when it addresses a wiki's MCP endpoint, else returns null (the caller routes it as usual). */
export type McpFastPath = (request: Request, slug: string, rest: string) => Promise<Response> | null;

/** Builds the fast path over the app's `endpoint`; HSTS is sent when the public origin is `https`. */
export function createMcpFastPath(endpoint: McpEndpoint, opts: { https: boolean }): McpFastPath {
  const headers = protocolSecurityHeaders(opts.https);
  const serve = async (request: Request, slug: string): Promise<Response> =>
    withSecurityHeaders(await handleSafely(endpoint, request, slug), headers);
  return (request, slug, rest) => rest === MCP_PATH ? serve(request, slug) : null;
}

/** The endpoint's answer; a failure becomes a JSON-RPC 503 (store unavailable) or a generic 500, never a stack. */
async function handleSafely(endpoint: McpEndpoint, request: Request, slug: string): Promise<Response> {
  try {
    return await endpoint.handle(request, slug);
  } catch (err) {
    if (isKvFailure(err)) {
      console.warn(
        `KV unavailable on /mcp: ${err instanceof Error && err.cause instanceof Error ? err.cause.message : err}`,
      );
      return rpcUnavailable();
    }
    console.error("mcp fast path:", err);
    return rpcError(500, RPC.internalError, "Internal error in the wiki service; try again in a moment.");
  }
}

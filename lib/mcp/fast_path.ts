/**
 * @module
 * The MCP fast path: `{wiki}/mcp` served straight from the app's fetch handler, before the wiki's Hono app. The
 * MCP endpoint loads and authenticates everything itself (lib/mcp/endpoint.ts) and enforces its own body limit with
 * a JSON-RPC error, so the Hono middleware in front of it (session cookie, body limit, router, per-request nonce)
 * is pure cost on the hottest route: ~90 µs of a ~420 µs request in-process. The fast path keeps what that
 * middleware gave the route: the security headers of every response (here with a deny-all CSP: a protocol answer
 * is never rendered), a generic 500 that never shows a stack trace, and a JSON-RPC 503 when the store is
 * unavailable (lib/kv/unavailable.ts).
 *
 * main.ts wires it after resolving the tenant:
 *
 * ```ts
 * const mcpFast = createMcpFastPath(() => mcpEndpoint(deps), { https: config.publicOrigin.startsWith("https:") });
 * // in fetch(), once `tenant.kind === "wiki"`:
 * const fast = mcpFast(request, tenant.slug, tenant.rest);
 * if (fast) return await fast;
 * ```
 */
import type { McpEndpoint } from "./endpoint.ts";
import { rpcError, rpcUnavailable } from "./endpoint.ts";
import { isKvFailure } from "../kv/unavailable.ts";

/** Wiki-relative path of the MCP endpoint (the Hono route `app.all("/mcp")` matches exactly this path). */
export const MCP_PATH = "/mcp";

/** HSTS lifetime: one year, in seconds (the value pages get from routes/_middleware/security.ts). */
const HSTS_MAX_AGE = 365 * 24 * 3600;

/** Serves `request` when it addresses a wiki's MCP endpoint, else returns null (the caller routes it as usual). */
export type McpFastPath = (request: Request, slug: string, rest: string) => Promise<Response> | null;

/**
 * The security headers of protocol responses: the same set pages get, with a CSP that allows nothing (a JSON or
 * SSE answer is never a document), and HSTS when the public origin is https.
 */
export function protocolSecurityHeaders(https: boolean): readonly (readonly [string, string])[] {
  const headers: [string, string][] = [
    ["content-security-policy", "default-src 'none'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"],
    ["x-content-type-options", "nosniff"],
    ["x-frame-options", "DENY"],
    ["referrer-policy", "strict-origin-when-cross-origin"],
    ["permissions-policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()"],
  ];
  if (https) headers.push(["strict-transport-security", `max-age=${HSTS_MAX_AGE}; includeSubDomains`]);
  return headers;
}

/**
 * Builds the fast path. `endpoint` is called on first use (main.ts passes `() => mcpEndpoint(deps)` so that the
 * verifier chain stays defined in one place, routes/wiki/protocol.ts).
 */
export function createMcpFastPath(endpoint: () => McpEndpoint, opts: { https: boolean }): McpFastPath {
  const headers = protocolSecurityHeaders(opts.https);
  let ep: McpEndpoint | null = null;
  const serve = async (request: Request, slug: string): Promise<Response> => {
    ep ??= endpoint();
    let res: Response;
    try {
      res = await ep.handle(request, slug);
    } catch (err) {
      if (isKvFailure(err)) {
        console.warn(
          `KV unavailable on /mcp: ${err instanceof Error && err.cause instanceof Error ? err.cause.message : err}`,
        );
        res = rpcUnavailable();
      } else {
        console.error("mcp fast path:", err);
        res = rpcError(500, -32603, "Internal error in the wiki service; try again in a moment.");
      }
    }
    return withHeaders(res, headers);
  };
  return (request, slug, rest) => rest === MCP_PATH ? serve(request, slug) : null;
}

/** Sets `headers` on `res` (copying the response when its headers are immutable); keeps a CSP the handler set. */
function withHeaders(res: Response, headers: readonly (readonly [string, string])[]): Response {
  let out = res;
  try {
    apply(out.headers, headers);
  } catch {
    out = new Response(res.body, res);
    apply(out.headers, headers);
  }
  return out;
}

function apply(target: Headers, headers: readonly (readonly [string, string])[]): void {
  for (const [name, value] of headers) {
    if (name === "content-security-policy" && target.has(name)) continue;
    target.set(name, value);
  }
}

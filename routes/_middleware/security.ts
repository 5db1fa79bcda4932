/**
 * @module
 * Security headers on every Hono response: the policy of lib/web/security_headers.ts, with the page CSP and a
 * per-request script nonce (pages read it as `c.get("nonce")`). A handler that sets its own Content-Security-Policy
 * (attachments and raw text use a sandbox) keeps it.
 */
import type { MiddlewareHandler } from "hono";
import type { AppDeps } from "../env.ts";
import {
  applySecurityHeaders,
  contentSecurityPolicy,
  newNonce,
  securityHeaderSet,
  withSecurityHeaders,
} from "../../lib/web/security_headers.ts";

/**
 * Middleware: makes a nonce (`c.set("nonce")`), runs the handler, then sets the security headers on whatever
 * response came back (pages, errors, 404s, static files). Needs `deps` on the context to decide on HSTS.
 */
export function securityHeaders(): MiddlewareHandler<{ Variables: { deps: AppDeps; nonce: string } }> {
  return async (c, next) => {
    const nonce = newNonce();
    c.set("nonce", nonce);
    await next();
    const https = c.get("deps")?.config.publicOrigin.startsWith("https:") ?? false;
    const headers = securityHeaderSet(contentSecurityPolicy(nonce), https);
    const res = withSecurityHeaders(c.res, headers);
    if (res === c.res) return;
    // Immutable headers, so `res` is a copy. Hono's setter copies it again with the old response's headers on top:
    // the policy is set once more on what it keeps.
    c.res = res;
    applySecurityHeaders(c.res.headers, headers);
  };
}

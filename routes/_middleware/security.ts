/**
 * @module
 * Security headers on every response: a strict Content-Security-Policy with a per-request script nonce (pages read
 * it as `c.get("nonce")`), no framing, no MIME sniffing, a conservative referrer policy and, when the public origin
 * is https, HSTS. A handler that sets its own Content-Security-Policy (attachments and raw text use a sandbox) keeps
 * it.
 */
import type { MiddlewareHandler } from "hono";
import type { AppDeps } from "../env.ts";

/** Bytes of randomness in a CSP nonce. */
const NONCE_BYTES = 16;
/** HSTS lifetime: one year, in seconds. */
const HSTS_MAX_AGE = 365 * 24 * 3600;

/** The Content-Security-Policy of app pages, allowing scripts only from the app's origin or with `nonce`. */
export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    "style-src 'self'",
    "img-src 'self' https:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** A fresh base64 nonce. */
export function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
  return btoa(String.fromCharCode(...bytes));
}

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
    const headers: [string, string, "always" | "unless-set"][] = [
      ["Content-Security-Policy", contentSecurityPolicy(nonce), "unless-set"],
      ["X-Content-Type-Options", "nosniff", "always"],
      ["X-Frame-Options", "DENY", "always"],
      ["Referrer-Policy", "strict-origin-when-cross-origin", "unless-set"],
      ["Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()", "always"],
    ];
    if (https) headers.push(["Strict-Transport-Security", `max-age=${HSTS_MAX_AGE}; includeSubDomains`, "always"]);
    setHeaders(c, headers);
  };
}

/** Sets headers on `c.res`, copying the response first when its headers are immutable. */
function setHeaders(
  c: { res: Response },
  headers: [string, string, "always" | "unless-set"][],
): void {
  try {
    apply(c.res.headers, headers);
  } catch {
    c.res = new Response(c.res.body, c.res);
    apply(c.res.headers, headers);
  }
}

function apply(target: Headers, headers: [string, string, "always" | "unless-set"][]): void {
  for (const [name, value, mode] of headers) {
    if (mode === "unless-set" && target.has(name)) continue;
    target.set(name, value);
  }
}

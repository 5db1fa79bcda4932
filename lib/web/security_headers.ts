/**
 * @module
 * The one security-header policy of every response: a strict Content-Security-Policy, no framing, no MIME sniffing,
 * a conservative referrer policy, no powerful browser features and, when the public origin is https, HSTS. Pages
 * get a CSP allowing scripts only from the app's origin or with the request's nonce (routes/_middleware/security.ts
 * applies it in Hono); protocol answers (`/mcp`, served before Hono by lib/mcp/fast_path.ts) a CSP that allows
 * nothing, since a JSON or SSE answer is never a document. A handler that set its own Content-Security-Policy
 * (attachments and raw text use a sandbox) or Referrer-Policy keeps it.
 */

/** HSTS lifetime: one year, in seconds. */
export const HSTS_MAX_AGE = 365 * 24 * 3600;

/** Bytes of randomness in a CSP nonce. */
const NONCE_BYTES = 16;

/** The Content-Security-Policy of protocol answers: nothing may load, nothing may frame it. */
export const PROTOCOL_CSP = "default-src 'none'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

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

/** One header of the policy: name, value, and whether a value the handler set wins ("unless-set"). */
export type SecurityHeader = readonly [name: string, value: string, mode: "always" | "unless-set"];

/** The security headers of a response whose Content-Security-Policy is `csp`; HSTS when `https`. */
export function securityHeaderSet(csp: string, https: boolean): readonly SecurityHeader[] {
  const headers: SecurityHeader[] = [
    ["content-security-policy", csp, "unless-set"],
    ["x-content-type-options", "nosniff", "always"],
    ["x-frame-options", "DENY", "always"],
    ["referrer-policy", "strict-origin-when-cross-origin", "unless-set"],
    ["permissions-policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()", "always"],
  ];
  if (https) headers.push(["strict-transport-security", `max-age=${HSTS_MAX_AGE}; includeSubDomains`, "always"]);
  return headers;
}

/** The security headers of protocol answers (built once per app: they do not vary per request). */
export function protocolSecurityHeaders(https: boolean): readonly SecurityHeader[] {
  return securityHeaderSet(PROTOCOL_CSP, https);
}

/**
 * `res` with `headers` set (a copy when its headers are immutable, e.g. a fetched or static response; else `res`
 * itself).
 */
export function withSecurityHeaders(res: Response, headers: readonly SecurityHeader[]): Response {
  try {
    applySecurityHeaders(res.headers, headers);
    return res;
  } catch {
    const out = new Response(res.body, res);
    applySecurityHeaders(out.headers, headers);
    return out;
  }
}

/** Sets `headers` on `target` (throws a TypeError when `target` is immutable). */
export function applySecurityHeaders(target: Headers, headers: readonly SecurityHeader[]): void {
  for (const [name, value, mode] of headers) {
    if (mode === "unless-set" && target.has(name)) continue;
    target.set(name, value);
  }
}

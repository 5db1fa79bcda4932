/**
 * @module
 * Parameter rules shared by the endpoints: redirect URIs (RFC 8252 loopback, no dangerous schemes), the
 * `resource` indicator (RFC 8707), scopes, PKCE (RFC 7636).
 */
import { trimTrailingSlashes, type Urls } from "../urls.ts";
import { type Scope, SCOPES } from "../auth/access.ts";
import { base64url } from "../ids.ts";
import { IGNORED_SCOPES } from "./context.ts";
import { InvalidScopeError, InvalidTargetError } from "./errors.ts";

/** Longest redirect URI accepted. */
export const MAX_REDIRECT_URI_LENGTH = 2000;

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "[::1]", "localhost"]);
const DANGEROUS_SCHEMES = new Set(["javascript:", "data:", "file:", "vbscript:", "blob:", "about:"]);

/** True for the loopback host names RFC 8252 §7.3 allows with plain http. */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname.toLowerCase());
}

/**
 * Why a redirect URI is not acceptable, or null when it is: https (any host), or http on a loopback host
 * (127.0.0.1, [::1], localhost); no fragment, no user info. Private-use schemes (`com.example:/cb`) are refused:
 * the clients this server serves use https (Claude) or loopback (Claude Code, CLIs), and a custom scheme can be
 * claimed by any app on a device.
 */
export function redirectUriProblem(uri: unknown): string | null {
  if (typeof uri !== "string" || uri === "") return "a redirect URI must be a non-empty string";
  if (uri.length > MAX_REDIRECT_URI_LENGTH) {
    return `a redirect URI is longer than ${MAX_REDIRECT_URI_LENGTH} characters`;
  }
  if (uri.includes("#")) return `redirect URI ${uri} has a fragment (#...), which is not allowed`;
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return `redirect URI ${uri} is not an absolute URL`;
  }
  if (DANGEROUS_SCHEMES.has(u.protocol)) return `redirect URI scheme ${u.protocol} is not allowed; use https`;
  if (u.username || u.password) return `redirect URI ${uri} contains user info`;
  if (u.protocol === "https:") return u.hostname ? null : `redirect URI ${uri} has no host`;
  if (u.protocol === "http:") {
    return isLoopbackHost(u.hostname)
      ? null
      : `redirect URI ${uri} uses http on a non-loopback host; use https (http is only for 127.0.0.1, [::1], localhost)`;
  }
  return `redirect URI scheme ${u.protocol} is not supported; use https or an http loopback address`;
}

/**
 * True when the requested redirect URI matches a registered one: exactly, or for http loopback URIs with any
 * port (RFC 8252 §7.3: same scheme, host, path and query).
 */
export function redirectUriMatches(registered: string, requested: string): boolean {
  if (registered === requested) return true;
  let r: URL, q: URL;
  try {
    r = new URL(registered);
    q = new URL(requested);
  } catch {
    return false;
  }
  if (r.protocol !== "http:" || q.protocol !== "http:" || !isLoopbackHost(r.hostname)) return false;
  if (requested.includes("#") || q.username || q.password) return false;
  return r.hostname === q.hostname && r.pathname === q.pathname && r.search === q.search;
}

/** Canonical form of a resource URI for comparison: lowercase scheme and host, no trailing slash, no default port. */
export function canonicalResource(uri: string): string | null {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return null;
  }
  if (u.hash || uri.includes("#")) return null;
  const path = trimTrailingSlashes(u.pathname);
  return `${u.protocol}//${u.host}${path}${u.search}`;
}

/**
 * The resource an authorization request on wiki `slug` is for: the origin root's `{origin}/mcp` when `slug` is the
 * primary wiki and that is the single resource asked for, else the wiki's MCP URL (checked by {@link checkResource}).
 */
export function expectedResource(urls: Urls, slug: string, values: string[]): string {
  const root = urls.rootMcp();
  const asksRoot = values.length === 1 && canonicalResource(values[0]) === canonicalResource(root);
  return slug === urls.primaryWiki && asksRoot ? root : urls.mcp(slug);
}

/**
 * Checks the `resource` parameter(s) against the wiki's MCP URL (tolerating letter case in scheme and host and a
 * trailing slash) and returns the canonical resource. Absent: the MCP URL (the issuer names the wiki).
 */
export function checkResource(values: string[], mcpUrl: string): string {
  if (values.length === 0) return mcpUrl;
  if (values.length > 1) {
    throw new InvalidTargetError(`Send one resource: this server issues tokens only for ${mcpUrl}.`);
  }
  const got = canonicalResource(values[0]);
  if (got === null || got !== canonicalResource(mcpUrl)) {
    throw new InvalidTargetError(
      `The resource ${values[0].slice(0, 200)} is not served here; this authorization server issues tokens only ` +
        `for ${mcpUrl}.`,
    );
  }
  return mcpUrl;
}

/**
 * Parses a `scope` parameter into known scopes. Absent or empty: `fallback`. `offline_access` is ignored (refresh
 * tokens are issued anyway); other unknown scopes are dropped or refused per `unknown`. Nothing known left after
 * dropping: `fallback`.
 */
export function parseScopes(raw: string | null, fallback: readonly Scope[], unknown: "drop" | "reject"): Scope[] {
  if (raw === null || raw.trim() === "") return [...fallback];
  const words = raw.trim().split(/\s+/);
  const out = new Set<Scope>();
  for (const w of words) {
    if ((SCOPES as readonly string[]).includes(w)) out.add(w as Scope);
    else if (!IGNORED_SCOPES.has(w) && unknown === "reject") {
      throw new InvalidScopeError(`Unknown scope "${w.slice(0, 50)}"; this wiki offers ${SCOPES.join(" and ")}.`);
    }
  }
  return out.size === 0 ? [...fallback] : SCOPES.filter((s) => out.has(s));
}

/** PKCE S256: base64url(SHA-256(verifier)). */
export async function s256(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

/** RFC 7636 §4.1 shape of a code verifier (and, by the same alphabet, of an S256 challenge: 43 chars). */
export const PKCE_VERIFIER_SHAPE = /^[A-Za-z0-9\-._~]{43,128}$/;

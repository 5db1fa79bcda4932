/**
 * @module
 * CORS of the OAuth endpoints that browser-based clients (MCP Inspector, web apps) call directly: the metadata
 * documents (GET) and the token, registration and revocation endpoints (POST). Nothing on them depends on cookies,
 * so any origin may call them; `WWW-Authenticate` is exposed so a client can read an `invalid_client` challenge.
 * The authorization endpoint and the consent form are navigations and get no CORS.
 */
import { MethodNotAllowedError, oauthErrorResponse } from "../../../lib/oauth/errors.ts";

/** CORS headers of the metadata documents. */
export const METADATA_CORS_HEADERS: Readonly<Record<string, string>> = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, OPTIONS",
  "access-control-allow-headers": "authorization, mcp-protocol-version",
  "access-control-max-age": "86400",
};

/** CORS headers of the token, registration and revocation endpoints. */
export const ENDPOINT_CORS_HEADERS: Readonly<Record<string, string>> = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "POST, OPTIONS",
  "access-control-allow-headers": "authorization, content-type, mcp-protocol-version",
  "access-control-expose-headers": "WWW-Authenticate",
  "access-control-max-age": "86400",
};

/** A copy of `res` with `headers` added (responses from lib/ may have immutable headers). */
export function withHeaders(res: Response, headers: Readonly<Record<string, string>>): Response {
  const out = new Response(res.body, res);
  for (const [k, v] of Object.entries(headers)) out.headers.set(k, v);
  return out;
}

/** The answer to a CORS preflight. */
export function preflight(headers: Readonly<Record<string, string>>): Response {
  return new Response(null, { status: 204, headers: { ...headers } });
}

/** 405 for a method an OAuth endpoint does not serve: JSON `invalid_request` with `Allow`, like its other answers. */
export function methodNotAllowed(allow: string, headers: Readonly<Record<string, string>>): Response {
  return withHeaders(oauthErrorResponse(new MethodNotAllowedError(allow)), headers);
}

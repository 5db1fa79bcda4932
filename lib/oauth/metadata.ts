/**
 * @module
 * RFC 8414 authorization-server metadata of one wiki. Each wiki is its own authorization server: the issuer is
 * the wiki's base URL exactly (no trailing slash), endpoints live under it (`/authorize`, `/token`, `/register`,
 * `/revoke`), and the same document answers the OpenID-configuration alias.
 */
import type { Urls } from "../urls.ts";
import { SCOPES } from "../auth/access.ts";

/** Client authentication methods of the token and revocation endpoints. */
export const CLIENT_AUTH_METHODS = ["none", "client_secret_post", "client_secret_basic"] as const;

/** The RFC 8414 metadata document of the wiki `slug`. */
export function authorizationServerMetadata(urls: Urls, slug: string): Record<string, unknown> {
  return metadataDocument(urls, urls.issuer(slug), (path) => urls.wiki(slug, path));
}

/** The RFC 8414 metadata document of the origin root's issuer `{origin}` (path mode with a primary wiki). */
export function rootAuthorizationServerMetadata(urls: Urls): Record<string, unknown> {
  return metadataDocument(urls, urls.origin, (path) => urls.origin + path);
}

function metadataDocument(urls: Urls, issuer: string, at: (path: string) => string): Record<string, unknown> {
  return {
    issuer,
    authorization_endpoint: at("/authorize"),
    token_endpoint: at("/token"),
    registration_endpoint: at("/register"),
    revocation_endpoint: at("/revoke"),
    response_types_supported: ["code"],
    response_modes_supported: ["query"],
    grant_types_supported: ["authorization_code", "refresh_token"],
    code_challenge_methods_supported: ["S256"],
    token_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
    revocation_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
    scopes_supported: [...SCOPES],
    client_id_metadata_document_supported: true,
    authorization_response_iss_parameter_supported: true,
    service_documentation: urls.platform("/docs/mcp"),
  };
}

/**
 * @module
 * The OAuth authorization server of every wiki, wired once: each method is what one route calls (parse -> one
 * call -> respond). Framework-free: methods take plain data or a `Request` and return data or a `Response`.
 * CORS, the consent page's HTML, login hand-off and `frame-ancestors 'none'` are the routes' job.
 *
 * | Route                                              | Call                                                 |
 * | -------------------------------------------------- | ---------------------------------------------------- |
 * | `GET /.well-known/oauth-authorization-server[...]` | `metadata(slug)` -> JSON (also openid-configuration) |
 * | `POST /register`                                   | `register(wiki, req, source)` -> Response            |
 * | `GET /authorize`                                   | `authorize(wiki, url.searchParams, source)` -> outcome |
 * | (logged in, outcome consent)                       | `createConsent(wiki, request, user, sessionId)`      |
 * | `POST /authorize` (approve / deny)                 | `approve(wiki, answer)` / `deny(wiki, answer)`       |
 * | `POST /token`                                      | `token(wiki, req)` -> Response                       |
 * | `POST /revoke`                                     | `revoke(wiki, req)` -> Response                      |
 * | `POST {origin}/token` (path mode)                  | `rootToken(req, byId)` -> Response                   |
 * | `POST {origin}/revoke` (path mode)                 | `rootRevoke(req, byId)` -> Response                  |
 * | dashboard Connected apps                           | `listGrants(wikiId)`, `revokeGrant(wikiId, grantId)` |
 * | wiki / account deletion                            | `revokeAllForWiki(wikiId)`, `revokeAllForUser(did)`  |
 * | MCP seam                                           | `verifier()` (a lib/auth `Verifier`)                 |
 */
import type { Verifier } from "../auth/principal.ts";
import { type OAuthContext, oauthContext, type OAuthDeps, type WikiRef } from "./context.ts";
import { authorizationServerMetadata, rootAuthorizationServerMetadata } from "./metadata.ts";
import { registerEndpoint } from "./registration.ts";
import { type AuthorizationRequest, type AuthorizeOutcome, validateAuthorizationRequest } from "./authorize.ts";
import {
  approveConsent,
  type ConsentAnswer,
  type ConsentOutcome,
  type ConsentUser,
  type ConsentView,
  createConsent,
  denyConsent,
  type PriorGrant,
  priorGrant,
} from "./consent.ts";
import { tokenEndpoint } from "./tokens.ts";
import {
  type ConnectedApp,
  listGrants,
  revokeAllForUser,
  revokeAllForWiki,
  revokeEndpoint,
  revokeGrant,
} from "./revoke.ts";
import { rootRevokeEndpoint, rootTokenEndpoint, type WikiById } from "./root.ts";
import { audienceOf } from "./audience.ts";
import { createAccessTokenVerifier, type VerifyResult } from "./verify.ts";

/** The authorization server's entry points (see the module table). */
export interface OAuthServer {
  /** Resolved context (for tests and the lower-level module functions). */
  readonly ctx: OAuthContext;
  /** RFC 8414 metadata of a wiki. */
  metadata(slug: string): Record<string, unknown>;
  /** RFC 8414 metadata of the origin root's issuer (path mode with a primary wiki). */
  rootMetadata(): Record<string, unknown>;
  /** RFC 7591 registration; `source` is the client address its limits count (default "unknown"). */
  register(wiki: WikiRef, req: Request, source?: string): Promise<Response>;
  /**
   * Validates an authorization request (never redirects to an unvalidated URI); `source` is the client address
   * that client metadata document fetches are counted against.
   */
  authorize(wiki: WikiRef, params: URLSearchParams, source?: string): Promise<AuthorizeOutcome>;
  /** Stores the pending request for a logged-in user and returns the consent page's data. */
  createConsent(
    wiki: WikiRef,
    request: AuthorizationRequest,
    user: ConsentUser,
    session: string,
  ): Promise<{ kind: "consent"; view: ConsentView } | { kind: "error-page"; status: number; description: string }>;
  /** The user clicked Approve. */
  approve(wiki: WikiRef, answer: ConsentAnswer): Promise<ConsentOutcome>;
  /** The user clicked Deny. */
  deny(wiki: WikiRef, answer: ConsentAnswer): Promise<ConsentOutcome>;
  /** The user's current grant to a client, for "you granted this before". */
  priorGrant(wikiId: string, did: string, clientId: string): Promise<PriorGrant | null>;
  /** The token endpoint. */
  token(wiki: WikiRef, req: Request): Promise<Response>;
  /** The revocation endpoint. */
  revoke(wiki: WikiRef, req: Request): Promise<Response>;
  /** The origin-root token endpoint of path mode: routed to the wiki the code or refresh token names. */
  rootToken(req: Request, byId: WikiById): Promise<Response>;
  /** The origin-root revocation endpoint of path mode: routed to the wiki the token or client id names. */
  rootRevoke(req: Request, byId: WikiById): Promise<Response>;
  /** Connected apps of a wiki. */
  listGrants(wikiId: string): Promise<ConnectedApp[]>;
  /** Revokes one grant. */
  revokeGrant(wikiId: string, grantId: string): Promise<boolean>;
  /** Deletes all OAuth state of a wiki. */
  revokeAllForWiki(wikiId: string): Promise<number>;
  /** Revokes all grants of a user. */
  revokeAllForUser(did: string): Promise<number>;
  /** The resource (audience) an access token's grant is bound to, or null (not ours, no grant). */
  audienceOf(token: string): Promise<string | null>;
  /** The access-token verifier for the MCP authentication chain. */
  verifier(): Verifier;
  /** Verifies an access token for a wiki in one KV round trip (outside the chain). */
  verifyAccessToken(token: string, wiki: WikiRef): Promise<VerifyResult>;
}

/** Creates the authorization server. */
export function createOAuthServer(deps: OAuthDeps): OAuthServer {
  const ctx = oauthContext(deps);
  const verifier = createAccessTokenVerifier(ctx);
  return {
    ctx,
    metadata: (slug) => authorizationServerMetadata(ctx.urls, slug),
    rootMetadata: () => rootAuthorizationServerMetadata(ctx.urls),
    register: (wiki, req, source) => registerEndpoint(ctx, wiki, req, source),
    authorize: (wiki, params, source) => validateAuthorizationRequest(ctx, wiki, params, source),
    createConsent: (wiki, request, user, session) => createConsent(ctx, wiki, request, user, session),
    approve: (wiki, answer) => approveConsent(ctx, wiki, answer),
    deny: (wiki, answer) => denyConsent(ctx, wiki, answer),
    priorGrant: (wikiId, did, clientId) => priorGrant(ctx, wikiId, did, clientId),
    token: (wiki, req) => tokenEndpoint(ctx, wiki, req),
    revoke: (wiki, req) => revokeEndpoint(ctx, wiki, req),
    rootToken: (req, byId) => rootTokenEndpoint(ctx, req, byId),
    rootRevoke: (req, byId) => rootRevokeEndpoint(ctx, req, byId),
    listGrants: (wikiId) => listGrants(ctx, wikiId),
    revokeGrant: (wikiId, grantId) => revokeGrant(ctx, wikiId, grantId),
    revokeAllForWiki: (wikiId) => revokeAllForWiki(ctx, wikiId),
    revokeAllForUser: (did) => revokeAllForUser(ctx, did),
    audienceOf: (token) => audienceOf(ctx, token),
    verifier: () => verifier,
    verifyAccessToken: (token, wiki) => verifier.verifyAccessToken(token, wiki),
  };
}

/**
 * @module
 * The authorization endpoint (OAuth 2.1 §4.1, RFC 7636, RFC 8707, RFC 9207): validating `GET /authorize`, and the
 * authorization code's shape and record. The consent step that follows is lib/oauth/consent.ts.
 *
 * Route flow: `GET /authorize` -> {@link validateAuthorizationRequest}: an error page (bad client or redirect URI:
 * NEVER redirect), a redirect carrying an error (with `state` and `iss`), or a request to show consent. Not logged
 * in -> login and back to the same URL. Logged in -> `createConsent` (lib/oauth/consent.ts).
 */
import { type Scope, SCOPES } from "../auth/access.ts";
import type { OAuthContext, WikiRef } from "./context.ts";
import { InvalidClientError, InvalidRequestError, OAuthError, UnsupportedResponseTypeError } from "./errors.ts";
import { checkResource, expectedResource, parseScopes, redirectUriMatches } from "./params.ts";
import { resolveClient, type ResolvedClient } from "./clients.ts";

/** A validated authorization request, waiting for consent. */
export interface AuthorizationRequest {
  clientId: string;
  clientName: string;
  clientKind: ResolvedClient["kind"];
  /** Where the metadata document came from (metadata-document clients). */
  clientSource?: ResolvedClient["source"];
  /** The redirect URI to answer to (the requested one; for loopback clients it carries the port). */
  redirectUri: string;
  /** True when the request named `redirect_uri` (the token request must then repeat it). */
  redirectUriGiven: boolean;
  /** All redirect URIs of the client (for the "localhost only" warning). */
  registeredRedirectUris: string[];
  state: string | null;
  codeChallenge: string;
  resource: string;
  scopes: Scope[];
  refresh: boolean;
}

/** Outcome of validating an authorization request. */
export type AuthorizeOutcome =
  /** Render locally; never redirect (unknown client, bad redirect URI; `headers`: e.g. `Retry-After` of a 429). */
  | { kind: "error-page"; status: number; error: string; description: string; headers?: Record<string, string> }
  /** Send the browser to `url` (the client's redirect URI with `error`, `state`, `iss`). */
  | { kind: "redirect-error"; url: string; error: string; description: string }
  /** Show the consent page (after login). */
  | { kind: "consent"; request: AuthorizationRequest };

/** Longest `state` accepted. */
export const MAX_STATE_LENGTH = 2000;

/** Builds the client's redirect with `params` plus `iss` (RFC 9207), keeping the URI's own query. */
export function redirectWith(redirectUri: string, params: Record<string, string | null>, issuer: string): string {
  const u = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) if (v !== null) u.searchParams.append(k, v);
  u.searchParams.append("iss", issuer);
  return u.href;
}

/**
 * Validates `GET /authorize` parameters. Client and redirect URI are checked before anything could redirect.
 * `source` (the client address) is counted when a client metadata document has to be fetched.
 */
export async function validateAuthorizationRequest(
  ctx: OAuthContext,
  wiki: WikiRef,
  params: URLSearchParams,
  source?: string,
): Promise<AuthorizeOutcome> {
  const page = (description: string, error = "invalid_request", status = 400, headers?: Record<string, string>) =>
    ({ kind: "error-page", status, error, description, ...(headers ? { headers } : {}) }) as AuthorizeOutcome;
  const ids = params.getAll("client_id");
  if (ids.length !== 1 || ids[0] === "" || ids[0].length > 1000) {
    return page("The request needs exactly one client_id. Start the connection again from the app.");
  }
  let client: ResolvedClient;
  try {
    client = await resolveClient(ctx, wiki, ids[0], source);
  } catch (err) {
    if (err instanceof InvalidClientError) return page(err.description, "invalid_client");
    if (err instanceof OAuthError && err.error === "temporarily_unavailable") {
      return page(err.description, err.error, err.status, err.headers); // a rate limit (429) or busy (503)
    }
    throw err;
  }
  const uris = params.getAll("redirect_uri");
  let redirectUri: string;
  if (uris.length > 1) return page("The request repeats redirect_uri; send it once.");
  if (uris.length === 0) {
    if (client.redirectUris.length !== 1) {
      return page("redirect_uri is required: this application registered several redirect URIs.");
    }
    redirectUri = client.redirectUris[0];
  } else {
    redirectUri = uris[0];
    if (!client.redirectUris.some((r) => redirectUriMatches(r, redirectUri))) {
      return page(
        `The redirect URI ${redirectUri.slice(0, 200)} is not registered for ${client.name}; ` +
          "this wiki will not send you there.",
      );
    }
  }
  // From here on, errors go back to the (validated) redirect URI.
  const states = params.getAll("state");
  const state = states[0] ?? null;
  const expected = expectedResource(ctx.urls, wiki.slug, params.getAll("resource"));
  const issuer = ctx.urls.issuerFor(wiki.slug, expected);
  const fail = (err: OAuthError): AuthorizeOutcome => ({
    kind: "redirect-error",
    url: redirectWith(redirectUri, { ...err.toJSON(), state }, issuer),
    error: err.error,
    description: err.description,
  });
  try {
    for (const p of ["response_type", "state", "code_challenge", "code_challenge_method", "scope"]) {
      if (params.getAll(p).length > 1) throw new InvalidRequestError(`The request repeats ${p}; send it once.`);
    }
    if (state !== null && state.length > MAX_STATE_LENGTH) {
      throw new InvalidRequestError(`state is longer than ${MAX_STATE_LENGTH} characters.`);
    }
    const responseType = params.get("response_type");
    if (responseType === null) throw new InvalidRequestError("response_type is required; use response_type=code.");
    if (responseType !== "code") {
      throw new UnsupportedResponseTypeError(`response_type ${responseType.slice(0, 50)} is not supported; use code.`);
    }
    const challenge = params.get("code_challenge");
    const method = params.get("code_challenge_method");
    if (challenge === null || challenge === "") {
      throw new InvalidRequestError("PKCE is required: send code_challenge with code_challenge_method=S256.");
    }
    if (method === null) {
      throw new InvalidRequestError("code_challenge_method is required and must be S256 (plain is not accepted).");
    }
    if (method !== "S256") {
      throw new InvalidRequestError(
        `PKCE method ${method.slice(0, 20)} is not accepted; use code_challenge_method=S256.`,
      );
    }
    if (!/^[A-Za-z0-9\-_]{43}$/.test(challenge)) {
      throw new InvalidRequestError("code_challenge must be the 43-character base64url SHA-256 of the verifier.");
    }
    const resource = checkResource(params.getAll("resource"), expected);
    const scopes = parseScopes(params.get("scope"), SCOPES, ctx.settings.unknownScopes);
    return {
      kind: "consent",
      request: {
        clientId: client.clientId,
        clientName: client.name,
        clientKind: client.kind,
        clientSource: client.source,
        redirectUri,
        redirectUriGiven: uris.length === 1,
        registeredRedirectUris: client.redirectUris,
        state,
        codeChallenge: challenge,
        resource,
        scopes,
        refresh: client.allowsRefresh,
      },
    };
  } catch (err) {
    if (err instanceof OAuthError) return fail(err);
    throw err;
  }
}

/** Prefix of authorization codes. */
export const CODE_PREFIX = "rwac_";

/** An authorization code as stored under `OK.code` (by HMAC). After use: `consumedAt` set, kept for replay detection. */
export interface CodeRecord {
  wikiId: string;
  grantId: string;
  clientId: string;
  did: string;
  redirectUri: string;
  redirectUriGiven: boolean;
  codeChallenge: string;
  resource: string;
  scopes: Scope[];
  consumedAt: number | null;
  expiresAt: number;
}

/**
 * @module
 * The origin-root `/token` and `/revoke` of path mode. Claude.ai, when discovery fails, sends its requests to
 * `{origin}/token` and `{origin}/revoke` (mcp-auth.md); in path mode every wiki is its own authorization server under
 * `/w/{slug}/`, so the root forwards each request to the wiki its credential names (lib/oauth/credentials.ts): the
 * code or refresh token first, else the client id. A credential that names no wiki (older formats, forgeries) is
 * answered `invalid_grant` (400), or `invalid_client` (401) when only a client is presented: an OAuth error body,
 * never a 404.
 */
import type { OAuthContext, WikiRef } from "./context.ts";
import { InvalidClientError, InvalidGrantError, InvalidRequestError, oauthErrorResponse, oauthJson } from "./errors.ts";
import { parseBasic, readForm } from "./client_auth.ts";
import { exchangeToken } from "./tokens.ts";
import { revokeToken } from "./revoke.ts";
import { wikiIdOfClientId, wikiIdOfToken } from "./credentials.ts";

/** Looks a wiki up by its id (the routes pass the wiki registry's; lib/oauth does not import lib/wiki). */
export type WikiById = (wikiId: string) => Promise<WikiRef | null>;

const ELSEWHERE = "Send it to the endpoint of its wiki, under {origin}/w/{wiki}/ (see the wiki's " +
  "/.well-known/oauth-authorization-server metadata).";

/**
 * The client id of a request: the body's, else the one in `Authorization: Basic` (a malformed header names no
 * client here; the wiki's endpoint refuses it with its own error).
 */
function clientIdOf(form: URLSearchParams, authorization: string | null): string | null {
  const body = form.get("client_id");
  if (body !== null) return body;
  try {
    return parseBasic(authorization)?.id ?? null;
  } catch {
    return null;
  }
}

/**
 * The wiki a root request is for: the one its credential (`credentialParam`) names, else its client id's. Throws
 * `invalid_grant` for a credential that names no live wiki, `invalid_client` when only an unroutable client is sent.
 */
async function wikiOfRequest(
  form: URLSearchParams,
  authorization: string | null,
  credentialParam: string | null,
  byId: WikiById,
): Promise<WikiRef> {
  const credential = credentialParam === null ? null : form.get(credentialParam);
  const fromCredential = wikiIdOfToken(credential);
  const wikiId = fromCredential ?? wikiIdOfClientId(clientIdOf(form, authorization));
  const wiki = wikiId === null ? null : await byId(wikiId);
  if (wiki !== null) return wiki;
  if (credential && credentialParam !== null && credentialParam !== "token") {
    throw new InvalidGrantError(`This ${credentialParam.replace("_", " ")} does not name a wiki here. ${ELSEWHERE}`);
  }
  throw new InvalidClientError(`This client_id does not name a wiki here. ${ELSEWHERE}`);
}

/** `POST {origin}/token` in path mode: the token endpoint of the wiki the code or refresh token names. */
export async function rootTokenEndpoint(ctx: OAuthContext, req: Request, byId: WikiById): Promise<Response> {
  try {
    const form = await readForm(req);
    const authorization = req.headers.get("authorization");
    const grantType = form.get("grant_type");
    const param = grantType === "authorization_code" ? "code" : grantType === "refresh_token" ? "refresh_token" : null;
    if (!grantType) throw new InvalidRequestError("grant_type is required.");
    // Another grant type: routed by the client id, and the wiki's endpoint words the error.
    const wiki = await wikiOfRequest(form, authorization, param, byId);
    return oauthJson(await exchangeToken(ctx, wiki, form, authorization));
  } catch (err) {
    return oauthErrorResponse(err, "/token (origin root)");
  }
}

/** `POST {origin}/revoke` in path mode: the revocation endpoint of the wiki the token or client names. */
export async function rootRevokeEndpoint(ctx: OAuthContext, req: Request, byId: WikiById): Promise<Response> {
  try {
    const form = await readForm(req);
    const authorization = req.headers.get("authorization");
    const wiki = await wikiOfRequest(form, authorization, "token", byId);
    await revokeToken(ctx, wiki, form, authorization);
    return new Response(null, { status: 200, headers: { "Cache-Control": "no-store" } });
  } catch (err) {
    return oauthErrorResponse(err, "/revoke (origin root)");
  }
}
